// Turning a past take back into form values (Re-run, Variant) and deciding what a reconnect means for the jobs
// this panel is waiting for.
import type { HistoryItem, QueueEntry } from "../../shared/protocol.js";
import { durationFrames, durationSeconds, type FrameRate } from "../../shared/time.js";
import type { PendingJob } from "./pending.js";
import type { Form } from "./settings.js";

/** The form for making `item` again: same prompt and settings; the seed kept (Re-run) or left to chance (Variant). */
export function formFromHistory(item: HistoryItem, unit: Form["durationUnit"], fps: FrameRate, keepSeed: boolean): Partial<Form> {
  const r = item.request;
  const seconds = durationSeconds(r.frames, r.fps);
  return {
    prompt: r.prompt,
    negativePrompt: r.negativePrompt,
    seed: r.seed,
    seedLocked: keepSeed,
    duration: unit === "frames" ? Math.max(1, durationFrames(seconds, fps)) : seconds,
    ...(r.modelId ? { modelId: r.modelId } : {}),
  };
}

export type ResumeStep =
  | { kind: "adopt"; job: PendingJob; entry: QueueEntry }
  | { kind: "land"; job: PendingJob; item: HistoryItem }
  | { kind: "ended"; job: PendingJob; item: HistoryItem | null }
  | { kind: "resend"; job: PendingJob };

/** What to do with each waiting job after a welcome: its queue entry, else its history item, else send it again. */
export function resumeSteps(jobs: PendingJob[], queue: QueueEntry[], history: HistoryItem[] | null): ResumeStep[] {
  return jobs.map((job): ResumeStep => {
    const entry = queue.find((q) => q.clientJobId === job.clientJobId);
    if (entry) return { kind: "adopt", job, entry };
    if (job.cancelled) return { kind: "ended", job, item: null };
    const item = history?.find((h) => h.jobId === job.jobId || h.clientJobId === job.clientJobId);
    if (item?.state === "done" && item.output) return { kind: "land", job, item };
    if (item?.state === "failed" || item?.state === "cancelled") return { kind: "ended", job, item };
    // same clientJobId: a helper that has the job answers with it instead of starting another
    return { kind: "resend", job };
  });
}
