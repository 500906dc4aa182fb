/**
 * Clips longer than one prompt makes, on a ComfyUI engine: the helper chains windows as the ONNX engine does, each
 * window after the first conditioned (through the first/last-frame or guide template) on the last frames of the
 * one before, or for a head extension on the first frames of the one after. Progress names the window; a cancel
 * in the second window stops it on the server and publishes nothing; a model that cannot chain still refuses.
 */
import { execFileSync } from "node:child_process";
import { cpSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { HelperMessageOf } from "../../shared/protocol.js";
import { modelInfoOf } from "../../helper-service/engines/comfyui/models.js";
import { loadTemplates } from "../../helper-service/engines/comfyui/templates.js";
import { planEngineWindows } from "../../helper-service/engines/comfyui/windows.js";
import { locateMediaTools } from "../../helper-service/media/index.js";
import { tempDir, type TestClient } from "../server/support.js";
import type { FakeComfyUI } from "./fake-comfyui/server.js";
import { endOf, startEngineRig, stopEngineRig, submitter, TINY, type EngineRig } from "./helper-rig.js";
import { addTextOnlyModel } from "./own-template.js";

jest.setTimeout(120_000);

const WAN = "studio-gpu/wan-2.1";
const SIZE = { width: 832, height: 480 }; // Wan's own size: the frames compared below are not rescaled

let rig: EngineRig;
let fake: FakeComfyUI;
let client: TestClient;
let out: string;

beforeAll(async () => {
  // with a user's own model that has only a text-to-video template: it cannot chain
  rig = await startEngineRig({ stepMs: 20, outPrefix: "tessera-engine-windows-", prepare: addTextOnlyModel });
  ({ fake, client, out } = rig);
});
afterAll(() => stopEngineRig(rig));

const submit = submitter(() => rig, "windows", () => ({ modelId: WAN, fps: { num: 16, den: 1 }, ...SIZE, steps: 4, output: { format: "h264", folder: out } }));
const finished = (jobId: string, from: number) => endOf(client, jobId, from, 90_000);

/** RGB frames of a video, scaled down to 64x36 to compare pictures. */
function frames(path: string): Buffer[] {
  const raw = execFileSync(locateMediaTools().ffmpeg.path, ["-v", "error", "-i", path, "-vf", "scale=64:36", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], { maxBuffer: 1 << 28 });
  const size = 64 * 36 * 3;
  return Array.from({ length: raw.length / size }, (_, i) => raw.subarray(i * size, (i + 1) * size));
}
const difference = (a: Buffer, b: Buffer) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length;
/** The files the server saved for a job, in the order made (the fake numbers them). */
const savedFor = (jobId: string) =>
  readdirSync(join(fake.root, "output", "tessera")).filter((f) => f.startsWith(jobId.slice(0, 8))).sort().map((f) => join(fake.root, "output", "tessera", f));

test("B-roll longer than one prompt: a text-to-video window, then one continuing from its last frames", async () => {
  const posted = fake.prompts.length;
  const { jobId, from } = await submit({ prompt: "harbour at dawn, long drone shot", frames: 150, seed: 41 });
  const end = await finished(jobId, from);
  expect(end.type).toBe("job.done");
  const done = end as HelperMessageOf<"job.done">;
  expect(done.output.frames).toBe(150);
  // 81 frames from text, then 69 new frames after 5 frames of the first window (5 + 69 -> 77 in the 4n+1 rule)
  const [first, second] = fake.prompts.slice(posted);
  expect(fake.prompts.length - posted).toBe(2);
  expect(first!["8"]!.inputs).toMatchObject({ length: 81 });
  expect(first!["20"]).toBeUndefined();
  expect(second!["8"]!.inputs).toMatchObject({ length: 77 });
  expect(second!["20"]!.inputs.file).toBe(`tessera/${jobId}-w1-before.mp4`);
  expect(second!["30"]).toBeUndefined(); // no end frame: nothing comes after B-roll
  expect([first!["9"]!.inputs.seed, second!["9"]!.inputs.seed]).toEqual([41, 42]);
  expect(done.output.record.engine).toMatchObject({
    template: "wan21-t2v",
    windows: [
      { template: "wan21-t2v", seed: 41, frames: 81 },
      { template: "wan21-flf", seed: 42, frames: 69 },
    ],
  });
  // the frames the second window was given are the last 5 the first one made
  const [made0] = savedFor(jobId);
  const given = frames(join(fake.root, "input", "tessera", `${jobId}-w1-before.mp4`));
  const window0 = frames(made0!);
  expect(given).toHaveLength(5);
  const nearest = (frame: Buffer) => window0.reduce((best, f, i) => (difference(frame, f) < difference(frame, window0[best]!) ? i : best), 0);
  expect(given.map(nearest)).toEqual([76, 77, 78, 79, 80]);
  // progress names the window; the fraction only grows across both
  const progress = client.messages.slice(from).filter((m): m is HelperMessageOf<"job.progress"> => m.type === "job.progress" && m.jobId === jobId);
  expect(new Set(progress.filter((p) => p.phase === "denoise").map((p) => `${p.window.index}/${p.window.count}`))).toEqual(new Set(["0/2", "1/2"]));
  expect(progress.map((p) => p.fraction)).toEqual([...progress.map((p) => p.fraction)].sort((a, b) => a - b));
  const eta = progress.find((p) => p.phase === "denoise" && p.window.index === 0 && p.step === 3)!.etaSeconds!;
  expect(eta).toBeGreaterThan(0); // the second window is counted in
});

test("a head extension longer than one prompt is made backward, each window leading into the one after", async () => {
  const source = join(out, "after.mp4");
  execFileSync(locateMediaTools().ffmpeg.path, ["-v", "error", "-f", "lavfi", "-i", "testsrc2=s=832x480:r=16:d=2", "-c:v", "libx264", "-pix_fmt", "yuv420p", source]);
  const posted = fake.prompts.length;
  const { jobId, from } = await submit({
    prompt: "the harbour before",
    frames: 100,
    workflow: "extend",
    handles: 0,
    conditioning: { after: { kind: "media", path: source, inFrame: 0, outFrame: 32 } },
  });
  const end = await finished(jobId, from);
  expect(end.type).toBe("job.done");
  expect((end as HelperMessageOf<"job.done">).output.frames).toBe(100);
  const [last, earlier] = fake.prompts.slice(posted);
  // made first: the last 76 frames, ending on the footage; then the first 24, ending on the first window's start
  expect(last!["30"]!.inputs.file).toBe(`tessera/${jobId}-w0-after.mp4`);
  expect(earlier!["30"]!.inputs.file).toBe(`tessera/${jobId}-w1-after.mp4`);
  expect(last!["20"]).toBeUndefined();
  const [made0] = savedFor(jobId);
  const given = frames(join(fake.root, "input", "tessera", `${jobId}-w1-after.mp4`));
  const window0 = frames(made0!);
  expect(window0.reduce((best, f, i) => (difference(given[0]!, f) < difference(given[0]!, window0[best]!) ? i : best), 0)).toBe(0);
});

test("cancel during the second window stops it on the server within 2 s and publishes nothing", async () => {
  fake.stepMs = 300;
  const before = readdirSync(out).length;
  const posted = fake.promptIds.length;
  const { jobId, from } = await submit({ prompt: "a slow crane shot", frames: 120, steps: 30 });
  await client.waitFor((m) => m.type === "job.progress" && m.jobId === jobId && m.phase === "denoise" && m.window.index === 1, 90_000, from);
  const t0 = Date.now();
  client.send({ type: "cancel", requestId: "cw", jobId });
  const end = await finished(jobId, from);
  const seconds = (Date.now() - t0) / 1000;
  expect(end.type).toBe("job.cancelled");
  expect(seconds).toBeLessThan(2);
  expect(fake.promptIds.length - posted).toBe(2);
  expect(fake.requests.some((r) => r.path === "/interrupt")).toBe(true);
  let running = 1;
  while (running > 0 && Date.now() - t0 < 2000) {
    const queue = (await (await fetch(`${fake.url}/queue`)).json()) as { queue_running: unknown[]; queue_pending: unknown[] };
    running = queue.queue_running.length + queue.queue_pending.length;
    if (running > 0) await new Promise((r) => setTimeout(r, 20));
  }
  expect(running).toBe(0);
  expect(readdirSync(out).length).toBe(before);
  process.stdout.write(`cancel in window 2 of 2: job.cancelled after ${seconds.toFixed(2)} s\n`);
  fake.stepMs = 20;
});

test("a later window's template that does not fit the server is refused before the first prompt", async () => {
  fake.without = ["WanFirstLastFrameToVideo"];
  try {
    const posted = fake.prompts.length;
    const { jobId, from } = await submit({ prompt: "harbour at dawn", frames: 150 });
    const end = await finished(jobId, from);
    expect(end).toMatchObject({ type: "job.failed", code: "E_ENGINE_TEMPLATE" });
    expect((end as HelperMessageOf<"job.failed">).message).toMatch(/template wan21-flf does not fit studio-gpu: .*WanFirstLastFrameToVideo/);
    expect(fake.prompts.length).toBe(posted);
  } finally {
    fake.without = [];
  }
});

test("a model with no conditioned template cannot chain: a clip longer than one prompt is refused with the most it makes", async () => {
  const welcome = client.messages.find((m) => m.type === "welcome") as HelperMessageOf<"welcome">;
  expect(welcome.models.find((m) => m.id === "studio-gpu/ltx-t2v-only")?.longest).toEqual({ textToVideo: 257 });
  expect(welcome.models.find((m) => m.id === WAN)?.longest).toEqual({});
  const posted = fake.prompts.length;
  const { jobId, from } = await submit({ modelId: "studio-gpu/ltx-t2v-only", fps: { num: 24, den: 1 }, width: 768, height: 512, frames: 300 });
  const end = await finished(jobId, from);
  expect(end).toMatchObject({ type: "job.failed", code: "E_DURATION", message: "That duration cannot be generated. studio-gpu/ltx-t2v-only makes at most 257 frames (10.7 s) in one clip; 300 were needed." });
  expect((end as HelperMessageOf<"job.failed">).hint).toMatch(/shorter clip/);
  expect(fake.prompts.length).toBe(posted);
});

describe("the window plan", () => {
  const engine = { kind: "comfyui" as const, name: "studio-gpu", url: "http://127.0.0.1:8188", templateDirs: [], maxDownloadBytes: 1, stallSeconds: 600 };
  const wan = () => {
    const templates = loadTemplates([]).templates.filter((t) => t.manifest.model.id === "wan-2.1");
    return { id: WAN, engine, templates, info: modelInfoOf(WAN, engine, templates) };
  };
  const plan = (total: number, before: boolean, after: boolean) =>
    planEngineWindows(wan(), total, { before, after }, String).map((w) => [w.template.manifest.id, w.start, w.frames, w.sides, w.chained]);
  const no = { before: false, after: false };

  test("a long fill goes forward on the footage before, and only its last window also meets the footage after", () => {
    expect(plan(200, true, true)).toEqual([
      ["wan21-flf", 0, 76, { before: true, after: false }, no],
      ["wan21-flf", 76, 76, { before: true, after: false }, { before: true, after: false }],
      ["wan21-flf", 152, 48, { before: true, after: true }, { before: true, after: false }],
    ]);
    // 72 left is one more than a closing window takes (81 - 5 - 5): the window before leaves it one frame
    expect(plan(148, true, true).map(([, start, frames]) => [start, frames])).toEqual([[0, 76], [76, 71], [147, 1]]);
  });

  test("one window when one prompt makes it all", () => {
    expect(plan(81, false, false)).toEqual([["wan21-t2v", 0, 81, no, no]]);
    expect(plan(71, true, true)).toEqual([["wan21-flf", 0, 71, { before: true, after: true }, no]]);
  });
});

describe("a run for engine jobs only", () => {
  test("does not open the default package to probe the device (it would load its ONNX sessions)", async () => {
    const broken = tempDir("tessera-broken-package-");
    cpSync(TINY, broken, { recursive: true });
    writeFileSync(join(broken, "transformer.onnx"), "not an onnx file"); // opening it fails, reading the manifest does not
    const { default: createGenerator } = await import("../../helper-service/render/pipeline-generator.js");
    const config = { dataDir: tempDir(), modelDirs: [broken], policyPath: join(tempDir(), "policy.json") };
    const probed = await createGenerator(config);
    const lazy = await createGenerator({ ...config, probeDevice: false });
    try {
      expect((await probed.info()).notices.join("\n")).toMatch(/could not be loaded/);
      const info = await lazy.info();
      expect(info.notices).toEqual([]);
      expect(info.models.map((m) => m.id)).toEqual(["tessera-random-tiny"]);
    } finally {
      await probed.close?.();
      await lazy.close?.();
    }
  });
});
