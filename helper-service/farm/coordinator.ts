/**
 * The helper's side of the farm: a Runner (jobs/worker.ts) that hands each job to the farm queue instead of the
 * local inference process. Our job id is BullMQ's jobId, so submitting again (after a reconnect or a restart of
 * this helper) finds the same job instead of making a second. The job queue keeps the SQLite journal and the
 * panel connection as for local jobs; this class relays progress and previews, carries cancels to the workers,
 * and publishes the delivered file only after its size and sha256 match what the worker reported.
 *
 * BullMQ's event stream is best-effort, so events only hurry things along: every job's state is also read back
 * from Redis every few seconds, which is also how a Redis restart or a missed event is caught up with.
 */
import { copyFile, rename, rm, stat } from "node:fs/promises";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { basename, dirname, extname, join } from "node:path";
import { Queue, QueueEvents, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { TesseraError, toErrorBody, type ErrorBody } from "../../shared/errors.js";
import type { ModelInfo } from "../../shared/protocol.js";
import type { Outcome, RunHooks, Runner } from "../jobs/worker.js";
import type { GeneratorInfo, RenderJob } from "../render/generator.js";
import { finalPathOf, outputFolderOf } from "../render/output-files.js";
import { packageVersion } from "../server/data-dir.js";
import type { Logger } from "../server/log.js";
import { connect, FARM_PROTOCOL, farmKeys, ping, PREFIX, QUEUE_NAME, type FarmConnection } from "./connection.js";
import { decodePreview } from "../../shared/preview-header.js";
import { decodeError, FarmProgressSchema, FarmResultSchema, unpackProgress, type Delivery, type FarmJobData, type FarmResult } from "./messages.js";
import { sha256File, startReceiver, type Receiver } from "./receiver.js";
import { liveWorkers } from "./status.js";

/** Marks a file a worker uploaded and nobody published yet (hidden, next to where it will be published). */
export const FARM_UPLOAD_MARK = ".tessera-farm-";

export interface CoordinatorOptions {
  connection: FarmConnection;
  /** Shared secret the workers present when they deliver files. */
  token: string;
  /** The HTTP(S) endpoint workers deliver to; absent with a shared folder. */
  endpoint?: { host: string; port: number; advertise?: string; tls?: { certFile: string; keyFile: string } };
  /** This machine's mount of the folder the workers write into (shared delivery). */
  sharedDir?: string;
  /** Runs of one job before it fails (crashes, lost workers, failed deliveries). */
  attempts?: number;
  /** How often every waiting job's state is read back from Redis. */
  reconcileMs?: number;
  log: Logger;
}

interface Waiter {
  job: RenderJob;
  hooks: RunHooks;
  resolve(outcome: Outcome): void;
  runsOn: string | undefined;
  cancelled: boolean;
  settling: boolean;
}

const PRIORITY = { high: 1, normal: 10, low: 100 } as const;
export const WAITING = "waiting for a farm worker";

export class FarmCoordinator implements Runner {
  private readonly waiters = new Map<string, Waiter>();
  private reconcileTimer: NodeJS.Timeout | undefined;
  private beatTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private infoCache: GeneratorInfo | undefined;

  private constructor(
    private readonly options: CoordinatorOptions,
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly eventsConnection: Redis,
    private readonly receiver: Receiver | undefined,
    private readonly delivery: Delivery,
  ) {}

  static async start(options: CoordinatorOptions): Promise<FarmCoordinator> {
    if (!options.sharedDir && !options.endpoint) throw new TesseraError("E_BAD_REQUEST", "The farm needs a delivery: --farm-listen (HTTP) or --farm-shared-dir.");
    const redis = connect(options.connection, { connectionName: "tessera-helper" });
    try {
      await ping(redis, options.connection);
    } catch (error) {
      redis.disconnect();
      throw error;
    }
    const subscriber = redis.duplicate({ connectionName: "tessera-helper-sub" });
    subscriber.on("error", () => undefined);
    const queue = new Queue(QUEUE_NAME, { connection: redis, prefix: PREFIX });
    queue.on("error", () => undefined);
    const eventsConnection = redis.duplicate({ connectionName: "tessera-helper-events" });
    eventsConnection.on("error", () => undefined);
    const events = new QueueEvents(QUEUE_NAME, { connection: eventsConnection, prefix: PREFIX, autorun: true });
    events.on("error", () => undefined);
    let coordinator: FarmCoordinator | undefined; // the receiver asks it, so it exists before the coordinator
    let receiver: Receiver | undefined;
    let delivery: Delivery;
    try {
      if (options.sharedDir) delivery = { kind: "shared" };
      else {
        const endpoint = options.endpoint!;
        receiver = await startReceiver({
          token: options.token,
          host: endpoint.host,
          port: endpoint.port,
          tls: endpoint.tls,
          target: (jobId, key) => coordinator?.uploadTarget(jobId, key),
          log: options.log,
        }).catch((error: NodeJS.ErrnoException) => {
          const busy = error.code === "EADDRINUSE" ? `port ${endpoint.port} is in use` : error.message;
          throw new TesseraError("E_BAD_REQUEST", `The farm delivery endpoint cannot listen on ${endpoint.host}:${endpoint.port}: ${busy}.`, { hint: "Choose another address or port with --farm-listen HOST:PORT." });
        });
        const scheme = endpoint.tls ? "https" : "http";
        delivery = { kind: "http", url: endpoint.advertise ?? `${scheme}://${advertisedHost(endpoint.host)}:${receiver.port}` };
      }
      coordinator = new FarmCoordinator(options, redis, subscriber, queue, events, eventsConnection, receiver, delivery);
      await coordinator.listen();
      return coordinator;
    } catch (error) {
      await (coordinator?.close() ?? Promise.all([receiver?.close(), events.close(), queue.close()]).catch(() => undefined));
      for (const connection of [subscriber, eventsConnection, redis]) connection.disconnect();
      throw error;
    }
  }

  /** Where workers deliver, as the job data names it. */
  get deliveryUrl(): string | undefined {
    return this.delivery.kind === "http" ? this.delivery.url : undefined;
  }

  get receiverPort(): number | undefined {
    return this.receiver?.port;
  }

  private async listen(): Promise<void> {
    this.events.on("progress", ({ jobId, data }) => this.onProgress(jobId, data));
    this.events.on("completed", ({ jobId }) => void this.check(jobId));
    this.events.on("failed", ({ jobId }) => void this.check(jobId));
    this.events.on("removed", ({ jobId }) => void this.check(jobId));
    this.events.on("active", ({ jobId }) => this.onProgress(jobId, undefined));
    this.subscriber.on("messageBuffer", (_channel: Buffer, message: Buffer) => {
      const preview = decodePreview(message);
      if (!preview.ok) return;
      const { jobId, frameIndex, width, height } = preview.header;
      this.waiters.get(jobId)?.hooks.onPreview({ frameIndex, width, height, jpeg: preview.image });
    });
    await this.subscriber.subscribe(farmKeys.previewChannel);
    const beat = async (): Promise<void> => {
      const record = { version: packageVersion(), protocol: FARM_PROTOCOL, seenAt: new Date().toISOString() };
      await this.redis.set(farmKeys.coordinator, JSON.stringify(record), "EX", 60);
    };
    await beat();
    // the record, and the workers and models the panel is shown (workers come and go)
    this.beatTimer = setInterval(() => void Promise.all([beat(), this.refreshInfo()]).catch(() => undefined), 10_000);
    this.reconcileTimer = setInterval(() => void this.reconcile(), this.options.reconcileMs ?? 3000);
  }

  /** The partial name an upload of this job under this key is written to; undefined for unknown jobs. */
  uploadTarget(jobId: string, key: string): string | undefined {
    const waiter = this.waiters.get(jobId);
    return waiter ? uploadPath(waiter.job, key) : undefined;
  }

  async run(job: RenderJob, hooks: RunHooks): Promise<Outcome> {
    if (job.request.output.format === "png" && this.delivery.kind === "http") {
      return failed(new TesseraError("E_BAD_REQUEST", "PNG sequences from the farm need a shared folder (--farm-shared-dir); choose H.264 or ProRes."));
    }
    const outcome = new Promise<Outcome>((resolve) => {
      this.waiters.set(job.jobId, { job, hooks, resolve, runsOn: undefined, cancelled: false, settling: false });
    });
    try {
      await this.refuseUnknownModel(job);
      const data: FarmJobData = { protocol: FARM_PROTOCOL, helperVersion: packageVersion(), request: job.request, delivery: this.delivery };
      await this.queue.add("render", data, {
        jobId: job.jobId,
        priority: PRIORITY[job.request.priority ?? "normal"],
        attempts: this.options.attempts ?? 3,
        backoff: { type: "exponential", delay: 1000 },
        // Kept a week: the id keeps deduplicating, and a restarted helper still finds the result.
        removeOnComplete: { age: 7 * 86_400 },
        removeOnFail: { age: 7 * 86_400 },
        keepLogs: 50,
      });
      this.options.log.info({ jobId: job.jobId }, "job submitted to the farm");
      // until a worker reports, the panel shows that the job waits for one (not that it is starting here)
      if (!this.waiters.get(job.jobId)?.runsOn) hooks.onPlacement?.(WAITING);
      void this.check(job.jobId);
    } catch (error) {
      this.settle(job.jobId, failed(error));
    }
    return outcome;
  }

  cancel(jobId: string): void {
    const waiter = this.waiters.get(jobId);
    if (!waiter || waiter.cancelled) return;
    waiter.cancelled = true;
    void (async () => {
      await this.redis.set(farmKeys.cancel(jobId), "1", "EX", 86_400);
      await this.redis.publish(farmKeys.cancelChannel, jobId);
      // A job no worker has taken yet can simply go; a running one is stopped by its worker.
      const job = await this.queue.getJob(jobId);
      const state = job ? await job.getState() : "unknown";
      if (job && (state === "waiting" || state === "delayed" || state === "prioritized")) await job.remove().catch(() => undefined);
      await this.check(jobId);
    })().catch((error: unknown) => this.options.log.warn({ jobId, err: (error as Error).message }, "farm cancel not delivered yet"));
  }

  private onProgress(jobId: string, data: unknown): void {
    const waiter = this.waiters.get(jobId);
    if (!waiter) return;
    const parsed = FarmProgressSchema.safeParse(data);
    if (!parsed.success) return;
    if (parsed.data.w !== waiter.runsOn) {
      waiter.runsOn = parsed.data.w;
      waiter.hooks.onPlacement?.(`farm worker ${parsed.data.w}`);
    }
    waiter.hooks.onProgress(unpackProgress(parsed.data));
  }

  private async reconcile(): Promise<void> {
    for (const jobId of [...this.waiters.keys()]) {
      if (this.closed) return;
      await this.check(jobId);
    }
  }

  /** Reads the job's state from Redis and settles the waiter when the job has finished one way or another. */
  private async check(jobId: string): Promise<void> {
    const waiter = this.waiters.get(jobId);
    if (!waiter || waiter.settling) return;
    let job: Job | undefined;
    let state: string;
    try {
      // state first, then the job: a job read before its state could be one that finished in between
      state = await this.queue.getJobState(jobId);
      job = state === "unknown" ? undefined : await this.queue.getJob(jobId);
      if (!job) state = "missing";
    } catch {
      return; // Redis is away: the next round tries again
    }
    if (state === "missing") {
      if (waiter.cancelled) this.settle(jobId, { kind: "cancelled" });
      return;
    }
    if (state === "active" && job && waiter.runsOn === undefined) this.onProgress(jobId, job.progress);
    if (!job || (state !== "completed" && state !== "failed") || waiter.settling) return;
    waiter.settling = true; // from here on one check settles the job; others return above
    await this.record(waiter, job);
    if (state === "completed") {
      this.settle(jobId, await this.publish(waiter.job, job).catch((error: unknown) => failed(error)));
      return;
    }
    const error = decodeError(job.failedReason);
    if (error.code === "E_CANCELLED" || waiter.cancelled) this.settle(jobId, { kind: "cancelled" });
    else this.settle(jobId, { kind: "failed", error: this.withAttempts(error, job) });
  }

  /** Puts what the workers logged about each run (and runs lost with a worker) into the job's journal. */
  private async record(waiter: Waiter, job: Job): Promise<void> {
    const { logs } = await this.queue.getJobLogs(job.id!, 0, 49).catch(() => ({ logs: [] as string[] }));
    // a worker that refused the job several times while the right one was busy: one line, with the count
    const counted = new Map<string, number>();
    for (const line of logs) counted.set(line, (counted.get(line) ?? 0) + 1);
    for (const [line, n] of counted) waiter.hooks.onRecord?.(`farm: ${line}${n > 1 ? ` (${n} times)` : ""}`);
    const lost = job.stalledCounter ? `, ${job.stalledCounter} lost with a worker that stopped answering` : "";
    waiter.hooks.onRecord?.(`farm: ${job.attemptsMade || 1} run(s)${lost}`);
  }

  private withAttempts(error: ErrorBody, job: Job): ErrorBody {
    if (job.attemptsMade <= 1) return error;
    return { ...error, message: `${error.message} (after ${job.attemptsMade} attempts on the farm)` };
  }

  private settle(jobId: string, outcome: Outcome): void {
    const waiter = this.waiters.get(jobId);
    if (!waiter) return;
    this.waiters.delete(jobId);
    if (outcome.kind !== "done") sweepUploads(waiter.job);
    waiter.resolve(outcome);
  }

  /** Checks the delivered file against the worker's report and publishes it under its final name. */
  private async publish(renderJob: RenderJob, job: Job): Promise<Outcome> {
    const parsed = FarmResultSchema.safeParse(job.returnvalue);
    if (!parsed.success) throw new TesseraError("E_FARM_DELIVERY", "The worker's report of the finished file is unreadable.");
    const result: FarmResult = parsed.data;
    const finalPath = finalPathOf(renderJob);
    const expected = result.output.sha256;
    // Published already (this helper stopped between the rename and the journal): the file itself says so.
    if (existsSync(finalPath) && (await sha256File(finalPath)) === expected) return this.delivered(renderJob, result, finalPath);
    let source = uploadPath(renderJob, result.deliveryKey);
    if (this.delivery.kind === "shared") {
      const shared = join(this.options.sharedDir!, renderJob.jobId, result.deliveryKey, result.fileName ?? "");
      if (!existsSync(shared)) throw new TesseraError("E_FARM_DELIVERY", `The worker's file is not in the shared folder (${shared}).`, { hint: "Both sides must mount the same share: check --farm-shared-dir here and --shared-dir on the worker." });
      await copyFile(shared, source);
    }
    if (!existsSync(source)) throw new TesseraError("E_FARM_DELIVERY", "The worker reported a file that never arrived here.");
    const bytes = (await stat(source)).size;
    const actual = await sha256File(source);
    if (bytes !== result.bytes || actual !== expected) {
      await rm(source, { force: true });
      throw new TesseraError("E_FARM_DELIVERY", `The file arrived with ${bytes} bytes and sha256 ${actual.slice(0, 12)}…, the worker sent ${result.bytes} bytes and ${expected.slice(0, 12)}….`);
    }
    await rename(source, finalPath);
    // the sidecar record next to the clip, as a local job has it (the file carries it as XMP already)
    const { writeSidecar } = await import("../media/metadata.js");
    await writeSidecar(finalPath, result.output.record);
    if (this.delivery.kind === "shared") rmSync(join(this.options.sharedDir!, renderJob.jobId), { recursive: true, force: true });
    source = finalPath;
    return this.delivered(renderJob, result, source);
  }

  private delivered(renderJob: RenderJob, result: FarmResult, path: string): Outcome {
    sweepUploads(renderJob);
    this.options.log.info({ jobId: renderJob.jobId, worker: result.worker, bytes: result.bytes }, "farm output checked and published");
    return { kind: "done", output: { ...result.output, path } };
  }

  /** A job naming a model that no live worker has fails now, with the models the farm does have. */
  private async refuseUnknownModel(job: RenderJob): Promise<void> {
    const modelId = job.request.modelId;
    if (!modelId) return;
    const workers = await liveWorkers(this.redis);
    if (workers.length === 0 || workers.some((w) => w.models.some((m) => m.id === modelId))) return;
    const have = [...new Set(workers.flatMap((w) => w.models.map((m) => m.id)))].join(", ") || "none";
    throw new TesseraError("E_FARM_NO_WORKER", `No worker has model ${modelId}; the farm has: ${have}.`);
  }

  /** The farm as the panel sees a device: the workers' devices, and every model some worker has. */
  async refreshInfo(): Promise<GeneratorInfo> {
    const workers = await liveWorkers(this.redis).catch(() => []);
    const models = new Map<string, ModelInfo>();
    for (const w of workers) for (const m of w.models) if (!models.has(m.id)) models.set(m.id, m);
    const devices = [...new Set(workers.map((w) => w.device))].join(", ");
    this.infoCache = {
      device: workers.length ? `farm: ${workers.length} worker${workers.length > 1 ? "s" : ""} (${devices})` : "farm: no worker online",
      models: [...models.values()],
      notices: workers.length ? [] : ["No farm worker is online yet: jobs wait in the farm queue until one starts."],
    };
    return this.infoCache;
  }

  get info(): GeneratorInfo | undefined {
    return this.infoCache;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reconcileTimer);
    clearInterval(this.beatTimer);
    await this.receiver?.close();
    await this.events.close().catch(() => undefined);
    // BullMQ leaves connections it was given open: they are ours to close
    this.eventsConnection.disconnect();
    await this.queue.close().catch(() => undefined);
    await this.subscriber.quit().catch(() => undefined);
    await this.redis.quit().catch(() => undefined);
    // Jobs still waiting stay in the journal as running; the next start finds them in the farm again.
  }
}

/** The address workers are told to deliver to: for "all interfaces", this machine's first LAN address. */
function advertisedHost(host: string): string {
  if (host !== "0.0.0.0" && host !== "::") return host.includes(":") ? `[${host}]` : host;
  const lan = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === "IPv4" && !i.internal);
  return lan?.address ?? "127.0.0.1";
}

function failed(error: unknown): Outcome {
  return { kind: "failed", error: toErrorBody(error) };
}

/** `.<final name>.tessera-farm-<key><ext>` in the job's output folder. */
function uploadPath(job: RenderJob, key: string): string {
  const finalPath = finalPathOf(job);
  const ext = extname(finalPath);
  return join(dirname(finalPath), `.${basename(finalPath, ext)}${FARM_UPLOAD_MARK}${key}${ext}`);
}

/** Removes the uploads of a job that were not published (other attempts, or a job that did not finish). */
function sweepUploads(job: RenderJob): void {
  const folder = outputFolderOf(job);
  if (!existsSync(folder)) return;
  const finalPath = finalPathOf(job);
  const prefix = `.${basename(finalPath, extname(finalPath))}${FARM_UPLOAD_MARK}`;
  for (const entry of readdirSync(folder)) if (entry.startsWith(prefix)) rmSync(join(folder, entry), { force: true });
}
