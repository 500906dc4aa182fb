/**
 * One job on a ComfyUI engine: plan the model frames like for a package (the template's fps, sizes and length
 * rule) and split them into windows when one prompt cannot make them all (windows.ts), check the filled templates
 * against the server's /object_info, then for each window upload its conditioning frames as a short clip (the
 * footage, or the frames the window next to it made), run the prompt and download the result into a private temp
 * folder (capped). Last, the windows are decoded in clip order into the shared encoder, which conforms, encodes,
 * labels and publishes exactly as for an ONNX clip. Nothing is published unless every step succeeded; the temp
 * folder is always removed.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TesseraError } from "../../../shared/errors.js";
import type { GenerationRecord, GenerationRequest, JobOutput, JobPhase, Machine } from "../../../shared/protocol.js";
import { quantizeFrames } from "../../../shared/time.js";
import type { RgbFrame } from "../../inference/frames.js";
import type { AudioBed } from "../../media/audio-bed.js";
import { checkPathText, type ConformPlan, type Encoder } from "../../media/index.js";
import type { RenderHooks, RenderJob } from "../../render/generator.js";
import { outputFolderOf } from "../../render/output-files.js";
import { stepsFor } from "../../render/quality.js";
import { conditioningFrames, jobEncoder, jobOutputOf, jobPlan } from "../../render/render-job.js";
import { jobSound } from "../../render/sound.js";
import { FrameSampler, type OutputChecker } from "../../safety/output-check.js";
import type { BinaryPreview } from "./api.js";
import { decodeClip, writeClip } from "./clip-files.js";
import { ComfyClient } from "./client.js";
import { templateFor, type EngineModel, type Sides } from "./models.js";
import { checkGraph, describeProblem, type Graph } from "./object-info.js";
import { pickVideo, runPrompt } from "./prompt-run.js";
import { planEngineWindows, type EngineWindow } from "./windows.js";
import { fillTemplate, modelFiles, type Template, type TemplateValues } from "./templates.js";

export interface EngineRenderContext {
  version: string;
  dataDir: string;
  outputCheck: OutputChecker;
  /** The machine that drives the engine server (the server itself is in the record's engine part). */
  machine: Machine;
}

/** Which of our phases a running node belongs to. */
function phaseOf(classType: string): JobPhase {
  if (/Loader|Load(Video|Image)|GetVideoComponents/.test(classType)) return "load";
  if (/TextEncode|Conditioning$/.test(classType)) return "encode-text";
  if (/Guide|ToVideo|VisionEncode|Preprocess/.test(classType)) return "vae-encode";
  if (/Sampler|Scheduler|ModelSampling/.test(classType)) return "denoise";
  return "decode";
}

// Overall progress: the windows share RUNS_START..RUNS_END; within a window, denoising runs DENOISE_START..END.
const RUNS_START = 0.02;
const RUNS_END = 0.88;
const DENOISE_START = 0.08;
const DENOISE_END = 0.9;

/** Each window has its own noise, as each ONNX window has its own stream; seeds stay within 32 bits. */
export const windowSeed = (seed: number, index: number): number => (seed + index) % 2 ** 32;

async function toPreview(preview: BinaryPreview): Promise<{ jpeg: Uint8Array; width: number; height: number } | null> {
  try {
    const { default: sharp } = await import("sharp");
    const image = sharp(preview.image);
    const meta = await image.metadata();
    if (!meta.width || !meta.height) return null;
    const jpeg = preview.mime === "image/jpeg" ? preview.image : new Uint8Array(await image.jpeg({ quality: 85 }).toBuffer());
    return { jpeg, width: meta.width, height: meta.height };
  } catch {
    return null; // a broken preview is skipped, never a reason to fail the job
  }
}

function describeMissing(template: Template, graph: Graph, problems: ReturnType<typeof checkGraph>, server: string): string {
  const files = modelFiles(template, graph);
  const lines = problems.map((p) => {
    const file = files.find((f) => f.node === p.nodeId && f.input === p.input);
    return file ? `${describeProblem(p)} (put ${file.file} in ComfyUI/models/${file.folder})` : describeProblem(p);
  });
  return `template ${template.manifest.id} does not fit ${server}: ${lines.join("; ")}`;
}

/** Downloads the output; a download that stops is tried once more (nothing was written anywhere else). */
async function download(client: ComfyClient, file: Parameters<ComfyClient["download"]>[0], dest: string, signal: AbortSignal): Promise<number> {
  try {
    return await client.download(file, dest, client.engine.maxDownloadBytes, signal);
  } catch (error) {
    if (!(error instanceof TesseraError) || !/stopped/.test(error.message)) throw error;
    return client.download(file, dest, client.engine.maxDownloadBytes, signal);
  }
}

/** What one window left behind: its downloaded file, where its new frames sit in it and in the clip. */
interface Made {
  window: EngineWindow;
  file: string;
  /** Footage frames placed before the new ones in the file. */
  skip: number;
  promptId: string;
  graph: Graph;
  bytes: number;
}

interface JobContext {
  ctx: EngineRenderContext;
  model: EngineModel;
  job: RenderJob;
  hooks: RenderHooks;
  client: ComfyClient;
  objectInfo: Awaited<ReturnType<ComfyClient["objectInfoFor"]>>;
  temp: string;
  size: { fps: ConformPlan["model"]["fps"]; width: number; height: number };
  count: number;
  progress: (phase: JobPhase, window: number, local: number, step?: number, steps?: number, eta?: number | null) => void;
}

/** The conditioning frames of one side of a window: the footage, or the frames the neighbouring window made. */
async function sideFrames(jc: JobContext, w: EngineWindow, made: readonly Made[], side: keyof Sides, count: number): Promise<RgbFrame[]> {
  const { request } = jc.job;
  const { signal } = jc.hooks;
  if (!w.chained[side]) {
    const source = request.conditioning?.[side];
    if (!source) throw new TesseraError("E_INTERNAL", `No footage ${side} the clip.`);
    return conditioningFrames(source, side === "before" ? "tail" : "head", jc.size, count, request.fit, signal);
  }
  const next = made.find((m) => (side === "before" ? m.window.start + m.window.frames === w.start : m.window.start === w.start + w.frames));
  if (!next || next.window.frames < count) throw new TesseraError("E_INTERNAL", `Window ${w.index + 1} has no ${count} frames to continue from.`);
  const frames: RgbFrame[] = [];
  const skip = next.skip + (side === "before" ? next.window.frames - count : 0);
  await decodeClip(next.file, jc.size, request.fit, { skip, count }, async (data) => void frames.push({ width: jc.size.width, height: jc.size.height, data }), signal);
  return frames;
}

/** A window's template values (uploads named, not yet made), and how many footage frames go on each side. */
interface WindowInput {
  values: TemplateValues;
  before: number;
  after: number;
  tag: string;
}

function windowInput(jc: JobContext, w: EngineWindow): WindowInput {
  const { request, jobId } = jc.job;
  const m = w.template.manifest;
  const cond = m.conditioning;
  // [frames before][the new frames][frames after]: the new frames sit exactly between the two, so a fill joins
  // both sides without a jump; at the end, the frames after fill whatever the length rule adds.
  const before = w.sides.before && cond ? cond.frames : 0;
  const afterMin = w.sides.after && cond ? (cond.afterFrames ?? cond.frames) : 0;
  const length = quantizeFrames(before + w.frames + afterMin, m.video.frames);
  const after = cond?.afterAt === "end" && w.sides.after ? length - before - w.frames : afterMin;
  const tag = jc.count > 1 ? `${jobId}-w${w.index}` : jobId;
  const values: TemplateValues = {
    prompt: request.prompt,
    negativePrompt: request.negativePrompt,
    seed: windowSeed(request.seed, w.index),
    steps: stepsFor(request, m.defaults.steps),
    guidance: request.guidance ?? m.defaults.guidance,
    width: jc.size.width,
    height: jc.size.height,
    length,
    fps: m.video.fps,
    filenamePrefix: `tessera/${jobId.slice(0, 8)}`,
    ...(w.sides.before ? { before: `tessera/${tag}-before.mp4` } : {}),
    ...(w.sides.after ? { after: `tessera/${tag}-after.mp4`, afterIndex: before + w.frames } : {}),
  };
  return { values, before, after, tag };
}

/** Every window's graph against the server's nodes, before the first prompt (no window runs to fail later). */
function checkWindows(jc: JobContext, windows: readonly EngineWindow[]): void {
  for (const w of windows) {
    const problems = checkGraph(fillTemplate(w.template, windowInput(jc, w).values), jc.objectInfo);
    if (problems.length > 0) throw new TesseraError("E_ENGINE_TEMPLATE", describeMissing(w.template, w.template.graph, problems, jc.model.engine.name));
  }
}

async function runWindow(jc: JobContext, w: EngineWindow, made: readonly Made[]): Promise<Made> {
  const { signal } = jc.hooks;
  const m = w.template.manifest;
  const { values, before, after, tag } = windowInput(jc, w);

  for (const side of ["before", "after"] as const) {
    if (!w.sides[side]) continue;
    jc.progress("source-decode", w.index, 0.01);
    const footage = await sideFrames(jc, w, made, side, side === "before" ? before : after);
    const clip = join(jc.temp, `${w.index}-${side}.mp4`);
    await writeClip(footage, jc.size.fps, clip, signal);
    values[side] = await jc.client.upload(await readFile(clip), `${tag}-${side}.mp4`, signal);
  }
  const graph = fillTemplate(w.template, values);
  jc.progress("load", w.index, 0.04);

  let stepStarted = 0;
  let local = 0;
  const result = await runPrompt(jc.client, graph, m.output, {
    signal,
    onNode: (classType) => {
      const phase = phaseOf(classType);
      if (phase !== "denoise") jc.progress(phase, w.index, (local = phase === "decode" ? DENOISE_END : local));
    },
    onStep: (step, steps) => {
      const now = Date.now();
      if (step <= 1 || stepStarted === 0) stepStarted = now;
      const perStep = step > 1 ? (now - stepStarted) / (step - 1) : null;
      // the windows still to come take about as many steps as this one
      const eta = perStep === null ? null : ((steps - step + (jc.count - 1 - w.index) * steps) * perStep) / 1000;
      local = DENOISE_START + (DENOISE_END - DENOISE_START) * (step / Math.max(1, steps));
      jc.progress("denoise", w.index, local, step, steps, eta);
    },
    onPreview: (p) => {
      void toPreview(p).then((image) => image && !signal.aborted && jc.hooks.onPreview({ frameIndex: w.start, ...image }));
    },
    onNotice: (message) => jc.hooks.onNotice?.("warning", message),
  });
  const file = pickVideo(result.files, jc.model.engine.name);
  jc.progress("decode", w.index, 0.95);
  // the server's name goes only into the /view query; locally the file has our own name
  const downloaded = join(jc.temp, `window-${w.index}.video`);
  const bytes = await download(jc.client, file, downloaded, signal);
  jc.progress("decode", w.index, 1);
  return { window: w, file: downloaded, skip: before, promptId: result.promptId, graph, bytes };
}

function recordOf(ctx: EngineRenderContext, model: EngineModel, request: GenerationRequest, made: readonly Made[], device: string, plan: ConformPlan): GenerationRecord {
  const first = made[0]!;
  const files = [...new Set(made.flatMap((w) => modelFiles(w.window.template, w.graph).map((f) => `${f.folder}/${f.file}`)))];
  const shift = Object.values(first.graph).find((n) => typeof n.inputs.shift === "number")?.inputs.shift as number | undefined;
  const sides = { before: request.conditioning?.before !== undefined, after: request.conditioning?.after !== undefined };
  return {
    tool: { name: "Tessera", version: ctx.version },
    model: {
      id: model.id,
      version: first.window.template.manifest.model.version,
      sha256: createHash("sha256").update(JSON.stringify(made.length > 1 ? made.map((w) => w.graph) : first.graph)).digest("hex"),
    },
    prompt: request.prompt,
    negativePrompt: request.negativePrompt,
    seed: request.seed,
    steps: stepsFor(request, first.window.template.manifest.defaults.steps),
    guidance: request.guidance ?? first.window.template.manifest.defaults.guidance,
    shift: shift ?? 0,
    device,
    workflow: request.workflow,
    conditioning: sides.before && sides.after ? "both" : sides.before ? "before" : sides.after ? "after" : null,
    quality: request.quality ?? "final",
    modelSize: [plan.model.width, plan.model.height],
    digitalSourceType: "trainedAlgorithmicMedia",
    createdAt: new Date().toISOString(),
    machine: ctx.machine,
    engine: {
      kind: "comfyui",
      name: model.engine.name,
      server: model.engine.url,
      template: first.window.template.manifest.id,
      modelFiles: files,
      promptId: first.promptId,
      ...(made.length > 1
        ? { windows: made.map((w) => ({ template: w.window.template.manifest.id, promptId: w.promptId, seed: windowSeed(request.seed, w.window.index), frames: w.window.frames })) }
        : {}),
    },
  };
}

export async function renderOnComfy(ctx: EngineRenderContext, model: EngineModel, job: RenderJob, hooks: RenderHooks): Promise<JobOutput> {
  const { request } = job;
  const { signal } = hooks;
  const started = Date.now();
  if (request.loop) {
    // A seamless loop conditions the clip's last window on its own first frames, which no template declares.
    throw new TesseraError("E_BAD_REQUEST", `${model.id} cannot make a seamless loop: loops are made by Tessera's own model packages only.`, {
      hint: "Turn Loop off for this model, or choose a model package (the reference model or an installed one) for a loop.",
    });
  }
  const footage: Sides = { before: request.conditioning?.before !== undefined, after: request.conditioning?.after !== undefined };
  // the model's templates share its video rules; the one for this request plans the frames (a draft at the
  // smallest size for the shape, as for a package)
  const rules = templateFor(model, footage).manifest.video;
  const plan = jobPlan(request, rules);
  const total = plan.model.frames;
  const windows = planEngineWindows(model, total, footage, (frames) => (frames / rules.fps).toFixed(1));
  const count = windows.length;
  const folder = outputFolderOf(job);
  checkPathText(folder);
  await mkdir(folder, { recursive: true });

  let fraction = 0;
  const report = (phase: JobPhase, index: number, value: number, step = 0, steps = 0, etaSeconds: number | null = null): void => {
    fraction = Math.max(fraction, Math.min(1, value));
    hooks.onProgress({ phase, window: { index, count }, step, steps, fraction, etaSeconds });
  };
  const client = new ComfyClient(model.engine);
  const temp = await mkdtemp(join(tmpdir(), "tessera-comfyui-"));
  let encoder: Encoder | undefined;
  let sound: AudioBed | null = null;
  try {
    report("load", 0, 0.01);
    const classes = [...new Set(windows.flatMap((w) => Object.values(w.template.graph).map((node) => node.class_type)))];
    const [stats, objectInfo] = await Promise.all([client.systemStats(signal), client.objectInfoFor(classes, signal)]);
    const jc: JobContext = {
      ctx, model, job, hooks, client, objectInfo, temp, count,
      size: { fps: plan.model.fps, width: plan.model.width, height: plan.model.height },
      progress: (phase, index, local, step, steps, eta) => report(phase, index, RUNS_START + ((RUNS_END - RUNS_START) * (index + local)) / count, step, steps, eta),
    };
    if (count > 1) hooks.onNotice?.("info", `${total} frames are more than one prompt makes: ${count} windows, each after the first continuing from the one before.`);
    checkWindows(jc, windows);
    const made: Made[] = [];
    for (const w of windows) made.push(await runWindow(jc, w, made));

    const record = recordOf(ctx, model, request, made, `${stats.devices[0]?.name ?? "unknown device"} via ${model.engine.name}`, plan);
    // The footage's sound continued under the new frames, from the source media as for a package's clip.
    sound = await jobSound(job, plan, record, hooks);
    encoder = await jobEncoder(job, plan, record, ctx.dataDir, signal, sound);
    const sampler = new FrameSampler(total);
    const writer = encoder;
    // clip order (a head extension was made backward from the footage)
    for (const piece of [...made].sort((a, b) => a.window.start - b.window.start)) {
      const { start, frames } = piece.window;
      await decodeClip(piece.file, jc.size, request.fit, { skip: piece.skip, count: frames }, async (frame, i) => {
        sampler.offer(start + i, jc.size.width, jc.size.height, frame);
        await writer.write(frame);
        report("encode-video", count - 1, RUNS_END + 0.06 * ((start + i) / total));
      }, signal);
    }
    report("encode-video", count - 1, 0.94);
    await ctx.outputCheck.check({ frames: sampler.frames, request });
    report("finalize", count - 1, 0.97);
    const done = await encoder.finish();
    const bytes = made.reduce((sum, w) => sum + w.bytes, 0);
    const prompts = count > 1 ? ` in ${count} windows` : "";
    hooks.onNotice?.("info", `${model.engine.name} made ${record.engine!.template}${prompts} in ${((Date.now() - started) / 1000).toFixed(1)} s (${bytes} bytes downloaded).`);
    report("finalize", count - 1, 1);
    return jobOutputOf(done, plan, record, sound);
  } catch (error) {
    await encoder?.abort();
    if (signal.aborted) throw new TesseraError("E_CANCELLED");
    throw error;
  } finally {
    await sound?.cleanup();
    await rm(temp, { recursive: true, force: true });
  }
}
