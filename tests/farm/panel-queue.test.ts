/**
 * The panel's queue row says where a farm job runs: from `job.started` (sent again when a retry moves the job to
 * another worker) and from the welcome snapshot after a reconnect; a local job shows no place.
 */
import { applyJobEvent, applyQueueEntry, type JobView } from "../../panel/model/jobs.js";
import { PREMIERE_TERMS } from "../../panel/host/editor-host.js";
import { statusText } from "../../panel/ui/Queue.js";

const JOB = "0b8e6b55-2f7b-4a43-9c43-3f0f3c1b9a10";
const row: JobView = {
  clientJobId: "c1",
  jobId: JOB,
  workflow: "broll",
  prompt: "harbour at dawn",
  summary: "B-roll · 2.00 s · V2",
  seed: 1,
  status: "queued",
  phase: null,
  fraction: 0,
  etaSeconds: null,
  position: 0,
  window: null,
  previewUrl: null,
  error: null,
  note: null,
  output: null,
};

test("job.started names the farm worker, and the latest place wins", () => {
  let job = applyJobEvent(row, { type: "job.started", jobId: JOB });
  expect(statusText(job, PREMIERE_TERMS)).toBe("Starting · 0%");
  job = applyJobEvent(job, { type: "job.started", jobId: JOB, runsOn: "farm worker gpu-01" });
  job = applyJobEvent(job, { type: "job.progress", jobId: JOB, phase: "denoise", window: { index: 0, count: 1 }, step: 3, steps: 10, fraction: 0.3, etaSeconds: 4 });
  expect(statusText(job, PREMIERE_TERMS)).toBe("Generating · 30% · farm worker gpu-01");
  job = applyJobEvent(job, { type: "job.started", jobId: JOB, runsOn: "farm worker gpu-02" });
  expect(statusText(job, PREMIERE_TERMS)).toBe("Generating · 30% · farm worker gpu-02");
});

test("the welcome snapshot after a reconnect keeps the place", () => {
  const job = applyQueueEntry(row, { jobId: JOB, clientJobId: "c1", state: "running", phase: "denoise", fraction: 0.5, prompt: "harbour at dawn", workflow: "broll", runsOn: "farm worker gpu-03" });
  expect(statusText(job, PREMIERE_TERMS)).toBe("Generating · 50% · farm worker gpu-03");
});
