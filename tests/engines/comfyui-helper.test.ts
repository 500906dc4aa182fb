/**
 * The running helper with a ComfyUI engine, over the panel's WebSocket protocol: engine models in the welcome,
 * engine jobs reporting our phases, steps, ETA and live previews, the engine's state in system.result, and the
 * faults a server produces (execution_error, an output that is not a video, a cancel) as one job event each,
 * with history saying what happened.
 */
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import type { HelperMessage, HelperMessageOf } from "../../shared/protocol.js";
import { addEngine } from "../../helper-service/engines/config.js";
import { createHelper, type Helper } from "../../helper-service/server/helper.js";
import { silentLogger } from "../../helper-service/server/log.js";
import { locateMediaTools } from "../../helper-service/media/index.js";
import { baseRequest, stopHelper, tempDir, TestClient } from "../server/support.js";
import { DEFAULT_MODELS } from "./fake-comfyui/object-info.js";
import { FakeComfyUI } from "./fake-comfyui/server.js";

jest.setTimeout(90_000);

const TINY = resolve(__dirname, "../fixtures/tiny-model");
const MODEL_ID = "studio-gpu/ltx-video-2b";

let fake: FakeComfyUI;
let helper: Helper;
let client: TestClient;
let out: string;

beforeAll(async () => {
  fake = await FakeComfyUI.start({ stepMs: 60 });
  const dataDir = tempDir();
  out = tempDir("tessera-engine-jobs-");
  addEngine(dataDir, { kind: "comfyui", name: "studio-gpu", url: fake.url });
  helper = await createHelper({ dataDir, port: 0, modelDirs: [TINY], log: silentLogger() });
  await helper.ready;
  client = await TestClient.authed(helper);
});
afterAll(async () => {
  client?.ws.close();
  if (helper) await stopHelper(helper);
  await fake?.close();
});
beforeEach(() => {
  fake.fault = null;
  fake.stepMs = 60;
});

let n = 0;
async function submit(overrides: Parameters<typeof baseRequest>[0] = {}): Promise<{ jobId: string; from: number; binaryFrom: number }> {
  const requestId = `r${++n}`;
  const from = client.messages.length;
  const binaryFrom = client.binary.length;
  client.send({
    type: "generate",
    requestId,
    clientJobId: `engine-${n}`,
    request: baseRequest({ modelId: MODEL_ID, frames: 24, width: 1280, height: 720, steps: 6, output: { format: "h264", folder: out }, ...overrides }),
  });
  const accepted = await client.waitFor<HelperMessageOf<"job.accepted">>((m) => m.type === "job.accepted" && m.requestId === requestId, 15_000, from);
  return { jobId: accepted.jobId, from, binaryFrom };
}

const endOf = (jobId: string, from: number) =>
  client.waitFor<HelperMessage>((m) => (m.type === "job.done" || m.type === "job.failed" || m.type === "job.cancelled") && m.jobId === jobId, 60_000, from);

test("the welcome lists the engine's models next to the package, with name, engine and capabilities", async () => {
  const welcome = client.messages.find((m) => m.type === "welcome") as HelperMessageOf<"welcome">;
  expect(welcome.models[0]!.engine).toBeUndefined(); // the package stays the default
  expect(welcome.models.find((m) => m.id === MODEL_ID)).toMatchObject({
    name: "LTX-Video 2B via studio-gpu",
    engine: "studio-gpu",
    fps: 24,
    maxFrames: 257,
    capabilities: { textToVideo: true, extendTail: true, extendHead: true, fill: true, conditionFrames: 9 },
  });
});

test("an engine job reports our phases, denoising steps with an ETA and live previews, then the labelled clip", async () => {
  const { jobId, from, binaryFrom } = await submit();
  const end = await endOf(jobId, from);
  expect(end.type).toBe("job.done");
  const progress = client.messages.slice(from).filter((m): m is HelperMessageOf<"job.progress"> => m.type === "job.progress" && m.jobId === jobId);
  const phases = [...new Set(progress.map((p) => p.phase))];
  expect(phases).toEqual(expect.arrayContaining(["load", "encode-text", "denoise", "decode", "encode-video", "finalize"]));
  expect(phases.indexOf("denoise")).toBeLessThan(phases.indexOf("encode-video"));
  const steps = progress.filter((p) => p.phase === "denoise" && p.steps === 6);
  expect(steps.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
  expect(steps.at(-2)!.etaSeconds).toBeGreaterThan(0);
  expect(progress.map((p) => p.fraction)).toEqual([...progress.map((p) => p.fraction)].sort((a, b) => a - b));
  expect(client.binary.length - binaryFrom).toBeGreaterThanOrEqual(1);
  const done = end as HelperMessageOf<"job.done">;
  expect(done.output).toMatchObject({ frames: 24, width: 1280, height: 720 });
  expect(done.output.path.startsWith(out)).toBe(true);
  expect(done.output.record.engine).toMatchObject({ name: "studio-gpu", template: "ltxv-t2v", server: fake.url });
});

test("a gap fill puts the new frames exactly between the footage before and after (Wan first/last frame)", async () => {
  const clip = (name: string, colour: string) => {
    const path = join(out, name);
    execFileSync(locateMediaTools().ffmpeg.path, ["-v", "error", "-f", "lavfi", "-i", `color=c=${colour}:s=320x180:r=24:d=2`, "-c:v", "libx264", "-pix_fmt", "yuv420p", path]);
    return { kind: "media" as const, path, inFrame: 0, outFrame: 48 };
  };
  const { jobId, from } = await submit({
    modelId: "studio-gpu/wan-2.1",
    prompt: "a tram crosses the square",
    workflow: "fill",
    conditioning: { before: clip("street-a.mp4", "red"), after: clip("street-b.mp4", "blue") },
  });
  const end = (await endOf(jobId, from)) as HelperMessageOf<"job.done">;
  expect(end.type).toBe("job.done");
  expect(end.output).toMatchObject({ frames: 24, record: { conditioning: "both", engine: { template: "wan21-flf" } } });
  // 24 frames at 24 fps need 18 at Wan's 16 fps; 5 before + 18 + 5 after is 28, so the 4n+1 rule makes 29 and the
  // footage after takes 6 frames: the new frames still end exactly where the footage after begins
  const graph = fake.prompts.at(-1)!;
  expect(graph["8"]!.inputs.length).toBe(29);
  const frames = (name: unknown) =>
    execFileSync(locateMediaTools().ffprobe.path, ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", join(fake.root, "input", String(name))], { encoding: "utf8" }).trim();
  expect(frames(graph["20"]!.inputs.file)).toBe("5");
  expect(frames(graph["30"]!.inputs.file)).toBe("6");
});

test("system.result carries each engine's state for Settings", async () => {
  const from = client.messages.length;
  client.send({ type: "system.get", requestId: "sys" });
  const system = await client.waitFor<HelperMessageOf<"system.result">>((m) => m.type === "system.result", 15_000, from);
  expect(system.engines).toEqual([
    expect.objectContaining({ name: "studio-gpu", reachable: true, detail: expect.stringContaining("ComfyUI 0.3.64"), templates: expect.arrayContaining([expect.objectContaining({ id: "wan21-flf", ready: true })]) }),
  ]);
});

test.each([
  ["execution_error", "E_ENGINE_FAILED", /studio-gpu failed in node 9 \(SamplerCustom\): Allocation on device 0/],
  ["non-video", "E_ENGINE_FAILED", /the workflow's output is not a video \(\w+_\d{5}_\.png\)/],
] as const)("a server fault (%s) fails the job once with a clear message, and history keeps it", async (fault, code, message) => {
  fake.fault = fault;
  const { jobId, from } = await submit({ prompt: `fault ${fault}` });
  const end = (await endOf(jobId, from)) as HelperMessageOf<"job.failed">;
  expect(end).toMatchObject({ type: "job.failed", code, message: expect.stringMatching(message) });
  const h = client.messages.length;
  client.send({ type: "history.query", requestId: `h-${fault}`, text: `fault ${fault}` });
  const history = await client.waitFor<HelperMessageOf<"history.result">>((m) => m.type === "history.result" && m.requestId === `h-${fault}`, 15_000, h);
  expect(history.items[0]).toMatchObject({ state: "failed", error: { code, message: expect.stringMatching(message) } });
  expect(history.items[0]!.output).toBeUndefined();
});

test("a model file missing on the server fails the job before anything is queued, saying where to put it", async () => {
  fake.models = { ...DEFAULT_MODELS, checkpoints: [] };
  const queued = fake.prompts.length;
  try {
    const { jobId, from } = await submit({ prompt: "a missing checkpoint" });
    const end = (await endOf(jobId, from)) as HelperMessageOf<"job.failed">;
    expect(end).toMatchObject({ type: "job.failed", code: "E_ENGINE_TEMPLATE" });
    expect(end.message).toContain('node 1 (CheckpointLoaderSimple) input "ckpt_name"');
    expect(end.message).toContain("(put ltx-video-2b-v0.9.5.safetensors in ComfyUI/models/checkpoints)");
    expect(fake.prompts.length).toBe(queued);
  } finally {
    fake.models = DEFAULT_MODELS;
  }
});

test("cancel stops the engine job within 2 s and the server's queue is empty", async () => {
  fake.stepMs = 500;
  const { jobId, from } = await submit({ prompt: "a slow crane shot", steps: 40 });
  await client.waitFor((m) => m.type === "job.progress" && m.jobId === jobId && m.phase === "denoise", 30_000, from);
  const t0 = Date.now();
  client.send({ type: "cancel", requestId: "c1", jobId });
  const end = await endOf(jobId, from);
  const seconds = (Date.now() - t0) / 1000;
  expect(end.type).toBe("job.cancelled");
  expect(seconds).toBeLessThan(2);
  expect(fake.requests.some((r) => r.path === "/interrupt")).toBe(true);
  let running = 1;
  while (running > 0 && Date.now() - t0 < 2000) {
    const queue = (await (await fetch(`${fake.url}/queue`)).json()) as { queue_running: unknown[] };
    running = queue.queue_running.length;
    if (running > 0) await new Promise((r) => setTimeout(r, 20));
  }
  expect(running).toBe(0);
  process.stdout.write(`cancel over the WebSocket: job.cancelled after ${seconds.toFixed(2)} s, server idle after ${((Date.now() - t0) / 1000).toFixed(2)} s\n`);
});
