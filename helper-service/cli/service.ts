/**
 * `tessera service install | uninstall | status`: start the helper at login (service/login-item.ts says what that
 * is per platform). install writes the login item, loads it and starts the helper now; uninstall stops it and
 * removes the item; status says whether it is registered, loaded, and whether a helper answers for the data folder.
 * The service managers (systemctl, launchctl) are found on PATH like any program the editor runs.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { dirname, resolve } from "node:path";
import { TesseraError } from "../../shared/errors.js";
import { dataPaths } from "../server/data-dir.js";
import { runningHelper } from "../server/instance.js";
import { loginItem, servicePlatform, type LoginItem, type ManagerCommand } from "../service/login-item.js";
import { dataDirOf } from "./common.js";

export interface ServiceOptions {
  dataDir?: string;
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);

/** The command that starts this very helper: this Node on this entry script, `serve`, and the data folder if given. */
export function helperArgv(options: ServiceOptions): string[] {
  const entry = resolve(process.argv[1] ?? "");
  return [process.execPath, entry, "serve", ...(options.dataDir ? ["--data-dir", resolve(options.dataDir)] : [])];
}

function item(options: ServiceOptions): LoginItem {
  const platform = servicePlatform();
  if (!platform) {
    throw new TesseraError("E_LOGIN_ITEM", `Starting at login is not supported on ${process.platform}.`, { hint: "Start the helper yourself with `tessera serve`." });
  }
  return loginItem({ platform, argv: helperArgv(options), home: homedir(), env: process.env, uid: userInfo().uid });
}

function runManager(command: ManagerCommand): { ok: boolean; detail: string } {
  const result = spawnSync(command.program, command.args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 });
  if (result.error) return { ok: false, detail: (result.error as NodeJS.ErrnoException).code === "ENOENT" ? `${command.program} was not found` : result.error.message };
  const detail = `${result.stderr}${result.stdout}`.trim().split("\n").slice(-3).join(" ");
  return { ok: result.status === 0, detail: detail || `exit ${result.status}` };
}

const shown = (command: ManagerCommand): string => [command.program, ...command.args].map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(" ");

function writeAtomically(file: string, contents: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.tessera-partial`;
  writeFileSync(temp, contents, { mode: 0o644 });
  renameSync(temp, file);
}

export async function serviceInstall(options: ServiceOptions): Promise<void> {
  if (options.dataDir) await dataDirOf(options.dataDir);
  const login = item(options);
  writeAtomically(login.file, login.contents);
  say(`wrote the ${login.kind} ${login.file}`);
  say(`it runs: ${helperArgv(options).join(" ")}`);
  for (const command of login.load) {
    const result = runManager(command);
    if (result.ok || command.mayFail) continue;
    // an item the service manager never loaded would not start at login either: take it back
    for (const undo of login.unload) runManager(undo);
    rmSync(login.file, { force: true });
    throw new TesseraError("E_LOGIN_ITEM", `\`${shown(command)}\` failed (${result.detail}); nothing was left installed.`);
  }
  say(`the helper starts at every login${login.load.length > 0 ? ", and was started now" : ""}; \`tessera service uninstall\` undoes this`);
}

export async function serviceUninstall(options: ServiceOptions): Promise<void> {
  const login = item(options);
  if (!existsSync(login.file)) {
    say(`no ${login.kind} at ${login.file}: the helper is not set to start at login`);
    return;
  }
  for (const command of login.unload) runManager(command);
  rmSync(login.file, { force: true });
  for (const command of login.afterRemove) runManager(command);
  say(`removed the ${login.kind} ${login.file}; the helper no longer starts at login`);
}

/** Exit 0 when the login item is installed, 1 when it is not. */
export async function serviceStatus(options: ServiceOptions): Promise<void> {
  const login = item(options);
  const installed = existsSync(login.file);
  if (!installed) say(`login item: not installed (\`tessera service install\` writes the ${login.kind} ${login.file})`);
  else {
    say(`login item: ${login.kind} ${login.file}`);
    const contents = readFileSync(login.file, "utf8");
    const runs = /^(?:ExecStart=|start "Tessera Helper" \/min )(.*)$/m.exec(contents);
    if (runs) say(`  runs: ${runs[1]}`);
    // a folder moved or unpacked again: the item still starts the copy it was installed from
    if (contents !== login.contents) say("  it starts another copy of Tessera or another data folder than this command; `tessera service install` points it here");
    if (login.query) {
      const loaded = runManager(login.query);
      say(`  ${login.query.program}: ${loaded.ok ? "loaded and running" : `not running (${loaded.detail})`}`);
    }
  }
  const dataDir = await dataDirOf(options.dataDir);
  const helper = runningHelper(dataPaths(dataDir).instance);
  say(helper ? `helper: ${helper.version} running (pid ${helper.pid}) on ws://127.0.0.1:${helper.port}` : `helper: not running for ${dataDir}`);
  if (!installed) process.exitCode = 1;
}
