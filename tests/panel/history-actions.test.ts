import { formFromHistory, resumeSteps } from "../../panel/model/history-actions.js";
import type { PendingJob } from "../../panel/model/pending.js";
import type { HistoryItem, QueueEntry } from "../../shared/protocol.js";
import { output } from "./support.js";

const fps = { num: 24000, den: 1001 };
const request = {
  prompt: "surf",
  negativePrompt: "blur",
  seed: 11,
  frames: 48,
  fps,
  width: 1920,
  height: 1080,
  handles: 12,
  fit: "fill" as const,
  retime: "blend" as const,
  output: { format: "h264" as const },
  workflow: "broll" as const,
  modelId: "m2",
};
const plan = { workflow: "broll" as const, label: "x", sequenceId: "s", fps, track: 1, start: "0", frames: 48, handles: 12, onBusy: "next-free-track" as const };
const job = (clientJobId: string, jobId: string | null, cancelled = false): PendingJob => ({ clientJobId, jobId, plan, request, createdAt: "2026-11-25T10:00:00.000Z", cancelled });
const id = (n: number) => `0b7c9a1e-0000-4000-8000-00000000000${n}`;
const item = (n: number, state: HistoryItem["state"]): HistoryItem => ({
  jobId: id(n),
  clientJobId: `c${n}`,
  state,
  createdAt: "2026-11-25T10:00:00.000Z",
  request,
  ...(state === "done" ? { output: output(`/o/${n}.mp4`, 48, 12) } : {}),
});

test("a reconnect adopts queued jobs, lands finished ones, ends failed ones and resends the unknown", () => {
  const queue: QueueEntry[] = [{ jobId: id(1), clientJobId: "c1", state: "running", fraction: 0.5, prompt: "surf", workflow: "broll" }];
  const history = [item(2, "done"), item(3, "failed")];
  const steps = resumeSteps([job("c1", id(1)), job("c2", id(2)), job("c3", id(3)), job("c4", null), job("c5", id(5), true)], queue, history);
  expect(steps.map((s) => [s.job.clientJobId, s.kind])).toEqual([
    ["c1", "adopt"],
    ["c2", "land"],
    ["c3", "ended"],
    ["c4", "resend"],
    ["c5", "ended"],
  ]);
  expect(resumeSteps([job("c2", id(2))], [], null).map((s) => s.kind)).toEqual(["resend"]);
});

test("Re-run keeps the seed, Variant frees it; the duration follows the field's unit", () => {
  const past = item(2, "done");
  expect(formFromHistory(past, "seconds", fps, true)).toEqual({ prompt: "surf", negativePrompt: "blur", seed: 11, seedLocked: true, duration: 2, modelId: "m2" }); // 48 frames at 23.976 read 00:00:02:00
  expect(formFromHistory(past, "frames", fps, false)).toMatchObject({ seedLocked: false, duration: 48 });
});
