// The queue as the panel shows it: one row per job this panel asked for, updated by the helper's job events and
// by the welcome snapshot after a reconnect.
import type { JobOutput, JobPhase, QueueEntry } from "../../shared/protocol.js";
import type { JobEvent } from "../client/connection.js";
import type { ClipInfo } from "../host/editor-host.js";
import type { PlanWorkflow } from "../workflows/plan.js";
import type { Retake } from "./drafts.js";

export type JobStatus =
  | "sending" // not yet accepted (or waiting for the helper to come back)
  | "queued"
  | "running"
  | "placing"
  | "placed"
  | "ready" // finished, not placed: the user chooses Insert
  | "failed"
  | "cancelled";

export interface JobView {
  clientJobId: string;
  jobId: string | null;
  workflow: PlanWorkflow;
  prompt: string;
  /** "B-roll · 00:00:04:00 · 4 s · V2" */
  summary: string;
  seed: number;
  status: JobStatus;
  phase: JobPhase | null;
  fraction: number;
  etaSeconds: number | null;
  position: number | null;
  window: { index: number; count: number } | null;
  previewUrl: string | null;
  error: { message: string; hint: string } | null;
  note: string | null;
  output: JobOutput | null;
  /** Where the job runs when not on the editor's machine (a studio farm worker). */
  runsOn?: string | null;
  /** A draft (few steps, smallest size): the queue offers "Make final" once it is in the sequence. */
  draft?: boolean;
  /** What made a draft, kept for its final. */
  retake?: Retake;
  /** Where the clip landed. */
  placedClip?: ClipInfo;
  /** "Make final" was asked for this draft. */
  finalRequested?: boolean;
}

export const ACTIVE: ReadonlySet<JobStatus> = new Set(["sending", "queued", "running", "placing"]);

export const PHASE_LABELS: Record<JobPhase, string> = {
  load: "Loading model",
  "source-decode": "Reading source frames",
  "vae-encode": "Encoding source frames",
  "encode-text": "Reading prompt",
  denoise: "Generating",
  decode: "Decoding frames",
  conform: "Conforming to sequence",
  "encode-video": "Writing video",
  finalize: "Finishing",
};

export const WORKFLOW_LABELS: Record<PlanWorkflow, string> = {
  broll: "B-roll",
  replace: "Replace",
  extend: "Extend",
  fill: "Fill gap",
};

/** The row after a job event (the caller finds the row by jobId or clientJobId). */
export function applyJobEvent(job: JobView, event: JobEvent): JobView {
  switch (event.type) {
    case "job.accepted":
      return { ...job, jobId: event.jobId, status: job.status === "sending" ? "queued" : job.status };
    case "job.queued":
      return { ...job, status: "queued", position: event.position };
    case "job.started":
      return { ...job, status: "running", position: null, runsOn: event.runsOn ?? job.runsOn ?? null };
    case "job.progress":
      return {
        ...job,
        status: "running",
        phase: event.phase,
        fraction: event.fraction,
        etaSeconds: event.etaSeconds,
        window: event.window,
      };
    case "job.done":
      return { ...job, status: "placing", fraction: 1, etaSeconds: 0, output: event.output };
    case "job.failed":
      return { ...job, status: "failed", error: { message: event.message, hint: event.hint } };
    case "job.cancelled":
      return { ...job, status: "cancelled", etaSeconds: null };
  }
}

/** The row as the welcome snapshot describes it. */
export function applyQueueEntry(job: JobView, entry: QueueEntry): JobView {
  const base = { ...job, jobId: entry.jobId, fraction: entry.fraction, phase: entry.phase ?? job.phase, runsOn: entry.runsOn ?? job.runsOn ?? null };
  switch (entry.state) {
    case "queued":
      return { ...base, status: "queued", position: entry.position ?? null };
    case "running":
      return { ...base, status: "running" };
    case "done":
      return { ...base, status: job.status === "placed" ? "placed" : "placing", output: entry.output ?? job.output };
    case "failed":
      return { ...base, status: "failed", error: job.error ?? { message: "The job failed.", hint: "See History for details." } };
    case "cancelled":
      return { ...base, status: "cancelled" };
  }
}

/** "1 min 5 s", "12 s". */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s left`;
  return `${Math.floor(s / 60)} min ${s % 60} s left`;
}
