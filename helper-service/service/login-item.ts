/**
 * What `tessera service install` registers so the helper starts at login, per platform: a systemd user unit on
 * Linux, a LaunchAgent on macOS, a Startup-folder entry on Windows. Each is a file in the user's own folders plus
 * the service-manager commands that load and unload it; nothing needs administrator rights. Pure: the command
 * line runs the commands (cli/service.ts), tests read the files.
 */
import { join } from "node:path";

export type ServicePlatform = "linux" | "darwin" | "win32";

export interface LoginItemInput {
  platform: ServicePlatform;
  /** The program and arguments that start the helper (absolute paths). */
  argv: readonly string[];
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  /** For the LaunchAgent's gui/UID domain. */
  uid?: number;
  /** Where launchd writes what the helper prints (macOS). */
  logDir?: string;
}

/** A service-manager command; `mayFail` ones only tidy up (unloading what may not be loaded). */
export interface ManagerCommand {
  program: string;
  args: string[];
  mayFail?: boolean;
}

export interface LoginItem {
  kind: "systemd user unit" | "LaunchAgent" | "Startup entry";
  file: string;
  contents: string;
  /** Run after writing the file: load it and start the helper now. */
  load: ManagerCommand[];
  /** Run before removing the file: stop the helper and unload. */
  unload: ManagerCommand[];
  /** Run after removing the file. */
  afterRemove: ManagerCommand[];
  /** Exit code 0 while the service manager has it loaded; none where the file is all there is (Windows). */
  query?: ManagerCommand;
}

export const UNIT_NAME = "tessera-helper.service";
export const AGENT_LABEL = "app.tessera.helper";
export const STARTUP_NAME = "Tessera Helper.cmd";

const HEADER = "Written by `tessera service install`; remove it with `tessera service uninstall`.";

/** A refused path: the file formats below cannot carry these characters safely. */
export class UnsafeArgument extends Error {}

function refuse(arg: string, what: string, bad: RegExp): void {
  if (bad.test(arg)) throw new UnsafeArgument(`${JSON.stringify(arg)} cannot go into a ${what}: move Tessera to a folder whose path has no quotes or line breaks.`);
}

/** systemd's ExecStart quoting: double quotes, backslash escapes, and %/$ doubled (specifiers and variables). */
function systemdQuote(arg: string): string {
  refuse(arg, "systemd unit", /[\n\r"]/);
  return `"${arg.replace(/\\/g, "\\\\").replace(/%/g, "%%").replace(/\$/g, "$$$$")}"`;
}

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** cmd.exe: each argument in double quotes, % doubled so it is not read as a variable. */
function cmdQuote(arg: string): string {
  refuse(arg, "Windows command file", /[\n\r"]/);
  return `"${arg.replace(/%/g, "%%")}"`;
}

function systemdUnit(input: LoginItemInput): LoginItem {
  const config = input.env.XDG_CONFIG_HOME || join(input.home, ".config");
  const file = join(config, "systemd", "user", UNIT_NAME);
  const contents = `# ${HEADER}
[Unit]
Description=Tessera helper (text-to-video for Premiere Pro, on this computer)

[Service]
Type=simple
ExecStart=${input.argv.map(systemdQuote).join(" ")}
Restart=on-failure
RestartSec=5

[Install]
WantedBy=default.target
`;
  const systemctl = (...args: string[]): ManagerCommand => ({ program: "systemctl", args: ["--user", ...args] });
  return {
    kind: "systemd user unit",
    file,
    contents,
    load: [systemctl("daemon-reload"), systemctl("enable", "--now", UNIT_NAME)],
    unload: [{ ...systemctl("disable", "--now", UNIT_NAME), mayFail: true }],
    afterRemove: [systemctl("daemon-reload")],
    query: systemctl("is-active", UNIT_NAME),
  };
}

function launchAgent(input: LoginItemInput): LoginItem {
  const file = join(input.home, "Library", "LaunchAgents", `${AGENT_LABEL}.plist`);
  const logDir = input.logDir ?? join(input.home, "Library", "Logs", "Tessera");
  const args = input.argv.map((a) => `    <string>${xml(a)}</string>`).join("\n");
  const contents = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- ${HEADER} -->
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${AGENT_LABEL}</string>
  <key>ProgramArguments</key>
  <array>
${args}
  </array>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>ProcessType</key>
  <string>Interactive</string>
  <key>StandardOutPath</key>
  <string>${xml(join(logDir, "helper.out.log"))}</string>
  <key>StandardErrorPath</key>
  <string>${xml(join(logDir, "helper.err.log"))}</string>
</dict>
</plist>
`;
  const domain = `gui/${input.uid ?? 501}`;
  return {
    kind: "LaunchAgent",
    file,
    contents,
    // bootout first so a second install replaces the loaded definition instead of failing
    load: [
      { program: "launchctl", args: ["bootout", `${domain}/${AGENT_LABEL}`], mayFail: true },
      { program: "launchctl", args: ["bootstrap", domain, file] },
    ],
    unload: [{ program: "launchctl", args: ["bootout", `${domain}/${AGENT_LABEL}`], mayFail: true }],
    afterRemove: [],
    query: { program: "launchctl", args: ["print", `${domain}/${AGENT_LABEL}`] },
  };
}

function startupEntry(input: LoginItemInput): LoginItem {
  const appData = input.env.APPDATA || join(input.home, "AppData", "Roaming");
  const file = join(appData, "Microsoft", "Windows", "Start Menu", "Programs", "Startup", STARTUP_NAME);
  const [program, ...rest] = input.argv;
  // `start /min` returns at once and leaves the helper in a minimised window the editor can close to stop it
  const contents = [`@echo off`, `rem ${HEADER}`, `start "Tessera Helper" /min ${[program!, ...rest].map(cmdQuote).join(" ")}`, ``].join("\r\n");
  return {
    kind: "Startup entry",
    file,
    contents,
    load: [{ program: "cmd.exe", args: ["/d", "/c", file] }],
    unload: [],
    afterRemove: [],
  };
}

export function loginItem(input: LoginItemInput): LoginItem {
  if (input.argv.length === 0) throw new Error("no program to start");
  if (input.platform === "linux") return systemdUnit(input);
  if (input.platform === "darwin") return launchAgent(input);
  return startupEntry(input);
}

export function servicePlatform(platform: NodeJS.Platform = process.platform): ServicePlatform | undefined {
  return platform === "linux" || platform === "darwin" || platform === "win32" ? platform : undefined;
}
