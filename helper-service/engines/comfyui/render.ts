/**
 * One job on a ComfyUI engine: plan the model frames like for a package (the template's fps, sizes and length
 * rule), check the filled template against the server's /object_info, upload the conditioning frames as a short
 * clip, run the prompt, download the result into a private temp folder (capped), then decode it into the shared
 * encoder, which conforms, encodes, labels and publishes exactly as for an ONNX clip. Nothing is published unless
 * every step succeeded; the temp folder is always removed.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TesseraError } from "../../../shared/errors.js";
import type { GenerationRecord, JobOutput, JobPhase, Machine } from "../../../shared/protocol.js";
import { quantizeFrames } from "../../../shared/time.js";
import type { RgbFrame } from "../../inference/frames.js";
import { checkPathText, conformPlan, type Encoder } from "../../media/index.js";
import type { RenderHooks, RenderJob } from "../../render/generator.js";
import { outputFolderOf } from "../../render/output-files.js";
import { conditioningFrames, jobEncoder, jobOutputOf } from "../../render/render-job.js";
import { FrameSampler, type OutputChecker } from "../../safety/output-check.js";
import type { BinaryPreview } from "./api.js";
import { decodeClip, writeClip } from "./clip-files.js";
import { ComfyClient } from "./client.js";
import { templateFor, type EngineModel } from "./models.js";
import { checkGraph, describeProblem, type Graph } from "./object-info.js";
import { pickVideo, runPrompt } from "./prompt-run.js";
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

const DENOISE_START = 0.05;
const DENOISE_END = 0.8;

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

export async function renderOnComfy(ctx: EngineRenderContext, model: EngineModel, job: RenderJob, hooks: RenderHooks): Promise<JobOutput> {
  const { request } = job;
  const { signal } = hooks;
  const started = Date.now();
  let fraction = 0;
  const progress = (phase: JobPhase, value: number, step = 0, steps = 0, etaSeconds: number | null = null): void => {
    fraction = Math.max(fraction, Math.min(1, value));
    hooks.onProgress({ phase, window: { index: 0, count: 1 }, step, steps, fraction, etaSeconds });
  };
  const sides = { before: request.conditioning?.before !== undefined, after: request.conditioning?.after !== undefined };
  const template = templateFor(model, sides);
  const m = template.manifest;
  const plan = conformPlan(
    { frames: request.frames, handles: request.handles, fps: request.fps, width: request.width, height: request.height, fit: request.fit, retime: request.retime },
    m.video,
  );
  const seconds = (frames: number) => (frames / m.video.fps).toFixed(1);
  const frames = plan.model.frames;
  const cond = m.conditioning;
  const before = sides.before && cond ? cond.frames : 0;
  const afterMin = sides.after && cond ? (cond.afterFrames ?? cond.frames) : 0;
  if (plan.model.windows.length > 1 || before + frames + afterMin > m.video.frames.max) {
    const most = m.video.frames.max - before - afterMin;
    throw new TesseraError("E_DURATION", `${model.id} makes at most ${most} frames (${seconds(most)} s) in one clip; ${frames} were needed.`, {
      hint: "Ask for a shorter clip, or generate it in parts.",
    });
  }
  // [footage before][the new frames][footage after]: the new frames sit exactly between the two, so a fill joins
  // both sides without a jump; at the end, the footage after fills whatever the length rule adds.
  const length = quantizeFrames(before + frames + afterMin, m.video.frames);
  const after = cond?.afterAt === "end" && sides.after ? length - before - frames : afterMin;
  const folder = outputFolderOf(job);
  checkPathText(folder);
  await mkdir(folder, { recursive: true });

  const client = new ComfyClient(model.engine);
  const temp = await mkdtemp(join(tmpdir(), "tessera-comfyui-"));
  let encoder: Encoder | undefined;
  try {
    progress("load", 0.01);
    const classes = Object.values(template.graph).map((node) => node.class_type);
    const [stats, objectInfo] = await Promise.all([client.systemStats(signal), client.objectInfoFor(classes, signal)]);
    const values: TemplateValues = {
      prompt: request.prompt,
      negativePrompt: request.negativePrompt,
      seed: request.seed,
      steps: request.steps ?? m.defaults.steps,
      guidance: request.guidance ?? m.defaults.guidance,
      width: plan.model.width,
      height: plan.model.height,
      length,
      fps: m.video.fps,
      filenamePrefix: `tessera/${job.jobId.slice(0, 8)}`,
      ...(sides.before ? { before: `tessera/${job.jobId}-before.mp4` } : {}),
      ...(sides.after ? { after: `tessera/${job.jobId}-after.mp4`, afterIndex: before + frames } : {}),
    };
    const problems = checkGraph(fillTemplate(template, values), objectInfo);
    if (problems.length > 0) throw new TesseraError("E_ENGINE_TEMPLATE", describeMissing(template, template.graph, problems, model.engine.name));

    // Footage next to the new clip, at the template's fps and size, sent as short clips.
    const model_ = { fps: plan.model.fps, width: plan.model.width, height: plan.model.height };
    for (const side of ["before", "after"] as const) {
      const source = request.conditioning?.[side];
      if (!source) continue;
      progress("source-decode", 0.02);
      const count = side === "before" ? before : after;
      const footage: RgbFrame[] = await conditioningFrames(source, side === "before" ? "tail" : "head", model_, count, request.fit, signal);
      const clip = join(temp, `${side}.mp4`);
      await writeClip(footage, plan.model.fps, clip, signal);
      values[side] = await client.upload(await readFile(clip), `${job.jobId}-${side}.mp4`, signal);
    }
    const graph = fillTemplate(template, values);
    progress("load", 0.04);

    let stepStarted = 0;
    const result = await runPrompt(client, graph, m.output, {
      signal,
      onNode: (classType) => {
        const phase = phaseOf(classType);
        if (phase !== "denoise") progress(phase, phase === "decode" ? DENOISE_END : fraction);
      },
      onStep: (step, steps) => {
        const now = Date.now();
        if (step <= 1 || stepStarted === 0) stepStarted = now;
        const perStep = step > 1 ? (now - stepStarted) / (step - 1) : null;
        const eta = perStep === null ? null : ((steps - step) * perStep) / 1000;
        progress("denoise", DENOISE_START + (DENOISE_END - DENOISE_START) * (step / Math.max(1, steps)), step, steps, eta);
      },
      onPreview: (p) => {
        void toPreview(p).then((image) => image && !signal.aborted && hooks.onPreview({ frameIndex: 0, ...image }));
      },
      onNotice: (message) => hooks.onNotice?.("warning", message),
    });
    const file = pickVideo(result.files, model.engine.name);
    progress("decode", 0.85);
    // the server's name goes only into the /view query; locally the file has our own name
    const downloaded = join(temp, "output.video");
    const bytes = await download(client, file, downloaded, signal);
    progress("encode-video", 0.88);

    const files = modelFiles(template, graph);
    const shift = Object.values(graph).find((n) => typeof n.inputs.shift === "number")?.inputs.shift as number | undefined;
    const record: GenerationRecord = {
      tool: { name: "Tessera", version: ctx.version },
      model: { id: model.id, version: m.model.version, sha256: createHash("sha256").update(JSON.stringify(graph)).digest("hex") },
      prompt: request.prompt,
      negativePrompt: request.negativePrompt,
      seed: request.seed,
      steps: values.steps,
      guidance: values.guidance,
      shift: shift ?? 0,
      device: `${stats.devices[0]?.name ?? "unknown device"} via ${model.engine.name}`,
      workflow: request.workflow,
      conditioning: sides.before && sides.after ? "both" : sides.before ? "before" : sides.after ? "after" : null,
      digitalSourceType: "trainedAlgorithmicMedia",
      createdAt: new Date().toISOString(),
      machine: ctx.machine,
      engine: {
        kind: "comfyui",
        name: model.engine.name,
        server: model.engine.url,
        template: m.id,
        modelFiles: files.map((f) => `${f.folder}/${f.file}`),
        promptId: result.promptId,
      },
    };
    encoder = await jobEncoder(job, plan, record, ctx.dataDir, signal);
    const sampler = new FrameSampler(frames);
    const writer = encoder;
    await decodeClip(downloaded, model_, request.fit, { skip: before, count: frames }, async (frame, index) => {
      sampler.offer(index, model_.width, model_.height, frame);
      await writer.write(frame);
      progress("encode-video", 0.88 + 0.06 * (index / frames));
    }, signal);
    progress("encode-video", 0.94);
    await ctx.outputCheck.check({ frames: sampler.frames, request });
    progress("finalize", 0.97);
    const done = await encoder.finish();
    hooks.onNotice?.("info", `${model.engine.name} made ${m.id} in ${((Date.now() - started) / 1000).toFixed(1)} s (${bytes} bytes downloaded).`);
    progress("finalize", 1);
    return jobOutputOf(done, plan, record);
  } catch (error) {
    await encoder?.abort();
    if (signal.aborted) throw new TesseraError("E_CANCELLED");
    throw error;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
