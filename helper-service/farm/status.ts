/**
 * The farm as `tessera farm status` shows it: the live workers (each keeps its record alive in Redis while it
 * runs), their devices, models and jobs, and the queue's counts by state.
 */
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { farmKeys, PREFIX, QUEUE_NAME } from "./connection.js";
import { WorkerRecordSchema, type EngineReport, type WorkerRecord } from "./messages.js";

/** Workers whose record has not expired; names whose record did expire are dropped from the set. */
export async function liveWorkers(redis: Redis): Promise<WorkerRecord[]> {
  const names = (await redis.smembers(farmKeys.workers)).sort();
  if (names.length === 0) return [];
  const texts = await redis.mget(names.map((n) => farmKeys.worker(n)));
  const workers: WorkerRecord[] = [];
  const gone: string[] = [];
  texts.forEach((text, i) => {
    if (text === null) return void gone.push(names[i]!);
    try {
      const parsed = WorkerRecordSchema.safeParse(JSON.parse(text));
      if (parsed.success) workers.push(parsed.data);
    } catch {
      // a record another version wrote: not listed
    }
  });
  if (gone.length) await redis.srem(farmKeys.workers, ...gone);
  return workers;
}

export interface FarmStatus {
  workers: WorkerRecord[];
  counts: Record<string, number>;
}

export async function farmStatus(redis: Redis): Promise<FarmStatus> {
  const queue = new Queue(QUEUE_NAME, { connection: redis, prefix: PREFIX });
  try {
    const counts = await queue.getJobCounts("waiting", "prioritized", "delayed", "active", "completed", "failed");
    return { workers: await liveWorkers(redis), counts };
  } finally {
    await queue.close();
  }
}

export function formatStatus(status: FarmStatus, url: string): string {
  const c = status.counts;
  const lines = [
    `farm ${url}`,
    `queue: ${(c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0)} waiting, ${c.active ?? 0} running, ${c.completed ?? 0} done, ${c.failed ?? 0} failed (kept 7 days)`,
    `workers: ${status.workers.length}`,
  ];
  for (const w of status.workers) {
    const models = w.models.map((m) => `${m.id} ${m.version}`).join(", ") || "no models";
    const jobs = w.running.length ? `running ${w.running.join(", ")}` : "idle";
    lines.push(`  ${w.name} (${w.host}, Tessera ${w.version}, ${w.engine} on ${w.device}, ${w.concurrency} slot${w.concurrency > 1 ? "s" : ""}): ${models}; ${jobs}; ${w.done} done`);
    for (const e of w.engines ?? []) lines.push(`    ${describeEngineReport(e)}`);
  }
  return lines.join("\n");
}

/** "engine studio-gpu at http://gpu-01:8188: ComfyUI 0.3.64, NVIDIA …", or why it cannot be reached. */
export function describeEngineReport(e: EngineReport): string {
  return `engine ${e.name} at ${e.url}: ${e.reachable ? e.detail : `not reachable: ${e.detail}`}`;
}
