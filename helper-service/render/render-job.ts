/**
 * One job, start to finish, inside the inference child process: plan the model frames for the sequence's exact
 * frames (media's conform plan), decode the conditioning footage, run the pipeline, stream its frames in clip
 * order into the encoder (which retimes, scales and encodes), let the output check see sample frames, and only
 * then publish the file (the encoder verifies, writes metadata and renames it into place). Any failure or cancel
 * aborts the encoder, which removes every trace of the file.
 */
import { mkdir } from "node:fs/promises";
import { TesseraError } from "../../shared/errors.js";
import type { ConditioningSource, GenerationRecord, JobOutput, JobPhase, Machine } from "../../shared/protocol.js";
import { framesToSeconds, toNumber, type Rational } from "../../shared/time.js";
import { generate } from "../inference/pipeline.js";
import type { ModelPackage } from "../inference/package.js";
import { DEVICE_LABELS } from "../inference/devices.js";
import type { RgbFrame } from "../inference/frames.js";
import type { AudioBed } from "../media/audio-bed.js";
import {
  checkPathText,
  conformPlan,
  createEncoder,
  readRenderedFrames,
  readSourceFrames,
  type ConformPlan,
  type EncodeResult,
  type Encoder,
  type ModelVideo,
} from "../media/index.js";
import { FrameSampler, type OutputChecker } from "../safety/output-check.js";
import type { RenderHooks, RenderJob } from "./generator.js";
import { finalPathOf, outputFolderOf } from "./output-files.js";
import { sizesFor, stepsFor } from "./quality.js";
import { jobSound } from "./sound.js";

export interface RenderContext {
  pkg: ModelPackage;
  /** sha256 of the package's model.json: identifies the exact package in the record. */
  packageHash: string;
  version: string;
  dataDir: string;
  threads?: number;
  outputCheck: OutputChecker;
  /** Named in the record: this machine, and the farm worker. */
  machine: Machine;
}

/** Share of the job's progress bar the inference takes; decoding footage before and encoding after share the rest. */
const INFERENCE_START = 0.02;
const INFERENCE_END = 0.92;

export async function conditioningFrames(
  source: ConditioningSource,
  at: "tail" | "head",
  model: { fps: Rational; width: number; height: number },
  count: number,
  fit: "fill" | "fit" | "stretch",
  signal: AbortSignal,
): Promise<RgbFrame[]> {
  const common = { at, count, fps: model.fps, width: model.width, height: model.height, fit, signal };
  const read =
    source.kind === "media"
      ? await readSourceFrames({ ...common, path: source.path, inFrame: source.inFrame, outFrame: source.outFrame })
      : await readRenderedFrames({ ...common, paths: source.paths, sourceFps: source.fps });
  return read.frames.map((data) => ({ width: read.width, height: read.height, data }));
}

/** The encoder for a job's file: model frames in (at `source` fps and size), the sequence's frames out. */
export function jobEncoder(
  job: RenderJob,
  plan: ConformPlan,
  record: GenerationRecord,
  dataDir: string,
  signal: AbortSignal,
  sound: AudioBed | null = null,
): Promise<Encoder> {
  const { request } = job;
  return createEncoder({
    format: request.output.format,
    out: finalPathOf(job),
    fps: request.fps,
    width: request.width,
    height: request.height,
    frames: plan.output.frames,
    source: { fps: plan.model.fps, width: plan.model.width, height: plan.model.height },
    fit: request.fit,
    retime: request.retime,
    record,
    outputRoots: [outputFolderOf(job), dataDir],
    // The CLI's --out names the file outright; panel jobs get unique names.
    overwrite: "file" in job.output,
    signal,
    ...(sound ? { audio: { path: sound.path } } : {}),
  });
}

/** What a job returns once its file is published. */
export function jobOutputOf(result: EncodeResult, plan: ConformPlan, record: GenerationRecord, sound: AudioBed | null = null): JobOutput {
  return {
    path: result.path,
    frames: result.frames,
    fps: result.fps,
    width: result.width,
    height: result.height,
    handles: plan.output.handles,
    durationTicks: result.durationTicks,
    sha256: result.sha256,
    record,
    ...(sound ? { audio: true } : {}),
  };
}

/** The conform plan of a job on a model's video rules; a draft is planned at the model's smallest fitting size. */
export function jobPlan(request: RenderJob["request"], video: ModelVideo): ConformPlan {
  const target = { frames: request.frames, handles: request.handles, fps: request.fps, width: request.width, height: request.height, fit: request.fit, retime: request.retime };
  return conformPlan(target, { ...video, sizes: sizesFor(request, video.sizes, target) });
}

export async function renderJob(ctx: RenderContext, job: RenderJob, hooks: RenderHooks): Promise<JobOutput> {
  const { request } = job;
  const m = ctx.pkg.manifest;
  const { signal } = hooks;
  const progress = (phase: JobPhase, fraction: number, step = 0, steps = 0): void =>
    hooks.onProgress({ phase, window: { index: 0, count: 1 }, step, steps, fraction, etaSeconds: null });

  const plan = jobPlan(request, m.video);
  const model = plan.model;
  const folder = outputFolderOf(job);
  checkPathText(folder);
  await mkdir(folder, { recursive: true });

  // Footage next to the new clip, at the model's fps and size.
  let before: RgbFrame[] | undefined;
  let after: RgbFrame[] | undefined;
  if (request.conditioning) {
    progress("source-decode", 0);
    const count = m.capabilities.conditionFrames;
    if (request.conditioning.before) before = await conditioningFrames(request.conditioning.before, "tail", model, count, request.fit, signal);
    if (request.conditioning.after) after = await conditioningFrames(request.conditioning.after, "head", model, count, request.fit, signal);
  }
  if (signal.aborted) throw new TesseraError("E_CANCELLED");

  const steps = stepsFor(request, m.scheduler.steps);
  const guidance = request.guidance ?? m.scheduler.guidance;
  const record: GenerationRecord = {
    tool: { name: "Tessera", version: ctx.version },
    model: { id: m.id, version: m.version, sha256: ctx.packageHash },
    prompt: request.prompt,
    negativePrompt: request.negativePrompt,
    seed: request.seed,
    steps,
    guidance,
    shift: m.scheduler.shift,
    device: "pending",
    workflow: request.workflow,
    conditioning: before && after ? "both" : before ? "before" : after ? "after" : null,
    ...(request.loop ? { loop: true } : {}),
    quality: request.quality ?? "final",
    modelSize: [model.width, model.height],
    digitalSourceType: "trainedAlgorithmicMedia",
    createdAt: new Date().toISOString(),
    machine: ctx.machine,
  };

  let encoder: Encoder | undefined;
  let sound: AudioBed | null = null;
  try {
    // The footage's audio continued under the new frames (extend, fill), ready before the first frame is encoded.
    sound = await jobSound(job, plan, record, hooks);
    const runtime = await ctx.pkg.runtime({ device: "auto", threads: ctx.threads });
    record.device = DEVICE_LABELS[runtime.device];
    encoder = await jobEncoder(job, plan, record, ctx.dataDir, signal, sound);
    const sampler = new FrameSampler(model.frames);
    // A loop is made exactly one period long at the model's rate (its frame `period` is its frame 0 again), and
    // the retimer gets the period's first frames after its last, so the conform blends across the loop point too.
    const period = request.loop ? Math.min(model.frames, Math.max(1, Math.round(framesToSeconds(request.frames, request.fps) * toNumber(model.fps)))) : model.frames;
    const wrap: RgbFrame[] = [];
    const encoderRef = encoder;
    // Frames may arrive out of clip order (a long head extension is made backward): write them in order.
    const pending = new Map<number, RgbFrame>();
    let nextIndex = 0;
    const onFrame = async (frame: RgbFrame, index: number): Promise<void> => {
      if (index >= model.frames) return;
      if (index < model.frames - period) wrap.push({ ...frame, data: frame.data.slice() });
      pending.set(index, frame);
      while (pending.has(nextIndex)) {
        const next = pending.get(nextIndex)!;
        pending.delete(nextIndex);
        sampler.offer(nextIndex, next.width, next.height, next.data);
        await encoderRef.write(next.data);
        nextIndex++;
      }
    };
    await generate(
      ctx.pkg,
      {
        prompt: request.prompt,
        negativePrompt: request.negativePrompt,
        seed: request.seed,
        frames: period,
        size: [model.width, model.height],
        ...(request.loop ? { loop: true } : {}),
        steps,
        guidance,
        conditioning: before || after ? { ...(before ? { before } : {}), ...(after ? { after } : {}) } : undefined,
        threads: ctx.threads,
      },
      {
        signal,
        onProgress: (p) =>
          hooks.onProgress({ ...p, fraction: INFERENCE_START + (INFERENCE_END - INFERENCE_START) * p.fraction }),
        onPreview: (p) => hooks.onPreview({ frameIndex: p.frameIndex, width: p.width, height: p.height, jpeg: p.jpeg }),
        onFrame,
        onNotice: (n) => hooks.onNotice?.("warning", n.message),
      },
    );
    for (let index = period; index < model.frames; index++) await onFrame(wrap[index - period]!, index);
    if (signal.aborted) throw new TesseraError("E_CANCELLED");
    if (nextIndex < model.frames) throw new TesseraError("E_INTERNAL", `The pipeline delivered ${nextIndex} of ${model.frames} frames.`);
    progress("encode-video", 0.94);
    await ctx.outputCheck.check({ frames: sampler.frames, request });
    progress("finalize", 0.97);
    const result = await encoder.finish();
    progress("finalize", 1);
    return jobOutputOf(result, plan, record, sound);
  } catch (error) {
    await encoder?.abort();
    if (signal.aborted) throw new TesseraError("E_CANCELLED");
    throw error;
  } finally {
    await sound?.cleanup();
  }
}
