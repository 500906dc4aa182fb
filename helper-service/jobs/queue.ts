/**
 * The job queue: first in, first out, one job on the device at a time. Each transition is committed to the
 * store before the matching event goes out. A resent `generate` with a known clientJobId returns the existing
 * job instead of making a second one. After a crash (of the helper or of the generator process) a job that was
 * running is retried once, then failed with the reason; partial files of runs that did not finish are removed.
 */
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { TesseraError, type ErrorBody } from "../../shared/errors.js";
import type { GenerationRequest, HelperMessage, HelperMessageOf, JobPhase, QueueEntry } from "../../shared/protocol.js";
import type { PreviewImage, Progress, RenderJob } from "../render/generator.js";
import { removePartials } from "../render/output-files.js";
import type { AuditLog } from "../safety/audit.js";
import { promptSummary } from "../safety/audit.js";
import { toQueueEntry, type JobRecord, type JobStore } from "./store.js";
import type { Outcome, Runner } from "./worker.js";

export const MAX_ATTEMPTS = 2;

export interface QueueOptions {
  /** Folder for outputs of requests that name none. */
  defaultOutputFolder: string;
  maxQueued?: number;
  /** Jobs handed to the runner at once (1 for the local device; the farm takes them all and orders them itself). */
  concurrency?: number;
  /**
   * After a restart, hand jobs that were running back to the runner without counting an attempt: they still
   * run elsewhere (the farm, which bounds its own retries) and the runner finds them again by job id.
   */
  reattach?: boolean;
  audit?: AuditLog;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export interface QueueEvents {
  message: [HelperMessage];
  preview: [{ jobId: string } & PreviewImage];
}

export class JobQueue extends EventEmitter<QueueEvents> {
  private readonly current = new Map<string, { job: JobRecord; progress: Progress | undefined; runsOn?: string; done: Promise<void> }>();
  private pumping = false;
  private closed = false;

  constructor(
    private readonly store: JobStore,
    private readonly runner: Runner,
    private readonly options: QueueOptions,
  ) {
    super();
  }

  /**
   * Picks up where the last run stopped: jobs that were running when the helper died go back to the front of
   * the queue for their second attempt, or fail if that was it (committed at once, so `welcome` shows it); their
   * partial files are removed; then work starts.
   */
  async resume(): Promise<void> {
    const interrupted = this.store.inState("running");
    for (const job of interrupted) {
      if (this.options.reattach) {
        this.store.transition(job.jobId, "queued", { detail: "the helper restarted; finding the job on the farm again" });
      } else if (job.attempts < MAX_ATTEMPTS) {
        this.store.transition(job.jobId, "queued", { detail: "the helper stopped while it ran; retrying once" });
        this.options.audit?.write({ event: "retried", jobId: job.jobId, reason: "helper restarted" });
      } else {
        const error = bodyOf(new TesseraError("E_WORKER_CRASHED", "The helper stopped while it ran, on both attempts."));
        this.store.transition(job.jobId, "failed", { error });
        this.options.audit?.write({ event: "failed", jobId: job.jobId, code: error.code, reason: error.message });
      }
    }
    // Partial files go before any retry starts (a retry writes a new partial of the same name pattern).
    if (!this.options.reattach) for (const job of interrupted) await this.cleanup(job);
    this.schedule();
  }

  /** Stores a new job (or finds the one this clientJobId already made) and schedules it. */
  submit(clientJobId: string, request: GenerationRequest): { job: JobRecord; duplicate: boolean } {
    const existing = this.store.byClientJobId(clientJobId);
    if (existing) return { job: existing, duplicate: true };
    const queued = this.store.inState("queued").length;
    if (queued >= (this.options.maxQueued ?? 100)) throw new TesseraError("E_QUEUE_FULL", `${queued} jobs are waiting.`);
    const job = this.store.create({ jobId: randomUUID(), clientJobId, request });
    this.options.log?.info({ jobId: job.jobId, ...promptSummary(request.prompt) }, "job queued");
    // Announce after the caller has answered job.accepted, so the client hears about the job in order.
    setImmediate(() => {
      if (this.closed) return;
      this.announceQueued(job.jobId);
      this.schedule();
    });
    return { job, duplicate: false };
  }

  /** Cancels a queued job at once, a running one between steps (or by ending the process). */
  cancel(jobId: string, requestId?: string): void {
    const job = this.store.get(jobId);
    if (!job) throw new TesseraError("E_JOB_NOT_FOUND");
    if (job.state === "queued") {
      this.store.transition(jobId, "cancelled", { detail: "cancelled while queued" });
      this.options.audit?.write({ event: "cancelled", jobId });
      this.emit("message", { type: "job.cancelled", jobId, ...(requestId ? { requestId } : {}) });
      this.announcePositions();
      return;
    }
    if (job.state === "running" && this.current.has(jobId)) {
      this.cancelRequests.set(jobId, requestId);
      this.runner.cancel(jobId);
      return;
    }
    throw new TesseraError("E_JOB_NOT_FOUND", `It has already finished (${job.state}).`);
  }

  private readonly cancelRequests = new Map<string, string | undefined>();

  /** Queued and running jobs, for `welcome` (also after a reconnect). */
  snapshot(): QueueEntry[] {
    let position = 0;
    return this.store.active().map((job) => {
      if (job.state === "queued") return toQueueEntry(job, position++);
      const running = this.current.get(job.jobId);
      const live = running?.progress;
      const entry = toQueueEntry(live ? { ...job, phase: live.phase, fraction: live.fraction } : job, undefined);
      return running?.runsOn ? { ...entry, runsOn: running.runsOn } : entry;
    });
  }

  get length(): number {
    return this.store.active().length;
  }

  close(): void {
    this.closed = true;
  }

  private announceQueued(jobId: string): void {
    const queued = this.store.inState("queued");
    const position = queued.findIndex((j) => j.jobId === jobId);
    if (position >= 0) this.emit("message", { type: "job.queued", jobId, position });
  }

  private announcePositions(): void {
    this.store.inState("queued").forEach((job, position) => this.emit("message", { type: "job.queued", jobId: job.jobId, position }));
  }

  private schedule(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    void this.pump()
      .catch((error: unknown) => this.options.log?.warn({ err: (error as Error).message }, "the queue stopped on an error"))
      .finally(() => {
        this.pumping = false;
      });
  }

  private async pump(): Promise<void> {
    const limit = this.options.concurrency ?? 1;
    while (!this.closed) {
      if (this.current.size >= limit) {
        await Promise.race([...this.current.values()].map((r) => r.done));
        continue;
      }
      const next = this.store.inState("queued")[0];
      if (!next) return;
      const run = this.runOne(next);
      // a run that ends while the pump is idle (a retry re-queued, a slot freed) starts the next
      run.finally(() => this.schedule()).catch((error: unknown) => this.options.log?.warn({ jobId: next.jobId, err: (error as Error).message }, "a job run stopped on an error"));
      if (limit === 1) await run;
    }
  }

  private renderJob(job: JobRecord): RenderJob {
    return {
      jobId: job.jobId,
      attempt: job.attempts,
      request: job.request,
      output: { folder: job.request.output.folder ?? this.options.defaultOutputFolder },
    };
  }

  private async runOne(queued: JobRecord): Promise<void> {
    const job = this.store.transition(queued.jobId, "running", { phase: "load", fraction: 0 });
    let ended = (): void => undefined;
    const current = { job, progress: undefined as Progress | undefined, runsOn: undefined as string | undefined, done: new Promise<void>((r) => (ended = r)) };
    this.current.set(job.jobId, current);
    try {
      await this.runTracked(job, current);
    } finally {
      this.current.delete(job.jobId);
      ended();
    }
  }

  private async runTracked(job: JobRecord, current: { progress: Progress | undefined; runsOn: string | undefined }): Promise<void> {
    this.emit("message", { type: "job.started", jobId: job.jobId });
    this.announcePositions();
    this.options.audit?.write({ event: "started", jobId: job.jobId });
    let phase: JobPhase = "load";
    const outcome: Outcome = await this.runner.run(this.renderJob(job), {
      onProgress: (progress) => {
        if (progress.phase !== phase) {
          phase = progress.phase;
          this.store.transition(job.jobId, "running", { phase, fraction: progress.fraction });
        }
        current.progress = progress;
        this.emit("message", { type: "job.progress", jobId: job.jobId, ...progress });
      },
      onPreview: (preview) => this.emit("preview", { jobId: job.jobId, ...preview }),
      onNotice: (level, message) => this.emit("message", { type: "notice", level, message, jobId: job.jobId }),
      onPlacement: (where) => {
        current.runsOn = where;
        this.store.transition(job.jobId, "running", { detail: `placed: ${where}` });
        this.emit("message", { type: "job.started", jobId: job.jobId, runsOn: where });
      },
      onRecord: (detail) => void this.store.transition(job.jobId, "running", { detail }),
    });
    // Stopping: the job stays "running" in the journal and the next start retries it, as after a crash.
    if (this.closed) return;
    if (outcome.kind !== "done") await this.cleanup(job);
    if (this.closed) return;
    this.finish(job, outcome);
  }

  private finish(job: JobRecord, outcome: Outcome): void {
    const { jobId } = job;
    switch (outcome.kind) {
      case "done": {
        this.store.transition(jobId, "done", { output: outcome.output });
        this.options.audit?.write({ event: "done", jobId, output: outcome.output.path, sha256: outcome.output.sha256 });
        this.emit("message", { type: "job.done", jobId, output: outcome.output });
        return;
      }
      case "cancelled": {
        const requestId = this.cancelRequests.get(jobId);
        this.cancelRequests.delete(jobId);
        this.store.transition(jobId, "cancelled", { detail: "cancelled while running" });
        this.options.audit?.write({ event: "cancelled", jobId });
        this.emit("message", { type: "job.cancelled", jobId, ...(requestId ? { requestId } : {}) });
        return;
      }
      case "failed":
        return this.fail(jobId, outcome.error);
      case "crashed": {
        const fresh = this.store.get(jobId)!;
        if (fresh.attempts < MAX_ATTEMPTS) {
          this.options.log?.warn({ jobId, reason: outcome.reason }, "generator crashed; retrying the job once");
          this.store.transition(jobId, "queued", { detail: outcome.reason });
          this.options.audit?.write({ event: "retried", jobId, reason: outcome.reason });
          this.emit("message", { type: "notice", level: "warning", jobId, message: `${outcome.reason} Retrying once.` });
          this.announcePositions();
        } else {
          this.fail(jobId, bodyOf(new TesseraError("E_WORKER_CRASHED", outcome.reason)));
        }
        return;
      }
    }
  }

  private fail(jobId: string, error: ErrorBody): void {
    this.store.transition(jobId, "failed", { error });
    this.options.audit?.write({ event: "failed", jobId, code: error.code, reason: error.message });
    const message: HelperMessageOf<"job.failed"> = { type: "job.failed", jobId, ...error };
    this.emit("message", message);
  }

  private async cleanup(job: JobRecord): Promise<void> {
    try {
      const removed = await removePartials(this.renderJob(job));
      if (removed.length > 0) this.options.log?.info({ jobId: job.jobId, removed: removed.length }, "removed partial files");
    } catch (error) {
      this.options.log?.warn({ jobId: job.jobId, err: (error as Error).message }, "could not remove partial files");
    }
  }
}

function bodyOf(error: TesseraError): ErrorBody {
  return { code: error.code, message: error.message, hint: error.hint };
}
