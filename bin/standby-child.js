// The inference child of a `tessera generate`, started by bin/tessera.js before the command line itself has
// loaded: the child spends most of its start-up importing onnxruntime and the pipeline, which then overlaps the
// parent's own start instead of following it. The child waits in standby for its configuration
// (render/child.ts); WorkerHost adopts it, or it exits when this process does.
import { fork } from "node:child_process";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const SLOT = Symbol.for("tessera.standby-child");

/** How the helper forks its inference child, standby or not. */
export function childForkOptions(execArgv) {
  return {
    execPath: process.execPath,
    execArgv,
    serialization: "advanced",
    stdio: ["ignore", "inherit", "pipe", "ipc"],
    // Its own process group, so killing it also ends the ffmpeg it started (no half-written file behind).
    detached: process.platform !== "win32",
  };
}

/** The command-line argument of a child started in standby. */
export const STANDBY_ARG = JSON.stringify({ standby: true });

/** Forks `file` in standby; it does not keep this process alive until adopted. */
export function startStandbyChild(file) {
  const child = fork(file, [STANDBY_ARG], childForkOptions([]));
  child.unref();
  child.channel?.unref();
  child.stderr?.unref?.();
  globalThis[SLOT] = { file, child };
  return child;
}

/** The standby child for `file`, if one is waiting and alive; it is then this caller's (and keeps the process alive). */
export function takeStandbyChild(file) {
  const waiting = globalThis[SLOT];
  delete globalThis[SLOT];
  if (!waiting || waiting.file !== file) {
    waiting?.child.kill();
    return undefined;
  }
  const { child } = waiting;
  if (child.exitCode !== null || child.signalCode !== null || !child.connected) return undefined;
  child.ref();
  child.channel?.ref();
  child.stderr?.ref?.();
  return child;
}

/** Commands that run a job in an inference child of their own. */
export const JOB_COMMANDS = new Set(["generate", "extend"]);

/** Runs the bundled command line at `entry` (dist/helper/cli.mjs) for `command`, a job's child started first. */
export async function runBundle(entry, command) {
  if (JOB_COMMANDS.has(command ?? "")) startStandbyChild(join(dirname(entry), "child.mjs"));
  await import(pathToFileURL(entry).href);
}
