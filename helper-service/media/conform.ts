// Conform: the model makes frames at its own fps and size; the sequence wants exactly N frames (+ handles) at its
// rational fps and size. This file plans how many model frames to make (in the model's frame grammar, split into
// windows) and builds the ffmpeg filters that retime and scale them. The encoder runs those filters.
import { TesseraError } from "../../shared/errors.js";
import { BT709_SCALE, YCBCR_FORMATS, type YCbCrFormat } from "./args.js";
import type { FitModeSchema, RetimeModeSchema } from "../../shared/protocol.js";
import {
  formatFrameRate,
  largestGrammarFrames,
  modelFramesFor,
  parseFrameRate,
  quantizeFrames,
  rationalEquals,
  reduce,
  type FrameGrammar,
  type FrameRate,
  type Rational,
} from "../../shared/time.js";
import type { z } from "zod";

export type FitMode = z.infer<typeof FitModeSchema>;
export type RetimeMode = z.infer<typeof RetimeModeSchema>;

export interface FrameSize {
  width: number;
  height: number;
}

/** What the model package declares about its video (model.json `video`). */
export interface ModelVideo {
  fps: number | Rational;
  /** [width, height] pairs. */
  sizes: readonly (readonly [number, number])[];
  frames: FrameGrammar;
}

/** What the sequence needs. `frames` excludes handles. */
export interface ConformTarget extends FrameSize {
  frames: number;
  handles?: number;
  fps: Rational;
  fit?: FitMode;
  retime?: RetimeMode;
}

export interface ConformPlan {
  output: FrameSize & {
    fps: FrameRate;
    /** Frames in the file: requested + 2 * handles. */
    frames: number;
    handles: number;
    requested: number;
  };
  model: FrameSize & {
    fps: FrameRate;
    /** Model frames that cover the output (the pipeline must deliver at least this many). */
    frames: number;
    /** Frames per generation window, each in the model's grammar; they sum to >= `frames`. */
    windows: number[];
  };
  fit: FitMode;
  retime: RetimeMode;
}

export function modelFps(model: ModelVideo): FrameRate {
  return typeof model.fps === "number" ? parseFrameRate(model.fps) : reduce(model.fps);
}

/**
 * The model size whose aspect ratio is nearest the sequence's (compared on a log scale, so 2:1 vs 1:1 is as far as
 * 1:1 vs 1:2); ties go to the larger size. Nearest aspect means fill/crop cuts the least, keeping the subject in.
 */
export function chooseModelSize(sizes: ModelVideo["sizes"], target: FrameSize): FrameSize {
  if (sizes.length === 0) throw new TesseraError("E_MODEL_INVALID", "The model lists no frame sizes.");
  const want = Math.log(target.width / target.height);
  let best: FrameSize | undefined;
  let bestScore = Infinity;
  for (const [width, height] of sizes) {
    const score = Math.abs(Math.log(width / height) - want);
    const better = score < bestScore - 1e-9 || (Math.abs(score - bestScore) <= 1e-9 && best && width * height > best.width * best.height);
    if (better) {
      best = { width, height };
      bestScore = score;
    }
  }
  return best as FrameSize;
}

// The panel plans durations with the same rule, so it lives in shared/time.ts.
export { modelFramesFor };

/** Splits `frames` into windows of the model's largest count; the last window is the smallest count that fits. */
export function planWindows(frames: number, grammar: FrameGrammar): number[] {
  const largest = largestGrammarFrames(grammar);
  const windows: number[] = [];
  let remaining = frames;
  while (remaining > largest) {
    windows.push(largest);
    remaining -= largest;
  }
  windows.push(quantizeFrames(Math.max(1, remaining), grammar));
  return windows;
}

export function conformPlan(target: ConformTarget, model: ModelVideo): ConformPlan {
  const handles = target.handles ?? 0;
  if (!Number.isSafeInteger(target.frames) || target.frames < 1) {
    throw new TesseraError("E_DURATION", `${target.frames} frames were requested.`);
  }
  if (!Number.isSafeInteger(handles) || handles < 0) {
    throw new TesseraError("E_BAD_REQUEST", `handles must be a whole number >= 0, not ${handles}.`);
  }
  const fps = modelFps(model);
  const size = chooseModelSize(model.sizes, target);
  const outputFrames = target.frames + 2 * handles;
  const frames = modelFramesFor(outputFrames, target.fps, fps);
  return {
    output: {
      width: target.width,
      height: target.height,
      fps: reduce(target.fps),
      frames: outputFrames,
      handles,
      requested: target.frames,
    },
    model: { ...size, fps, frames, windows: planWindows(frames, model.frames) },
    fit: target.fit ?? "fill",
    retime: target.retime ?? "blend",
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------------------------------

/**
 * Scale (and crop or pad) RGB frames of `from` to exactly `to`, square pixels; with `into`, the same scale also
 * converts to that BT.709 Y'CbCr format. Sizes are computed here, not by ffmpeg's expressions, so rounding can
 * never leave the frame a pixel short.
 */
export function scaleFilters(from: FrameSize, to: FrameSize, fit: FitMode, pixelAspect = 1, into?: YCbCrFormat): string[] {
  const srcW = from.width * pixelAspect;
  const srcH = from.height;
  const convert = into ? [`format=${into}`] : [];
  const quality = `flags=lanczos+accurate_rnd+full_chroma_int${into ? `:${BT709_SCALE}` : ""}`;
  if (Math.round(srcW) === to.width && srcH === to.height) {
    if (pixelAspect !== 1) return [`scale=${to.width}:${to.height}:${quality}`, ...convert, "setsar=1"];
    return into ? [`scale=flags=accurate_rnd+full_chroma_int:${BT709_SCALE}`, ...convert] : [];
  }
  if (fit === "stretch") return [`scale=${to.width}:${to.height}:${quality}`, ...convert, "setsar=1"];
  // crop and pad offsets on whole chroma samples
  const chroma = into ? YCBCR_FORMATS[into] : { evenX: false, evenY: false };
  const offset = (v: number, even: boolean) => (even ? v - (v % 2) : v);
  const factor = fit === "fill" ? Math.max(to.width / srcW, to.height / srcH) : Math.min(to.width / srcW, to.height / srcH);
  if (fit === "fill") {
    const w = Math.max(to.width, Math.round(srcW * factor));
    const h = Math.max(to.height, Math.round(srcH * factor));
    const x = offset(Math.floor((w - to.width) / 2), chroma.evenX);
    const y = offset(Math.floor((h - to.height) / 2), chroma.evenY);
    return [`scale=${w}:${h}:${quality}`, ...convert, "setsar=1", `crop=${to.width}:${to.height}:${x}:${y}`];
  }
  const w = Math.max(1, Math.min(to.width, Math.round(srcW * factor)));
  const h = Math.max(1, Math.min(to.height, Math.round(srcH * factor)));
  const x = offset(Math.floor((to.width - w) / 2), chroma.evenX);
  const y = offset(Math.floor((to.height - h) / 2), chroma.evenY);
  return [`scale=${w}:${h}:${quality}`, ...convert, "setsar=1", `pad=${to.width}:${to.height}:${x}:${y}:color=black`];
}

/** Change the frame rate: blend neighbouring frames (default) or motion-interpolate (slower, smoother). */
export function retimeFilters(from: Rational, to: Rational, mode: RetimeMode): string[] {
  if (rationalEquals(from, to)) return [];
  const fps = formatFrameRate(to);
  if (mode === "interpolate") {
    // minterpolate works on Y'CbCr only: go there and back with the same matrix at full range (near lossless),
    // instead of letting ffmpeg insert BT.601 limited-range conversions.
    return [
      "scale=out_color_matrix=bt709:out_range=pc:flags=accurate_rnd+full_chroma_int,format=yuv444p",
      `minterpolate=fps=${fps}:mi_mode=mci:mc_mode=aobmc:me_mode=bidir:vsbmc=1`,
      "scale=in_color_matrix=bt709:in_range=pc:flags=accurate_rnd+full_chroma_int,format=gbrp",
    ];
  }
  // framerate blends in planar formats only; gbrp keeps RGB lossless on the way.
  return ["format=gbrp", `framerate=fps=${fps}`];
}

/** Every filter from model frames to sequence frames: retime at the small model size, then scale (to RGB, or
 * with `into` to that BT.709 Y'CbCr format). */
export function conformFilters(
  source: FrameSize & { fps: Rational },
  output: FrameSize & { fps: Rational },
  fit: FitMode,
  retime: RetimeMode,
  into?: YCbCrFormat,
): string[] {
  return [...retimeFilters(source.fps, output.fps, retime), ...scaleFilters(source, output, fit, 1, into)];
}
