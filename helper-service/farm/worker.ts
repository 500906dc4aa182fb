/**
 * `tessera worker --farm URL`: takes render jobs from the farm queue (BullMQ on Redis) in order and priority
 * and runs each in the same inference child process a local helper uses (jobs/worker.ts), one per --concurrency
 * slot. Progress goes back as small BullMQ progress payloads, previews on a Redis channel of their own
 * (throttled), and the file to the coordinator over HTTP(S) or into the shared folder. Cancel arrives on a
 * Redis channel (and a key, read again every half second, in case a message was missed) and ends the job within
 * the child's cancel grace. A job this worker cannot run (a model it lacks, a newer farm protocol) goes back to
 * the queue for another worker; a crash is retried by BullMQ, a clean error is not.
 */
import { createHash } from "node:crypto";
import { mkdirSync, rmSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { basename, join } from "node:path";
import { DelayedError, UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { TesseraError, toErrorBody, type ErrorBody } from "../../shared/errors.js";
import { WorkerHost, type Outcome } from "../jobs/worker.js";
import type { GeneratorInfo, PreviewImage, Progress, RenderJob } from "../render/generator.js";
import { dataPaths, packageVersion } from "../server/data-dir.js";
import type { Logger } from "../server/log.js";
import { connect, FARM_PROTOCOL, farmKeys, ping, PREFIX, QUEUE_NAME, type FarmConnection } from "./connection.js";
import { encodePreview } from "../../shared/preview-header.js";
import { CoordinatorRecordSchema, encodeError, FarmJobDataSchema, packProgress, type Delivery, type EngineReport, type FarmResult, type WorkerRecord } from "./messages.js";
import { uploadFile } from "./uploader.js";
import { describeSelection, offeredModels, type EngineSelection } from "./engines.js";

export interface FarmWorkerOptions {
  connection: FarmConnection;
  name?: string;
  dataDir: string;
  modelDirs: string[];
  /** The engines whose models this worker runs (`--engine`). */
  engines: EngineSelection;
  /** A GeneratorFactory module instead of the engine's (tests, scripted generators). */
  generatorModule?: string;
  concurrency: number;
  /** The farm token, for http delivery. */
  token?: string;
  /** CA file for the coordinator's https endpoint. */
  uploadCaFile?: string;
  /** This machine's mount of the shared output folder (shared delivery). */
  sharedDir?: string;
  /** BullMQ lock time: a worker that stops renewing it for this long is treated as dead (default 30 s). */
  lockMs?: number;
  log: Logger;
}

export interface FarmWorker {
  name: string;
  info: GeneratorInfo;
  /** The engine servers' state at start. */
  engines: EngineReport[];
  close(force?: boolean): Promise<void>;
}

const PROGRESS_EVERY_MS = 250;
const PREVIEW_EVERY_MS = 500;
const MAX_PREVIEW_BYTES = 256 * 1024;
/** How often a job another worker should take may come back here before it fails for good. */
const MAX_REFUSALS = 120;

/** Outcomes BullMQ may retry: the process died, hung, or the file did not get through. */
function retryable(error: ErrorBody): boolean {
  return error.code === "E_TIMEOUT" || error.code === "E_FARM_DELIVERY" || error.code === "E_WORKER_CRASHED";
}

export async function startFarmWorker(options: FarmWorkerOptions): Promise<FarmWorker> {
  const { log } = options;
  const name = options.name ?? `${hostname()}-${process.pid}`;
  const version = packageVersion();
  const redis = connect(options.connection, { connectionName: `tessera-worker:${name}` });
  await ping(redis, options.connection).catch(async (error: unknown) => {
    redis.disconnect();
    throw error;
  });
  await checkCoordinator(redis, version).catch((error: unknown) => {
    redis.disconnect();
    throw error;
  });

  const paths = dataPaths(options.dataDir);
  const hosts = Array.from(
    { length: options.concurrency },
    () =>
      new WorkerHost({
        config: { dataDir: options.dataDir, modelDirs: options.modelDirs, policyPath: paths.policy, worker: name },
        generatorModule: options.generatorModule,
        log,
      }),
  );
  let info: GeneratorInfo;
  try {
    const all = (await Promise.all(hosts.map((h) => h.start())))[0]!;
    // only what the chosen engines run is advertised, so jobs for the rest go to other workers
    info = { ...all, models: offeredModels(all.models, options.engines) };
    if (info.models.length === 0) {
      throw new TesseraError("E_MODEL_NOT_FOUND", `This worker has no model to run with --engine ${describeSelection(options.engines) || "(none)"}.`, {
        hint: "Install a model package (--model DIR) or add a ComfyUI engine (`tessera engines add comfyui URL --name NAME`) in the worker's data folder.",
      });
    }
  } catch (error) {
    await Promise.all(hosts.map((h) => h.stop(0)));
    redis.disconnect();
    throw error;
  }
  const idle = [...hosts];
  /** Jobs on this worker; `stop(true)` is a cancel from the panel, `stop(false)` this worker going away. */
  const running = new Map<string, { host: WorkerHost; stop(byUser: boolean): void; byUser: boolean }>();
  let done = 0;
  const startedAt = new Date().toISOString();
  let engines = await engineReports(options.dataDir, options.engines);
  for (const e of engines) if (!e.reachable) log.warn({ engine: e.name, detail: e.detail }, "engine server not reachable; its jobs fail until it is");

  const record = (): WorkerRecord => ({
    name,
    host: hostname(),
    pid: process.pid,
    version,
    protocol: FARM_PROTOCOL,
    engine: describeSelection(options.engines),
    device: info.device,
    engines,
    models: info.models,
    concurrency: options.concurrency,
    running: [...running.keys()],
    done,
    startedAt,
    seenAt: new Date().toISOString(),
  });
  const heartbeat = async (): Promise<void> => {
    await redis.multi().sadd(farmKeys.workers, name).set(farmKeys.worker(name), JSON.stringify(record()), "EX", 15).exec();
  };
  await heartbeat();
  const beat = setInterval(() => void heartbeat().catch(() => undefined), 5000);
  // the engine servers' state (reachable, GPU, VRAM) for farm status and for refusing jobs of a server that is
  // down: checked every minute, and every few seconds while one is down, so the worker takes its jobs again soon
  let engineCheck: Promise<void> | undefined;
  let engineCheckedAt = Date.now();
  const engineBeat = setInterval(() => {
    if (engineCheck || (engines.every((e) => e.reachable) && Date.now() - engineCheckedAt < 60_000)) return;
    engineCheckedAt = Date.now();
    engineCheck = engineReports(options.dataDir, options.engines)
      .then((r) => void (engines = r), () => undefined)
      .finally(() => (engineCheck = undefined));
  }, 5000);

  // Cancel requests for jobs running here.
  const subscriber = redis.duplicate({ connectionName: `tessera-worker-sub:${name}` });
  subscriber.on("error", () => undefined);
  await subscriber.subscribe(farmKeys.cancelChannel);
  subscriber.on("message", (_channel: string, jobId: string) => running.get(jobId)?.stop(true));

  const spool = join(options.dataDir, "farm-spool");

  const refuse = async (job: Job, token: string | undefined, reason: string): Promise<never> => {
    const refusals = await redis.incr(`${PREFIX}:farm:refused:${job.id}`);
    await redis.expire(`${PREFIX}:farm:refused:${job.id}`, 86_400);
    await job.log(`${name} refused it: ${reason}`).catch(() => undefined);
    if (refusals > MAX_REFUSALS) throw new UnrecoverableError(encodeError(toErrorBody(new TesseraError("E_FARM_NO_WORKER", `Every worker that took it refused: ${reason}`))));
    log.warn({ jobId: job.id, reason }, "job refused; back to the queue for another worker");
    // Back in the queue shortly; another worker (or this one, once it changed) takes it.
    await job.moveToDelayed(Date.now() + 1000, token);
    throw new DelayedError();
  };

  const processor = async (job: Job, token?: string, signal?: AbortSignal): Promise<FarmResult> => {
    const jobId = job.id!;
    const raw = job.data as { protocol?: unknown };
    if (raw.protocol !== FARM_PROTOCOL) {
      log.error({ jobId, jobProtocol: raw.protocol, workerProtocol: FARM_PROTOCOL, version }, "this worker's Tessera version cannot run the job: upgrade it");
      return refuse(job, token, `worker ${version} speaks farm protocol ${FARM_PROTOCOL}, the job needs ${String(raw.protocol)}`);
    }
    const parsed = FarmJobDataSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(encodeError(toErrorBody(new TesseraError("E_BAD_MESSAGE", "The farm job's data is unreadable."))));
    const { request, delivery } = parsed.data;
    if (request.modelId && !info.models.some((m) => m.id === request.modelId)) {
      return refuse(job, token, `it has no model ${request.modelId} (it has ${info.models.map((m) => m.id).join(", ") || "none"})`);
    }
    // a worker whose engine server is down leaves that engine's jobs to workers whose server is up
    const engineName = info.models.find((m) => m.id === request.modelId)?.engine;
    const down = engines.find((e) => e.name === engineName && !e.reachable);
    if (down) return refuse(job, token, `its engine server ${down.name} (${down.url}) is not reachable`);
    if (delivery.kind === "shared" && !options.sharedDir) return refuse(job, token, "the job is delivered through the shared folder, and this worker has no --shared-dir");
    if (delivery.kind === "http" && !options.token) return refuse(job, token, "the job is delivered over HTTP, and this worker has no farm token");
    if (await redis.exists(farmKeys.cancel(jobId))) throw new UnrecoverableError(encodeError(toErrorBody(new TesseraError("E_CANCELLED"))));

    const host = idle.pop();
    if (!host) throw new Error("no free generator slot"); // BullMQ's concurrency equals the number of slots
    const key = createHash("sha256").update(token ?? `${name}:${jobId}:${job.attemptsMade}`).digest("hex").slice(0, 16);
    const folder = delivery.kind === "shared" ? join(options.sharedDir!, jobId, key) : join(spool, jobId, key);
    mkdirSync(folder, { recursive: true });
    const renderJob: RenderJob = { jobId, attempt: job.attemptsMade + 1, request, output: { folder } };
    const abort = new AbortController();
    const entry = {
      host,
      byUser: false,
      stop(byUser: boolean): void {
        entry.byUser ||= byUser;
        abort.abort();
        host.cancel(jobId);
      },
    };
    // BullMQ aborts when this worker lost the job's lock: not the user's cancel, the job runs again elsewhere
    const lost = (): void => entry.stop(false);
    running.set(jobId, entry);
    signal?.addEventListener("abort", lost);
    const poll = setInterval(() => {
      void redis.exists(farmKeys.cancel(jobId)).then((n) => n && entry.stop(true), () => undefined);
    }, 500);
    log.info({ jobId, attempt: renderJob.attempt }, "farm job started");
    try {
      const outcome = await host.run(renderJob, hooksFor(jobId));
      return await settle(job, outcome, key, delivery, abort.signal, entry);
    } finally {
      clearInterval(poll);
      signal?.removeEventListener("abort", lost);
      running.delete(jobId);
      idle.push(host);
      if (delivery.kind === "http") rmSync(join(spool, jobId, key), { recursive: true, force: true });
      void heartbeat().catch(() => undefined);
    }

    function hooksFor(id: string) {
      let lastProgress = 0;
      let lastPhase: Progress["phase"] | undefined;
      let lastPreview = 0;
      return {
        onProgress: (progress: Progress) => {
          const now = Date.now();
          if (progress.phase === lastPhase && now - lastProgress < PROGRESS_EVERY_MS && progress.fraction < 1) return;
          lastProgress = now;
          lastPhase = progress.phase;
          void job.updateProgress(packProgress(name, progress)).catch(() => undefined);
        },
        onPreview: (preview: PreviewImage) => {
          const now = Date.now();
          if (now - lastPreview < PREVIEW_EVERY_MS || preview.jpeg.byteLength > MAX_PREVIEW_BYTES) return;
          lastPreview = now;
          const message = encodePreview({ jobId: id, frameIndex: preview.frameIndex, width: preview.width, height: preview.height, format: "jpeg" }, preview.jpeg);
          void redis.publish(farmKeys.previewChannel, Buffer.from(message)).catch(() => undefined);
        },
        onNotice: (level: "info" | "warning", message: string) => void job.log(`${level}: ${message}`).catch(() => undefined),
      };
    }
  };

  const settle = async (job: Job, outcome: Outcome, key: string, delivery: Delivery, signal: AbortSignal, entry: { byUser: boolean }): Promise<FarmResult> => {
    const run = `${name} run ${job.attemptsMade + 1}`;
    const note = (text: string) => job.log(`${run}: ${text}`).catch(() => undefined);
    try {
      const result = await deliver(job, outcome, key, delivery, signal, entry);
      await note(`delivered ${result.bytes} bytes, sha256 ${result.output.sha256.slice(0, 12)}`);
      return result;
    } catch (error) {
      await note((error as Error).message.replace(/^tessera-error /, ""));
      throw error;
    }
  };

  const deliver = async (job: Job, outcome: Outcome, key: string, delivery: Delivery, signal: AbortSignal, entry: { byUser: boolean }): Promise<FarmResult> => {
    const jobId = job.id!;
    if (outcome.kind === "cancelled" && !entry.byUser) throw new Error(encodeError(toErrorBody(new TesseraError("E_WORKER_CRASHED", `Worker ${name} stopped before the job finished.`))));
    if (outcome.kind === "cancelled") throw new UnrecoverableError(encodeError(toErrorBody(new TesseraError("E_CANCELLED"))));
    if (outcome.kind === "crashed") throw new Error(encodeError(toErrorBody(new TesseraError("E_WORKER_CRASHED", `${outcome.reason} (on ${name})`))));
    if (outcome.kind === "failed") {
      if (retryable(outcome.error)) throw new Error(encodeError(outcome.error));
      throw new UnrecoverableError(encodeError(outcome.error));
    }
    const { output } = outcome;
    const bytes = statSync(output.path).size;
    log.info({ jobId, bytes, delivery: delivery.kind }, "farm job rendered; delivering");
    if (delivery.kind === "http") {
      try {
        await uploadFile({
          url: `${delivery.url.replace(/\/$/, "")}/farm/v1/uploads/${jobId}/${key}`,
          token: options.token!,
          file: output.path,
          sha256: output.sha256,
          caFile: options.uploadCaFile,
          signal,
        });
      } catch (error) {
        const body = toErrorBody(error);
        if (body.code === "E_CANCELLED" && entry.byUser) throw new UnrecoverableError(encodeError(body));
        throw new Error(encodeError(body));
      }
    }
    done++;
    log.info({ jobId, bytes }, "farm job delivered");
    return { output, bytes, deliveryKey: key, fileName: basename(output.path), worker: name };
  };

  const lockDuration = options.lockMs ?? 30_000;
  const worker = new Worker(QUEUE_NAME, processor, {
    connection: redis,
    prefix: PREFIX,
    concurrency: options.concurrency,
    name,
    lockDuration,
    stalledInterval: Math.max(1000, Math.round(lockDuration / 2)),
    maxStalledCount: 2,
    drainDelay: 1,
  });
  worker.on("error", (error) => log.warn({ err: error.message }, "farm worker error"));
  worker.on("failed", (job, error) => log.warn({ jobId: job?.id, reason: error.message.slice(0, 300) }, "farm job failed"));
  await worker.waitUntilReady();
  log.info({ name, device: info.device, models: info.models.map((m) => m.id), concurrency: options.concurrency }, "farm worker ready");

  let closing: Promise<void> | undefined;
  const close = (force = false): Promise<void> => {
    // forced (also after an unforced close began): the running jobs stop now and go back to the queue for
    // another worker (a retry, not a cancel); unforced, they finish first
    if (force) for (const r of running.values()) r.stop(false);
    return (closing ??= (async () => {
      clearInterval(beat);
      clearInterval(engineBeat);
      await worker.close();
      await subscriber.quit().catch(() => undefined);
      await redis.multi().srem(farmKeys.workers, name).del(farmKeys.worker(name)).exec().catch(() => undefined);
      await Promise.all(hosts.map((h) => h.stop()));
      await redis.quit().catch(() => undefined);
    })());
  };
  return { name, info, engines, close };
}

/** The ComfyUI servers this worker drives, as farm status shows them; no request when it drives none. */
async function engineReports(dataDir: string, selection: EngineSelection): Promise<EngineReport[]> {
  if (selection.comfyui.length === 0) return [];
  const { allEngineStatuses } = await import("../engines/comfyui/status.js");
  const statuses = await allEngineStatuses(dataDir);
  return statuses.filter((s) => selection.comfyui.includes(s.name)).map(({ name, url, reachable, detail }) => ({ name, url, reachable, detail }));
}

/** A coordinator of another farm protocol is named at start, instead of failing every job later. */
async function checkCoordinator(redis: Redis, version: string): Promise<void> {
  const text = await redis.get(farmKeys.coordinator);
  if (!text) return;
  const parsed = CoordinatorRecordSchema.safeParse(JSON.parse(text));
  if (!parsed.success || parsed.data.protocol === FARM_PROTOCOL) return;
  throw new TesseraError(
    "E_FARM_VERSION",
    `This worker is Tessera ${version} (farm protocol ${FARM_PROTOCOL}); the helper on this farm is ${parsed.data.version} (farm protocol ${parsed.data.protocol}).`,
  );
}
