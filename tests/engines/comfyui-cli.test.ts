/**
 * A ComfyUI engine driven as a user drives it, through the real `tessera` command against the fake server:
 * engines add / list, models, doctor, generate and extend (files checked with ffprobe, the record naming the
 * engine), Ctrl-C, a server killed mid-job, a template that does not fit, a server that is not there.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadTemplates } from "../../helper-service/engines/comfyui/templates.js";
import { locateMediaTools } from "../../helper-service/media/index.js";
import { BIN, NO_REFERENCE, start, tessera } from "../cli/support.js";
import { makeSourceWithSound } from "../support/sound.js";
import { tempDir } from "../server/support.js";
import { DEFAULT_MODELS } from "./fake-comfyui/object-info.js";
import { FakeComfyUI } from "./fake-comfyui/server.js";

jest.setTimeout(90_000);

const ffprobe = (path: string) =>
  execFileSync(locateMediaTools().ffprobe.path, ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames,r_frame_rate,width,height", "-of", "csv=p=0", path], { encoding: "utf8" }).trim();

let fake: FakeComfyUI;
let dataDir: string;
let out: string;
const cli = (args: string[]) => tessera([...args, "--data-dir", dataDir], { timeoutMs: 80_000 });
const history = async () => JSON.parse((await cli(["history", "--json", "--limit", "1"])).stdout) as [{ state: string; error?: { message: string }; output?: { record: Record<string, unknown> } }];

beforeAll(async () => {
  fake = await FakeComfyUI.start({ stepMs: 20, token: "engine-secret" });
  dataDir = tempDir();
  out = tempDir("tessera-engine-out-");
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.fault = null;
  fake.stepMs = 20;
  fake.models = DEFAULT_MODELS;
});

test("engines add stores the server with its token private, and lists its state, GPU and templates", async () => {
  const added = await cli(["engines", "add", "comfyui", fake.url, "--name", "studio-gpu", "--token", "engine-secret"]);
  expect(added.code).toBe(0);
  expect(added.stdout).toContain(`added studio-gpu (comfyui at ${fake.url}, with a token)`);
  expect(added.stdout + added.stderr).not.toContain("engine-secret");
  expect(statSync(join(dataDir, "engines.json")).mode & 0o777).toBe(0o600);
  const listed = await cli(["engines"]);
  expect(listed.stdout).toMatch(/studio-gpu {2}comfyui {2}http:\/\/127\.0\.0\.1:\d+ {2}reachable: ComfyUI 0\.3\.64, cuda:0 NVIDIA GeForce RTX 4090.*GB VRAM free/);
  expect(listed.stdout).toMatch(/ready {3}ltxv-guides \(studio-gpu\/ltx-video-2b\)/);
  // the helper's own token never goes to the engine
  const helperToken = existsSync(join(dataDir, "token")) ? readFileSync(join(dataDir, "token"), "utf8").trim() : "no-token";
  expect(JSON.stringify(fake.requests.map((r) => r.headers))).not.toContain(helperToken);
});

test("engines add --token - reads the token from stdin, so it stays out of the shell history", async () => {
  const dir = tempDir();
  // not spawnSync: the fake server in this process must keep answering
  const child = spawn(process.execPath, [BIN, "engines", "add", "comfyui", fake.url, "--name", "piped", "--token", "-", "--data-dir", dir], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stdin.end("engine-secret\n");
  const status = await new Promise<number | null>((r) => child.on("exit", r));
  const result = { status, stdout };
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/added piped \(comfyui at .*, with a token\)\npiped {2}comfyui .* reachable/);
  expect(JSON.parse(readFileSync(join(dir, "engines.json"), "utf8")).engines[0].token).toBe("engine-secret");
});

test("models lists the engine's models with capabilities and length rules next to the packages", async () => {
  const result = await cli(["models"]);
  expect(result.stdout).toContain("studio-gpu/ltx-video-2b 0.9.5  LTX-Video 2B via studio-gpu: text to video, tail extend, head extend, gap fill; 24 fps, 768x512 512x768 640x640, up to 257 frames\n");
  expect(result.stdout).toContain("studio-gpu/wan-2.1 2.1  Wan 2.1 via studio-gpu");
});

test("doctor names a missing model file per template, with where to put it", async () => {
  fake.models = { ...DEFAULT_MODELS, diffusion_models: ["wan2.1_t2v_1.3B_fp16.safetensors"] };
  const result = await cli(["doctor"]);
  expect(result.stdout).toMatch(/ok {4}engine studio-gpu: .*ComfyUI 0\.3\.64/);
  expect(result.stdout).toMatch(/ok {4}engine studio-gpu wan21-t2v: nodes and model files present/);
  expect(result.stdout).toContain("warn  engine studio-gpu wan21-flf: missing for studio-gpu/wan-2.1: model file wan2.1_flf2v_720p_14B_fp16.safetensors");
  expect(result.stdout).toContain("fix: model file wan2.1_flf2v_720p_14B_fp16.safetensors: put it in ComfyUI/models/diffusion_models");
});

test("generate makes a clip on the engine, conformed to the sequence, with a record naming engine, template, files and seed", async () => {
  const file = join(out, "lighthouse.mp4");
  const result = await cli(["generate", "a lighthouse at dusk", "--model", "studio-gpu/ltx-video-2b", "--seconds", "1", "--fps", "25", "--size", "1280x720", "--seed", "99", "--steps", "4", "--out", file]);
  expect(result.stderr).not.toContain("engine-secret");
  expect(result.code).toBe(0);
  expect(result.stdout).toBe(`wrote ${file} (25 frames at 25/1 fps, 1280x720, seed 99)\n`);
  expect(ffprobe(file)).toBe("1280,720,25/1,25");
  const graph = fake.prompts.at(-1)!;
  // 24 sequence frames at 25 fps need 25 model frames at 24 fps (+1 to interpolate), so 33 in the 8n+1 rule
  expect(graph["6"]!.inputs).toMatchObject({ width: 768, height: 512, length: 33 });
  expect(graph["9"]!.inputs.noise_seed).toBe(99);
  const [item] = await history();
  expect(item.state).toBe("done");
  expect(item.output!.record).toMatchObject({
    model: { id: "studio-gpu/ltx-video-2b" },
    seed: 99,
    device: "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync via studio-gpu",
    engine: { kind: "comfyui", name: "studio-gpu", server: fake.url, template: "ltxv-t2v", modelFiles: ["checkpoints/ltx-video-2b-v0.9.5.safetensors", "text_encoders/t5xxl_fp16.safetensors"] },
  });
  // the engine's token is in engines.json only: not in the logs, the audit log, the history database or the file
  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
  const holding = [...files(dataDir), file].filter((f) => readFileSync(f).includes("engine-secret"));
  expect(holding).toEqual([join(dataDir, "engines.json")]);
});

test("history --rerun sends the same graph to the same engine, so the clip is made again", async () => {
  const [item] = (await history()) as unknown as [{ jobId: string; state: string }];
  const first = fake.prompts.at(-1)!;
  const file = join(out, "lighthouse-again.mp4");
  const result = await cli(["history", "--rerun", item.jobId, "--out", file]);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain("seed 99");
  const again = fake.prompts.at(-1)!;
  expect(again).not.toBe(first);
  // identical but for the file name prefix, which carries the job id
  const strip = (g: typeof first) => JSON.stringify({ ...g, "12": { ...g["12"], inputs: { ...g["12"]!.inputs, filename_prefix: "" } } });
  expect(strip(again)).toBe(strip(first));
});

test("extend at the head sends the clip's first frames as a guide clip and writes only the new frames", async () => {
  const source = join(out, "lighthouse.mp4");
  const file = join(out, "before-lighthouse.mp4");
  const result = await cli(["extend", "--source", source, "--at", "head", "--seconds", "0.5", "--model", "studio-gpu/ltx-video-2b", "--steps", "3", "--out", file]);
  expect(result.stderr).toBe(result.stderr.replace(/tessera: (?!notice)/g, "")); // no error lines
  expect(result.code).toBe(0);
  expect(ffprobe(file)).toBe("1280,720,25/1,13");
  const graph = fake.prompts.at(-1)!;
  expect(graph["30"]!.inputs.file).toMatch(/^tessera\/.*-after\.mp4$/); // uploaded through /upload/image
  expect(graph["20"]).toBeUndefined();
  // 13 frames at 25 fps need 14 model frames at 24 fps; the first frame of the source is the one guide right
  // after them (a single-frame guide is the only kind LTXVAddGuide places at an exact index)
  expect(graph["33"]!.inputs.frame_idx).toBe(14);
  expect(graph["6"]!.inputs.length).toBe(17);
  const uploaded = readdirSync(join(fake.root, "input", "tessera"));
  expect(uploaded.some((f) => f.endsWith("-after.mp4"))).toBe(true);
});

test("with no ONNX package at all (TESSERA_REFERENCE_DIR empty) an engine job still runs", async () => {
  const file = join(out, "no-package.mp4");
  const args = ["generate", "a quiet harbour", "--model", "studio-gpu/ltx-video-2b", "--seconds", "1", "--fps", "24", "--size", "768x512", "--seed", "5", "--steps", "3", "--out", file];
  const result = await tessera([...args, "--data-dir", dataDir], { env: NO_REFERENCE, timeoutMs: 80_000 });
  expect(result.stderr).not.toMatch(/could not be loaded|no model installed/);
  expect(result.code).toBe(0);
  expect(result.stdout).toBe(`wrote ${file} (24 frames at 24/1 fps, 768x512, seed 5)\n`);
  expect(ffprobe(file)).toBe("768,512,24/1,24");
  // and the list says there is no package, next to the engine's models
  const models = await tessera(["models", "--data-dir", dataDir], { env: NO_REFERENCE });
  expect(models.stdout).toMatch(/^no model installed/);
  expect(models.stdout).toContain("studio-gpu/ltx-video-2b 0.9.5  LTX-Video 2B via studio-gpu");
});

test("an engine extension continues the footage's sound under the new frames, as a package's does", async () => {
  const source = join(out, "room.mp4");
  makeSourceWithSound(source, { seconds: 2, fps: 24 });
  const file = join(out, "room-tail.mov");
  const result = await cli(["extend", "--source", source, "--at", "tail", "--seconds", "0.5", "--model", "studio-gpu/ltx-video-2b", "--steps", "3", "--out", file]);
  expect(result.code).toBe(0);
  // ProRes carries PCM sound, as long as the picture
  const streams = execFileSync(locateMediaTools().ffprobe.path, ["-v", "error", "-show_entries", "stream=codec_type,codec_name,duration", "-of", "csv=p=0", file], { encoding: "utf8" }).trim().split("\n");
  const audio = streams.find((l) => l.includes("audio"))?.split(",");
  const video = streams.find((l) => l.includes("video"))?.split(",");
  expect(audio?.[0]).toBe("pcm_s24le");
  expect(Math.abs(Number(audio?.[2]) - Number(video?.[2]))).toBeLessThan(0.05);
  const sidecar = JSON.parse(readFileSync(`${file}.tessera.json`, "utf8")) as { record: { audio: unknown; engine: { name: string } } };
  expect(sidecar.record).toMatchObject({ audio: { mode: "extend", continued: ["before"] }, engine: { name: "studio-gpu" } });
  // --audio none: the same extension without sound
  const silent = join(out, "room-tail-silent.mov");
  expect((await cli(["extend", "--source", source, "--at", "tail", "--seconds", "0.5", "--model", "studio-gpu/ltx-video-2b", "--steps", "3", "--audio", "none", "--out", silent])).code).toBe(0);
  expect(execFileSync(locateMediaTools().ffprobe.path, ["-v", "error", "-select_streams", "a", "-show_entries", "stream=codec_name", "-of", "csv=p=0", silent], { encoding: "utf8" }).trim()).toBe("");
});

test("a draft on the engine runs a quarter of the template's steps at its smallest size for the shape", async () => {
  const file = join(out, "draft.mp4");
  const result = await cli(["generate", "a reef", "--draft", "--model", "studio-gpu/ltx-video-2b", "--seconds", "1", "--fps", "24", "--size", "1920x1080", "--seed", "7", "--out", file]);
  expect(result.code).toBe(0);
  const graph = fake.prompts.at(-1)!;
  expect(graph["7"]!.inputs.steps).toBe(8); // 30 / 4
  expect(graph["6"]!.inputs).toMatchObject({ width: 768, height: 512 });
  expect(ffprobe(file)).toBe("1920,1080,24/1,24");
  const [item] = await history();
  expect(item.output!.record).toMatchObject({ quality: "draft", modelSize: [768, 512], steps: 8, seed: 7 });
});

test("a loop on the engine is refused before anything is sent, saying which models make loops", async () => {
  const posted = fake.prompts.length;
  const file = join(out, "loop.mp4");
  const result = await cli(["generate", "waves", "--loop", "--model", "studio-gpu/ltx-video-2b", "--seconds", "1", "--out", file]);
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain("studio-gpu/ltx-video-2b cannot make a seamless loop");
  expect(result.stderr).toContain("choose a model package");
  expect(fake.prompts.length).toBe(posted);
  expect(existsSync(file)).toBe(false);
});

test("Ctrl-C cancels the prompt on the server within 2 s and leaves no file", async () => {
  fake.stepMs = 500;
  const file = join(out, "cancelled.mp4");
  const run = start(process.execPath, [BIN, "generate", "a slow pan", "--model", "studio-gpu/wan-2.1", "--seconds", "1", "--steps", "30", "--out", file, "--data-dir", dataDir]);
  const deadline = Date.now() + 30_000;
  while (!fake.requests.some((r) => r.path === "/prompt" && r.method === "POST" && fake.prompts.at(-1)?.["9"]?.inputs.steps === 30)) {
    if (Date.now() > deadline) throw new Error(run.stderr());
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 800));
  const t0 = Date.now();
  run.proc.kill("SIGINT");
  const code = await run.exited;
  const seconds = (Date.now() - t0) / 1000;
  expect(code).toBe(1);
  expect(seconds).toBeLessThan(2);
  expect(run.stderr()).toContain("The job was cancelled.");
  expect(fake.requests.some((r) => r.path === "/interrupt")).toBe(true);
  expect(existsSync(file)).toBe(false);
  expect((await history())[0].state).toBe("cancelled");
  process.stdout.write(`cancel to exit: ${seconds.toFixed(2)} s\n`);
});

test("a template that does not fit the server is refused before anything is submitted, naming node and input", async () => {
  const wrong = join(dataDir, "comfyui-templates", "ltxv-t2v");
  mkdirSync(wrong, { recursive: true });
  const builtin = loadTemplates([]).templates.find((t) => t.manifest.id === "ltxv-t2v")!;
  const graph = structuredClone(builtin.graph);
  graph["8"] = { class_type: "KSamplerSelect", inputs: { sampler_name: "dpm_fancy" } };
  graph["6"]!.class_type = "EmptyLTXVLatentVideoPro";
  writeFileSync(join(wrong, "workflow.json"), JSON.stringify(graph));
  writeFileSync(join(wrong, "manifest.json"), readFileSync(join(builtin.dir, "manifest.json")));
  const posted = fake.prompts.length;
  try {
    const result = await cli(["generate", "a kite", "--model", "studio-gpu/ltx-video-2b", "--seconds", "1", "--out", join(out, "wrong.mp4")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("The workflow template does not fit the engine server.");
    expect(result.stderr).toContain("node 6 (EmptyLTXVLatentVideoPro): the server has no node EmptyLTXVLatentVideoPro");
    expect(result.stderr).toContain('node 8 (KSamplerSelect) input "sampler_name": "dpm_fancy" is not among the server\'s options');
    expect(fake.prompts.length).toBe(posted);
    expect(existsSync(join(out, "wrong.mp4"))).toBe(false);
  } finally {
    execFileSync("rm", ["-rf", join(dataDir, "comfyui-templates")]);
  }
});

test("the server killed mid-job: one clear error, no partial file, and history says what happened", async () => {
  fake.stepMs = 300;
  const file = join(out, "killed.mp4");
  const run = start(process.execPath, [BIN, "generate", "a storm", "--model", "studio-gpu/wan-2.1", "--seconds", "1", "--steps", "20", "--out", file, "--data-dir", dataDir]);
  const posted = fake.prompts.length;
  const deadline = Date.now() + 30_000;
  while (fake.prompts.length === posted) {
    if (Date.now() > deadline) throw new Error(run.stderr());
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 600));
  await fake.kill();
  const code = await run.exited;
  expect(code).toBe(1);
  expect(run.stderr()).toMatch(/The engine server could not be reached\. studio-gpu: the connection to http:\/\/127\.0\.0\.1:\d+ was lost during the job/);
  expect(readdirSync(out).filter((f) => f.includes("killed"))).toEqual([]);
  const [item] = await history();
  expect(item.state).toBe("failed");
  expect(item.error!.message).toContain("was lost during the job");
  fake = await FakeComfyUI.start({ stepMs: 20, token: "engine-secret" });
});

test("an engine that is not there: generate fails at once with the address and the fix", async () => {
  await cli(["engines", "add", "comfyui", "http://127.0.0.1:9", "--name", "gone"]);
  const result = await cli(["generate", "a kite", "--model", "gone/wan-2.1", "--seconds", "1", "--out", join(out, "gone.mp4")]);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain("tessera: The engine server could not be reached. gone at http://127.0.0.1:9:");
  expect(result.stderr).toContain("fix: Check that the server runs");
});
