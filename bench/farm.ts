/**
 * Farm throughput: jobs per second with N = 1, 2 and 4 `tessera worker` processes on one real redis-server,
 * each job a fixed-time generator run (the scripted generator sleeping through its steps, as a GPU job keeps the
 * worker's CPU mostly idle), submitted and published by the real coordinator (upload, sha256 check, rename).
 * Every N gets the same number of jobs per worker, timed from the first submit to the last published file.
 * Goal: N workers give at least 0.9 x N the throughput of one.
 *
 * Part of `npm run bench`; alone: `npm run bench -- --farm-only` or `node bin/run-ts.js bench/farm.ts`.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { farmTokenOf } from "../helper-service/farm/commands.js";
import { FarmCoordinator } from "../helper-service/farm/coordinator.js";
import type { RenderJob } from "../helper-service/render/generator.js";
import { silentLogger } from "../helper-service/server/log.js";
import { GenerationRequestSchema } from "../shared/protocol.js";
import { RedisServer, startWorker, stopWorker, type WorkerProcess } from "../tests/farm/processes.js";

const JOBS_PER_WORKER = 6;
/** 10 steps of 100 ms: one job is about a second of "GPU" time. */
const PROMPT = "bench take #steps:10 #ms:100";

export interface FarmBench {
  jobs_per_worker: number;
  job_seconds_nominal: number;
  runs: { workers: number; jobs: number; seconds: number; jobs_per_second: number; scaling: number }[];
  goal: string;
  met: boolean;
}

async function timedRun(redis: RedisServer, dataDir: string, workerCount: number): Promise<{ jobs: number; seconds: number }> {
  const { token, path: tokenFile } = farmTokenOf(dataDir);
  const out = await mkdtemp(join(tmpdir(), "tessera-farm-bench-out-"));
  const coordinator = await FarmCoordinator.start({ connection: { url: redis.url }, token, endpoint: { host: "127.0.0.1", port: 0 }, reconcileMs: 1000, log: silentLogger() });
  const workers: WorkerProcess[] = [];
  try {
    workers.push(...(await Promise.all(Array.from({ length: workerCount }, (_, i) => startWorker(redis, { name: `bench-${workerCount}-${i + 1}`, tokenFile })))));
    const jobs = workerCount * JOBS_PER_WORKER;
    const hooks = { onProgress: () => undefined, onPreview: () => undefined, onNotice: () => undefined };
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: jobs }, (_, i) => {
        const request = GenerationRequestSchema.parse({ prompt: `${PROMPT} ${i}`, seed: i, frames: 12, fps: { num: 24, den: 1 }, width: 64, height: 32 });
        const job: RenderJob = { jobId: randomUUID(), attempt: 1, request, output: { folder: out } };
        return coordinator.run(job, hooks);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const failed = outcomes.filter((o) => o.kind !== "done");
    if (failed.length) throw new Error(`${failed.length} of ${jobs} bench jobs did not finish: ${JSON.stringify(failed[0])}`);
    return { jobs, seconds };
  } finally {
    await Promise.all(workers.map(stopWorker));
    await coordinator.close();
    await rm(out, { recursive: true, force: true });
  }
}

export async function farmThroughput(): Promise<FarmBench> {
  const redis = await RedisServer.start();
  const dataDir = await mkdtemp(join(tmpdir(), "tessera-farm-bench-"));
  const runs: FarmBench["runs"] = [];
  try {
    for (const workers of [1, 2, 4]) {
      const { jobs, seconds } = await timedRun(redis, dataDir, workers);
      const jobsPerSecond = jobs / seconds;
      const scaling = runs[0] ? jobsPerSecond / runs[0].jobs_per_second / workers : 1;
      runs.push({ workers, jobs, seconds: round(seconds), jobs_per_second: round(jobsPerSecond), scaling: round(scaling) });
    }
  } finally {
    await redis.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(redis.dir, { recursive: true, force: true });
  }
  return { jobs_per_worker: JOBS_PER_WORKER, job_seconds_nominal: 1, runs, goal: "scaling >= 0.9 for N = 2 and 4", met: runs.every((r) => r.scaling >= 0.9) };
}

const round = (x: number) => Number(x.toFixed(3));

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await farmThroughput();
  process.stdout.write(`${JSON.stringify({ metric: "farm_throughput", value: result })}\n`);
  process.exit(0);
}
