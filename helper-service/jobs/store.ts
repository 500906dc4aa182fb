/**
 * Durable job records. Every transition (queued -> running(phase) -> done | failed | cancelled, plus the
 * re-queue after a crash) is one SQLite transaction that updates the job and appends to its journal; callers
 * announce a transition only after this returns.
 */
import { z } from "zod";
import { ErrorCodeSchema, type ErrorBody } from "../../shared/errors.js";
import {
  GenerationRequestSchema,
  JobOutputSchema,
  JobPhaseSchema,
  JobStateSchema,
  WorkflowSchema,
  type GenerationRequest,
  type HistoryItem,
  type JobOutput,
  type JobPhase,
  type JobState,
  type QueueEntry,
} from "../../shared/protocol.js";
import type { Db } from "./db.js";

const JsonText = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, ctx) => {
    const result = schema.safeParse(JSON.parse(text));
    if (result.success) return result.data as z.infer<T>;
    ctx.addIssue({ code: "custom", message: result.error.message });
    return z.NEVER;
  });

export const ErrorBodySchema = z.object({ code: ErrorCodeSchema, message: z.string(), hint: z.string() });

/** A row of `jobs`, checked on the way out: the database is a file, and files are a boundary. */
const JobRowSchema = z.object({
  seq: z.number().int(),
  job_id: z.string(),
  client_job_id: z.string(),
  state: JobStateSchema,
  phase: JobPhaseSchema.nullable(),
  fraction: z.number(),
  attempts: z.number().int(),
  prompt: z.string(),
  workflow: WorkflowSchema,
  project_id: z.string().nullable(),
  sequence_id: z.string().nullable(),
  request_json: JsonText(GenerationRequestSchema),
  output_json: JsonText(JobOutputSchema).nullable(),
  error_json: JsonText(ErrorBodySchema).nullable(),
  source_job_id: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});

export interface JobRecord {
  seq: number;
  jobId: string;
  clientJobId: string;
  state: JobState;
  phase: JobPhase | undefined;
  fraction: number;
  attempts: number;
  request: GenerationRequest;
  output: JobOutput | undefined;
  error: ErrorBody | undefined;
  sourceJobId: string | undefined;
  createdAt: string;
  startedAt: string | undefined;
  finishedAt: string | undefined;
}

/** A raw `jobs` row as a checked record. */
export function toRecord(row: unknown): JobRecord {
  const r = JobRowSchema.parse(row);
  return {
    seq: r.seq,
    jobId: r.job_id,
    clientJobId: r.client_job_id,
    state: r.state,
    phase: r.phase ?? undefined,
    fraction: r.fraction,
    attempts: r.attempts,
    request: r.request_json,
    output: r.output_json ?? undefined,
    error: r.error_json ?? undefined,
    sourceJobId: r.source_job_id ?? undefined,
    createdAt: r.created_at,
    startedAt: r.started_at ?? undefined,
    finishedAt: r.finished_at ?? undefined,
  };
}

export const TERMINAL_STATES: readonly JobState[] = ["done", "failed", "cancelled"];

/** Which state may follow which; running -> queued is the re-queue after a crash. */
const ALLOWED: Record<JobState, readonly JobState[]> = {
  queued: ["running", "cancelled", "failed"],
  running: ["running", "queued", "done", "failed", "cancelled"],
  done: [],
  failed: [],
  cancelled: [],
};

export interface TransitionPatch {
  phase?: JobPhase;
  fraction?: number;
  output?: JobOutput;
  error?: ErrorBody;
  /** Free text for the journal (e.g. the crash reason). */
  detail?: string;
}

export class IllegalTransition extends Error {}

export class JobStore {
  constructor(readonly db: Db) {}

  create(input: { jobId: string; clientJobId: string; request: GenerationRequest; sourceJobId?: string }): JobRecord {
    const now = new Date().toISOString();
    const { request } = input;
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO jobs (job_id, client_job_id, state, prompt, workflow, project_id, sequence_id, request_json,
             source_job_id, created_at) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          input.jobId,
          input.clientJobId,
          request.prompt,
          request.workflow,
          request.projectId ?? null,
          request.sequenceId ?? null,
          JSON.stringify(request),
          input.sourceJobId ?? null,
          now,
        );
      this.journal(input.jobId, "queued", undefined, 0, undefined, now);
    })();
    return this.get(input.jobId)!;
  }

  /**
   * Records a job that ran outside the queue (the CLI's generate and extend) in one transaction, already
   * finished, so a helper sharing the database never sees it as queued or running.
   */
  recordFinished(input: {
    jobId: string;
    clientJobId: string;
    request: GenerationRequest;
    state: "done" | "failed" | "cancelled";
    attempts: number;
    startedAt: string;
    output?: JobOutput;
    error?: ErrorBody;
  }): JobRecord {
    const now = new Date().toISOString();
    const { request } = input;
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO jobs (job_id, client_job_id, state, fraction, attempts, prompt, workflow, project_id, sequence_id,
             request_json, output_json, error_json, created_at, started_at, finished_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          input.jobId,
          input.clientJobId,
          input.state,
          input.state === "done" ? 1 : 0,
          input.attempts,
          request.prompt,
          request.workflow,
          request.projectId ?? null,
          request.sequenceId ?? null,
          JSON.stringify(request),
          input.output ? JSON.stringify(input.output) : null,
          input.error ? JSON.stringify(input.error) : null,
          input.startedAt,
          input.startedAt,
          now,
        );
      this.journal(input.jobId, "queued", undefined, 0, "command line", input.startedAt);
      this.journal(input.jobId, "running", undefined, 1, undefined, input.startedAt);
      this.journal(input.jobId, input.state, undefined, input.attempts, input.error?.code, now);
    })();
    return this.get(input.jobId)!;
  }

  get(jobId: string): JobRecord | undefined {
    const row = this.db.prepare("SELECT * FROM jobs WHERE job_id = ?").get(jobId);
    return row === undefined ? undefined : toRecord(row);
  }

  byClientJobId(clientJobId: string): JobRecord | undefined {
    const row = this.db.prepare("SELECT * FROM jobs WHERE client_job_id = ?").get(clientJobId);
    return row === undefined ? undefined : toRecord(row);
  }

  /** Queued and running jobs, oldest first (FIFO). */
  active(): JobRecord[] {
    return this.db
      .prepare("SELECT * FROM jobs WHERE state IN ('queued', 'running') ORDER BY seq")
      .all()
      .map(toRecord);
  }

  inState(state: JobState): JobRecord[] {
    return this.db.prepare("SELECT * FROM jobs WHERE state = ? ORDER BY seq").all(state).map(toRecord);
  }

  /** Commits one transition and its journal row; throws IllegalTransition for impossible moves. */
  transition(jobId: string, to: JobState, patch: TransitionPatch = {}): JobRecord {
    const now = new Date().toISOString();
    this.db.transaction(() => {
      const current = this.get(jobId);
      if (!current) throw new IllegalTransition(`no job ${jobId}`);
      if (!ALLOWED[current.state].includes(to)) {
        throw new IllegalTransition(`job ${jobId} cannot go from ${current.state} to ${to}`);
      }
      const startsRun = to === "running" && current.state !== "running";
      const attempts = current.attempts + (startsRun ? 1 : 0);
      const terminal = TERMINAL_STATES.includes(to);
      this.db
        .prepare(
          `UPDATE jobs SET state = ?, phase = ?, fraction = ?, attempts = ?, output_json = ?, error_json = ?,
             started_at = COALESCE(?, started_at), finished_at = ? WHERE job_id = ?`,
        )
        .run(
          to,
          to === "running" ? (patch.phase ?? current.phase ?? null) : null,
          patch.fraction ?? (to === "queued" ? 0 : to === "done" ? 1 : current.fraction),
          attempts,
          patch.output ? JSON.stringify(patch.output) : null,
          patch.error ? JSON.stringify(patch.error) : null,
          startsRun ? now : null,
          terminal ? now : null,
          jobId,
        );
      this.journal(jobId, to, to === "running" ? patch.phase : undefined, attempts, patch.detail ?? patch.error?.code, now);
    })();
    return this.get(jobId)!;
  }

  /** The journal of one job, oldest first. */
  events(jobId: string): { state: JobState; phase: JobPhase | undefined; attempt: number; detail: string | undefined }[] {
    const rows = this.db
      .prepare("SELECT state, phase, attempt, detail FROM job_events WHERE job_id = ? ORDER BY id")
      .all(jobId) as { state: JobState; phase: JobPhase | null; attempt: number; detail: string | null }[];
    return rows.map((r) => ({ state: r.state, phase: r.phase ?? undefined, attempt: r.attempt, detail: r.detail ?? undefined }));
  }

  private journal(jobId: string, state: JobState, phase: JobPhase | undefined, attempt: number, detail: string | undefined, at: string): void {
    this.db
      .prepare("INSERT INTO job_events (job_id, state, phase, attempt, detail, at) VALUES (?, ?, ?, ?, ?, ?)")
      .run(jobId, state, phase ?? null, attempt, detail ?? null, at);
  }
}

export function toQueueEntry(job: JobRecord, position: number | undefined): QueueEntry {
  return {
    jobId: job.jobId,
    clientJobId: job.clientJobId,
    state: job.state,
    ...(job.phase ? { phase: job.phase } : {}),
    ...(position === undefined ? {} : { position }),
    fraction: Math.min(1, Math.max(0, job.fraction)),
    prompt: job.request.prompt,
    workflow: job.request.workflow,
    ...(job.output ? { output: job.output } : {}),
  };
}

export function toHistoryItem(job: JobRecord): HistoryItem {
  return {
    jobId: job.jobId,
    clientJobId: job.clientJobId,
    state: job.state,
    createdAt: job.createdAt,
    ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
    request: job.request,
    ...(job.output ? { output: job.output } : {}),
    ...(job.error ? { error: job.error } : {}),
  };
}
