/**
 * DATA_DIR/helper.json says which helper owns the data dir (pid, port, version) and which generator process it
 * runs. It keeps two helpers off one job database, tells `tessera pair` and `doctor` where the running helper
 * listens, and lets a restarted helper end the generator process a killed one left behind.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { z } from "zod";
import { TesseraError } from "../../shared/errors.js";

export const InstanceSchema = z.object({
  pid: z.number().int(),
  port: z.number().int(),
  version: z.string(),
  startedAt: z.string(),
  workerPid: z.number().int().optional(),
});
export type Instance = z.infer<typeof InstanceSchema>;

export function readInstance(path: string): Instance | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const parsed = InstanceSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The command line of a process, where the platform lets us read it cheaply. */
function commandLine(pid: number): string | undefined {
  try {
    if (process.platform === "linux") return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    if (process.platform === "darwin") return execFileSync("ps", ["-o", "command=", "-p", String(pid)], { encoding: "utf8" });
  } catch {
    return undefined;
  }
  return undefined;
}

/** A running helper that owns this data dir, if any (a stale file from a killed helper does not count). */
export function runningHelper(path: string): Instance | undefined {
  const instance = readInstance(path);
  if (!instance || instance.pid === process.pid || !isAlive(instance.pid)) return undefined;
  const cmd = commandLine(instance.pid);
  // A reused pid belongs to some other program: only a process running Tessera counts.
  if (cmd !== undefined && !/tessera/i.test(cmd)) return undefined;
  return instance;
}

/** Claims the data dir for this process; ends a generator process a killed helper left running. */
export function claimInstance(path: string, dataDir: string): Instance | undefined {
  const other = runningHelper(path);
  if (other) {
    throw new TesseraError("E_HELPER_RUNNING", `It runs as pid ${other.pid} on port ${other.port}, data folder ${dataDir}.`);
  }
  const stale = readInstance(path);
  if (stale?.workerPid !== undefined && isAlive(stale.workerPid)) {
    const cmd = commandLine(stale.workerPid);
    if (cmd === undefined || cmd.includes("render/child")) {
      try {
        process.kill(process.platform === "win32" ? stale.workerPid : -stale.workerPid, "SIGKILL");
      } catch {
        // Gone already.
      }
    }
  }
  return stale;
}

export function writeInstance(path: string, instance: Instance): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(instance)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

export function releaseInstance(path: string): void {
  const instance = readInstance(path);
  if (instance?.pid === process.pid) rmSync(path, { force: true });
}
