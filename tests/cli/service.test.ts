/**
 * `tessera service install | uninstall | status` as an editor runs it, in a temp HOME and XDG config folder, with a
 * stand-in `systemctl` first on PATH that keeps the enabled state and logs every call (CI has no user session
 * bus). The macOS LaunchAgent and the Windows Startup entry are checked as files.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { loginItem, UnsafeArgument } from "../../helper-service/service/login-item.js";
import { tempDir } from "../server/support.js";
import { BIN, freePort, serve, tessera, TINY } from "./support.js";

let home: string;
let env: NodeJS.ProcessEnv;
let log: string;

// systemd in miniature: enable --now marks the unit enabled, disable --now clears it, is-active reports it.
const FAKE_SYSTEMCTL = `#!/bin/sh
echo "$*" >> "$FAKE_LOG"
case "$*" in
  *"$FAKE_FAIL"*) echo "Failed to connect to bus: No medium found" >&2; exit 1 ;;
esac
case "$2" in
  enable) touch "$FAKE_STATE" ;;
  disable) rm -f "$FAKE_STATE" ;;
  is-active) if [ -f "$FAKE_STATE" ]; then echo active; exit 0; else echo inactive; exit 3; fi ;;
esac
exit 0
`;

beforeEach(() => {
  home = tempDir("tessera-service-");
  const bin = join(home, "fake-bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "systemctl"), FAKE_SYSTEMCTL);
  chmodSync(join(bin, "systemctl"), 0o755);
  log = join(home, "systemctl.log");
  env = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, "xdg"),
    PATH: `${bin}${delimiter}${process.env.PATH ?? ""}`,
    FAKE_LOG: log,
    FAKE_STATE: join(home, "enabled"),
    FAKE_FAIL: "never-matches",
  };
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const unitFile = () => join(home, "xdg", "systemd", "user", "tessera-helper.service");
const calls = () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []);

test("install writes a systemd user unit that runs this helper, reloads systemd and enables it now", async () => {
  const dataDir = join(home, "data with space");
  const result = await tessera(["service", "install", "--data-dir", dataDir], { env });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  expect(result.stdout).toContain(`wrote the systemd user unit ${unitFile()}`);
  const unit = readFileSync(unitFile(), "utf8");
  expect(unit).toContain(`ExecStart="${process.execPath}" "${BIN}" "serve" "--data-dir" "${dataDir}"\n`);
  expect(unit).toMatch(/\[Install\]\nWantedBy=default\.target/);
  expect(unit).toContain("Restart=on-failure");
  expect(calls()).toEqual(["--user daemon-reload", "--user enable --now tessera-helper.service"]);
  expect(existsSync(`${unitFile()}.tessera-partial`)).toBe(false);
});

test("status reports the unit, that systemd runs it, and whether a helper answers; uninstall undoes it all", async () => {
  const dataDir = join(home, "data");
  expect((await tessera(["service", "install", "--data-dir", dataDir], { env })).code).toBe(0);
  const status = await tessera(["service", "status", "--data-dir", dataDir], { env });
  expect(status.code).toBe(0);
  expect(status.stdout).toContain(`login item: systemd user unit ${unitFile()}`);
  expect(status.stdout).toContain(`runs: "${process.execPath}"`);
  expect(status.stdout).toContain("systemctl: loaded and running");
  expect(status.stdout).toContain(`helper: not running for ${dataDir}`);
  expect(status.stdout).not.toContain("another copy");
  // the same item seen from another data folder (as from another copy of Tessera) is not this one's
  const elsewhere = await tessera(["service", "status", "--data-dir", join(home, "other")], { env });
  expect(elsewhere.stdout).toContain("it starts another copy of Tessera or another data folder than this command; `tessera service install` points it here");

  const removed = await tessera(["service", "uninstall", "--data-dir", dataDir], { env });
  expect(removed.code).toBe(0);
  expect(removed.stdout).toContain("the helper no longer starts at login");
  expect(existsSync(unitFile())).toBe(false);
  expect(calls().slice(-2)).toEqual(["--user disable --now tessera-helper.service", "--user daemon-reload"]);

  const after = await tessera(["service", "status", "--data-dir", dataDir], { env });
  expect(after.code).toBe(1);
  expect(after.stdout).toContain("login item: not installed");
  // a second uninstall is harmless and says so
  expect((await tessera(["service", "uninstall", "--data-dir", dataDir], { env })).stdout).toContain("not set to start at login");
});

test("when systemd refuses, install says which command failed and how to fix it, and leaves nothing installed", async () => {
  const result = await tessera(["service", "install"], { env: { ...env, FAKE_FAIL: "enable" } });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain("The helper could not be registered to start at login. `systemctl --user enable --now tessera-helper.service` failed (Failed to connect to bus: No medium found)");
  expect(result.stderr).toMatch(/fix: Run `tessera service install` in a terminal of your desktop session/);
  expect(existsSync(unitFile())).toBe(false);
});

test("without systemctl on PATH, install names what is missing", async () => {
  const bare = join(home, "bare-bin");
  mkdirSync(bare);
  const result = await tessera(["service", "install"], { env: { ...env, PATH: bare } });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain("systemctl was not found");
  expect(existsSync(unitFile())).toBe(false);
});

test("status names the helper that is running for the data folder", async () => {
  const dataDir = join(home, "data");
  const port = await freePort();
  const helper = serve(["--model", TINY, "--data-dir", dataDir, "--port", String(port)], env);
  try {
    await helper.line(/^tessera listening on /, 30_000);
    const status = await tessera(["service", "status", "--data-dir", dataDir], { env });
    expect(status.code).toBe(1); // running, but not registered to start at login
    expect(status.stdout).toContain(`helper: 0.1.0 running (pid ${helper.proc.pid}) on ws://127.0.0.1:${port}`);
  } finally {
    helper.proc.kill("SIGTERM");
    await helper.exited;
  }
}, 40_000);

describe("other platforms' login items", () => {
  const argv = ["/Applications/Tessera & Co/app/runtime/node", "/Applications/Tessera & Co/app/bin/tessera-packaged.js", "serve"];

  test("macOS: a LaunchAgent in ~/Library/LaunchAgents, loaded with launchctl bootstrap into the user's GUI domain", () => {
    const item = loginItem({ platform: "darwin", argv, home: "/Users/ed", env: {}, uid: 502 });
    expect(item.file).toBe("/Users/ed/Library/LaunchAgents/app.tessera.helper.plist");
    expect(item.contents).toContain("<string>/Applications/Tessera &amp; Co/app/runtime/node</string>");
    expect(item.contents).toMatch(/<key>RunAtLoad<\/key>\s*<true\/>/);
    expect(item.contents).toContain("<string>/Users/ed/Library/Logs/Tessera/helper.err.log</string>");
    expect(item.load.at(-1)).toEqual({ program: "launchctl", args: ["bootstrap", "gui/502", item.file] });
    expect(item.unload).toEqual([{ program: "launchctl", args: ["bootout", "gui/502/app.tessera.helper"], mayFail: true }]);
  });

  test("Windows: a command file in the Startup folder that starts the helper minimised", () => {
    const winArgv = ["C:\\Tessera 100%\\app\\runtime\\node.exe", "C:\\Tessera 100%\\app\\bin\\tessera-packaged.js", "serve"];
    const item = loginItem({ platform: "win32", argv: winArgv, home: "C:\\Users\\ed", env: { APPDATA: "C:\\Users\\ed\\AppData\\Roaming" }, uid: 0 });
    expect(item.file).toBe(join("C:\\Users\\ed\\AppData\\Roaming", "Microsoft", "Windows", "Start Menu", "Programs", "Startup", "Tessera Helper.cmd"));
    expect(item.contents.split("\r\n")[2]).toBe('start "Tessera Helper" /min "C:\\Tessera 100%%\\app\\runtime\\node.exe" "C:\\Tessera 100%%\\app\\bin\\tessera-packaged.js" "serve"');
  });

  test("systemd specifiers and variables in a path are escaped; a quote in a path is refused", () => {
    const item = loginItem({ platform: "linux", argv: ["/opt/50%$off/node", "x"], home: "/home/ed", env: {} });
    expect(item.file).toBe("/home/ed/.config/systemd/user/tessera-helper.service");
    expect(item.contents).toContain('ExecStart="/opt/50%%$$off/node" "x"');
    expect(() => loginItem({ platform: "linux", argv: ['/opt/a"b/node'], home: "/home/ed", env: {} })).toThrow(UnsafeArgument);
  });
});
