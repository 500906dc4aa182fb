/** Peak resident memory of a process and all its descendants, sampled from /proc (Linux only). */
import { readFileSync } from "node:fs";
import { livePids, statFields } from "./proc.js";

function parentOf(pid: number): number | null {
  try {
    return Number(statFields(pid)[1]);
  } catch {
    return null;
  }
}

function rssKb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export function treeRssMb(root: number): number {
  const pids = livePids();
  const children = new Map<number, number[]>();
  for (const pid of pids) {
    const parent = parentOf(pid);
    if (parent !== null) children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  let kb = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    kb += rssKb(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return kb / 1024;
}

/** Samples the tree every `everyMs` until `stop()`; returns the peak in MB. */
export function sampleTreeRss(root: number, everyMs = 100): { stop: () => number } {
  let peak = treeRssMb(root);
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRssMb(root));
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}
