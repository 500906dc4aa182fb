/**
 * Text (and optionally footage next to the new frames) to RGB frames with a model package. It knows nothing of
 * jobs, sockets or files: the helper's inference worker calls it and turns the callbacks into protocol messages.
 *
 *   const pkg = await ModelPackage.load(dir);             // model.json + sha256 checked; sessions open lazily
 *   const summary = await generate(pkg, request, hooks);  // resolves when the last frame was delivered
 *   await pkg.dispose();                                  // when the worker stops (packages are reused by jobs)
 *
 * request (InferenceRequestInput, request.ts): prompt, negativePrompt = "", seed, frames (at the model's fps),
 *   size [w, h] (one of video.sizes), steps / guidance / shift (default: the package's scheduler), conditioning
 *   {before?: RgbFrame[], after?: RgbFrame[]} (frames at the model's fps and size: before = tail extend, after =
 *   head extend, both = gap fill), threads, device ("auto" | "cpu" | "cuda" | "dml" | "coreml" | "webgpu"),
 *   windowFrames (default video.frames.max).
 * hooks (GenerateHooks): signal (checked before every step; a cancel rejects with E_CANCELLED), onProgress
 *   (phase, window, step, fraction, ETA), onPreview (JPEG of the clean-latent estimate, at most every
 *   previewIntervalMs), onFrame(frame, index) (uint8 RGB H x W x 3, awaited: return a promise for backpressure),
 *   onNotice (device fallback, prompt cut at maxTokens, live previews failing).
 * Frames arrive window by window as each is decoded, in clip order, except for a head extension longer than one
 * window: its windows are made backward from the footage, so they arrive last-first (`index` is always the
 * frame's place in the clip; `summary.order` says which).
 * Same package, request, device and thread count give the same frames.
 */
import { TesseraError } from "../../shared/errors.js";
import { assembleConditioning, NeighbourFrames, timesAfter, timesBefore, type ConditionPart } from "./conditioning.js";
import { DenoiserCall } from "./denoiser.js";
import type { Device, Notice } from "./devices.js";
import { framesToTensor, tensorFrame, type RgbFrame } from "./frames.js";
import { decodeLatents, encodeFrames, encodeText } from "./graphs.js";
import { combineGuidance, guidanceBatch } from "./guidance.js";
import { denormalizeLatents, initialNoise, latentDims, latentShape, normalizeLatents } from "./latents.js";
import { classifyRunError, type MemoryContext } from "./oom.js";
import type { ModelPackage, ModelRuntime } from "./package.js";
import { LivePreviews, type Preview } from "./preview.js";
import { ProgressTracker, type ProgressEvent } from "./progress.js";
import { resolveRequest, type InferenceRequestInput } from "./request.js";
import { eulerStep, flowMatchGrid } from "./scheduler.js";

export interface GenerateHooks {
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  onPreview?: (preview: Preview) => void;
  onFrame?: (frame: RgbFrame, index: number) => void | Promise<void>;
  onNotice?: (notice: Notice) => void;
  /** Least time between two previews (default 250 ms). */
  previewIntervalMs?: number;
}

export interface GenerateSummary {
  frames: number;
  size: [number, number];
  fps: number;
  seed: number;
  steps: number;
  guidance: number;
  shift: number;
  device: Device;
  threads: number;
  windows: number;
  order: "forward" | "backward";
  notices: Notice[];
  timings: {
    totalMs: number;
    /** Wall time of the denoising loops, and the part of it spent inside session.run. */
    denoiseMs: number;
    sessionRunMs: number;
    decodeMs: number;
    firstPreviewMs: number | null;
  };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TesseraError("E_CANCELLED");
}

async function guarded<T>(work: Promise<T>, memory: MemoryContext, what: string): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw classifyRunError(error, memory, what);
  }
}

/** Encodes `frames` as their own fresh causal clip: z_model latents [C, m, H, W]. */
async function conditionLatents(runtime: ModelRuntime, pkg: ModelPackage, frames: readonly RgbFrame[], size: [number, number]) {
  const m = pkg.manifest;
  const pixels = framesToTensor(frames, size[0], size[1]);
  const z = await encodeFrames(await runtime.session("vaeEncoder"), m, pixels, frames.length, size);
  return normalizeLatents(z, m);
}

export async function generate(pkg: ModelPackage, input: InferenceRequestInput, hooks: GenerateHooks = {}): Promise<GenerateSummary> {
  const started = performance.now();
  const m = pkg.manifest;
  const { signal } = hooks;
  const notices: Notice[] = [];
  const notice = (n: Notice) => {
    notices.push(n);
    hooks.onNotice?.(n);
  };
  const timings = { denoiseMs: 0, sessionRunMs: 0, decodeMs: 0 };

  // 1. Check inputs against the package (size, frames, conditioning, capabilities) and plan the windows.
  const request = resolveRequest(input, m);
  const { plan, size, steps, guidance } = request;
  const [width, height] = size;
  const memory: MemoryContext = { manifest: m, size, windowFrames: request.windowFrames };
  const progress = new ProgressTracker(plan.windows.length, steps, hooks.onProgress);
  throwIfAborted(signal);

  // 2. Open the sessions on the preferred device (falling back to the CPU with a notice).
  progress.report("load", 0);
  const runtime = await pkg.runtime({ device: request.device, threads: request.threads });
  runtime.notices.forEach(notice);
  throwIfAborted(signal);

  // 3. Tokenize and encode the prompt, and the negative prompt as guidance's unconditional branch.
  progress.report("encode-text", 0);
  const batch = guidanceBatch(guidance);
  const prompts = batch === 2 ? [request.prompt, request.negativePrompt] : [request.prompt];
  const tokens = (await pkg.tokenizer()).encode(prompts);
  tokens.dropped.forEach((dropped, i) => {
    if (dropped > 0) {
      const which = i === 0 ? "prompt" : "negative prompt";
      notice({ code: "PROMPT_TRUNCATED", message: `The ${which} is ${dropped} tokens longer than the ${m.text.maxTokens} the model reads; the end was cut.` });
    }
  });
  const embeds = await guarded(encodeText(await runtime.session("textEncoder"), m, tokens), memory, "Encoding the prompt");
  const text = { embeds, mask: tokens.mask, tokens: tokens.tokens };

  // 4. The shifted time grid: steps + 1 points from 1 to 0; the model is fed these shifted times.
  const grid = flowMatchGrid(steps, request.shift);
  const neighbours = new NeighbourFrames(request.before, request.after, m.capabilities.conditionFrames);
  const previews = hooks.onPreview
    ? new LivePreviews(m, size, hooks.onPreview, hooks.previewIntervalMs, started, (message) => notice({ code: "PREVIEW_FAILED", message }))
    : null;

  // A loop's first frames, kept to condition its last window (the clip follows itself).
  const opening: RgbFrame[] = [];
  for (const window of plan.windows) {
    const shape = latentShape(m, window.frames, size);
    if (plan.placement === "loop" && window.after) neighbours.followedBy(opening);

    // 5. Conditioning latents: the frames next to the window, encoded as their own fresh causal clip.
    const parts: ConditionPart[] = [];
    if (window.before || window.after) progress.report("vae-encode", window.index);
    if (window.before) {
      const latents = await guarded(conditionLatents(runtime, pkg, neighbours.before, size), memory, "Encoding the footage");
      parts.push({ latents, times: timesBefore(m) });
    }
    if (window.after) {
      const latents = await guarded(conditionLatents(runtime, pkg, neighbours.after, size), memory, "Encoding the footage");
      parts.push({ latents, times: timesAfter(m, window.frames) });
    }
    const cond = assembleConditioning(shape, parts);

    // 6. Seeded Gaussian starting latents (prng.ts documents the generator), one noise stream per window.
    const x = initialNoise(shape, request.seed, window.index);

    // 7. Denoise: one batched run per step (conditional + unconditional), guidance, then an Euler step.
    const denoiser = new DenoiserCall(await runtime.session("denoiser"), m, shape, batch, text, cond);
    const v = new Float32Array(x.length);
    const loopStarted = performance.now();
    for (let i = 0; i < steps; i++) {
      throwIfAborted(signal);
      const stepStarted = performance.now();
      const raw = await guarded(denoiser.velocity(x, grid[i]!), memory, "Denoising");
      combineGuidance(v, raw, guidance);
      eulerStep(x, v, grid[i]!, grid[i + 1]!);
      progress.stepDone(performance.now() - stepStarted);
      progress.report("denoise", window.index, i + 1);
      await previews?.afterStep(x, v, grid[i + 1]!, shape, { window: window.index, start: window.start, step: i + 1, steps });
    }
    timings.denoiseMs += performance.now() - loopStarted;
    timings.sessionRunMs += denoiser.runMs;
    throwIfAborted(signal);

    // 8. Decode (raw VAE latents = z_model * std + mean) and stream the window's kept frames out.
    progress.report("decode", window.index, steps);
    const decodeStarted = performance.now();
    const zVae = denormalizeLatents(new Float32Array(x.length), x, m);
    const pixels = await guarded(decodeLatents(await runtime.session("vaeDecoder"), m, zVae, latentDims(shape)), memory, "Decoding");
    const kept: RgbFrame[] = [];
    for (let t = window.keepFrom; t < window.keepTo; t++) kept.push(tensorFrame(pixels, window.frames, t, width, height));
    progress.decodeDone(performance.now() - decodeStarted);
    progress.report("decode", window.index, steps);
    timings.decodeMs += performance.now() - decodeStarted;
    if (plan.order === "forward") neighbours.appended(kept);
    else neighbours.prepended(kept);
    if (plan.placement === "loop" && opening.length < m.capabilities.conditionFrames) opening.push(...kept.slice(0, m.capabilities.conditionFrames - opening.length));
    for (const [i, frame] of kept.entries()) await hooks.onFrame?.(frame, window.start + window.keepFrom + i);
  }

  await previews?.settle();

  // 9. What was made, and how.
  return {
    frames: plan.total,
    size: [width, height],
    fps: m.video.fps,
    seed: request.seed,
    steps,
    guidance,
    shift: request.shift,
    device: runtime.device,
    threads: runtime.threads,
    windows: plan.windows.length,
    order: plan.order,
    notices,
    timings: { totalMs: performance.now() - started, ...timings, firstPreviewMs: previews?.firstMs ?? null },
  };
}
