/** Reading /proc (Linux only): the live pids, the fields of /proc/PID/stat and CPU time from them. */
import { existsSync, readdirSync, readFileSync } from "node:fs";

/**
 * The fields of /proc/PID/stat after the command name, so index 0 is the state, 1 the parent pid, 11 and 12
 * utime and stime (man 5 proc numbers them from 3). The name is cut at the last ")": it may hold spaces and ")".
 * Throws when the process is gone.
 */
export function statFields(pid: number | "self"): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** Clock ticks per second in /proc figures (USER_HZ). */
export const TICKS = 100;

/** Pids of the processes /proc lists now (some may end before they are read). */
export function livePids(): number[] {
  return readdirSync("/proc").filter((n) => /^\d+$/.test(n)).map(Number);
}

/** Pids of the live processes whose environment holds `entry` ("NAME=value"; Linux /proc, own processes only). */
export function processesWithEnv(entry: string): number[] {
  const found: number[] = [];
  if (!existsSync("/proc/self/environ")) return found;
  for (const pid of livePids()) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(entry)) found.push(pid);
    } catch {
      // ended meanwhile, or another user's
    }
  }
  return found;
}
