// Small translations from data to what the panel shows.
import { durationSeconds, formatDuration } from "../../shared/time.js";
import { PREMIERE_TERMS, type HostTerms } from "../host/editor-host.js";
import { WORKFLOW_LABELS, type JobStatus, type JobView } from "./jobs.js";
import type { PendingJob } from "./pending.js";

export function describeJob(job: PendingJob, status: JobStatus, terms: HostTerms = PREMIERE_TERMS): JobView {
  const { plan, request } = job;
  // Timecode next to seconds, as an editor reads a duration (00:00:04:00 · 4 s).
  const timecode = { dropFrame: plan.dropFrame ?? false };
  const duration = `${formatDuration(plan.frames, plan.fps, timecode)} · ${durationSeconds(plan.frames, plan.fps, timecode)} s`;
  const what = plan.workflow === "extend" ? `${WORKFLOW_LABELS.extend} ${plan.at ?? "tail"}` : WORKFLOW_LABELS[plan.workflow];
  return {
    clientJobId: job.clientJobId,
    jobId: job.jobId,
    workflow: plan.workflow,
    prompt: request.prompt,
    summary: `${what} · ${duration} · ${terms.trackName(plan.track)}`,
    seed: request.seed,
    status,
    phase: null,
    fraction: 0,
    etaSeconds: null,
    position: null,
    window: null,
    previewUrl: null,
    error: null,
    note: null,
    output: null,
    ...(request.quality === "draft" ? { draft: true, retake: { plan, request } } : {}),
  };
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const hint = (error as { hint?: unknown }).hint;
    return typeof hint === "string" && hint ? `${error.message} ${hint}` : error.message;
  }
  return String(error);
}

/** A comparable key for a host snapshot (bigints are not JSON). */
export function snapshotKey(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}
