/**
 * Conditioning latents, as LTX-Video does it: frames next to the window are encoded as their own fresh causal clip
 * and passed as extra tokens with the pixel-frame time (model fps, relative to the window's first frame) of the
 * first frame each latent stands for. `conditionFrames` = 1 + temporal (m - 1) frames give m latents:
 * - before the window (tail extend, chaining): times -cf, -cf + 1, -cf + 1 + temporal, ... ([-5, -4] for 5 frames)
 * - after a window of N frames (head extend): times N, N + 1, N + 1 + temporal, ... ([N, N + 1])
 * - both (gap fill): K = 2m latents. Unconditioned: K = 1, one zero latent with mask 0.
 */
import type { Manifest } from "./manifest.js";
import type { LatentShape } from "./latents.js";

export interface ConditionPart {
  /** z_model latents [C, m, H, W]. */
  latents: Float32Array;
  /** Frame time of each of the m latents. */
  times: number[];
}

export interface Conditioning {
  K: number;
  /** [C, K, H, W] */
  latents: Float32Array;
  times: Float32Array;
  mask: Float32Array;
}

/** Frame times of the latents of a `cf`-frame clip whose first frame sits at `firstFrame`. */
export function conditionTimes(m: Manifest, firstFrame: number): number[] {
  const t = m.latent.temporal;
  const count = (m.capabilities.conditionFrames - 1) / t + 1;
  return Array.from({ length: count }, (_, j) => (j === 0 ? firstFrame : firstFrame + 1 + t * (j - 1)));
}

export const timesBefore = (m: Manifest): number[] => conditionTimes(m, -m.capabilities.conditionFrames);
export const timesAfter = (m: Manifest, windowFrames: number): number[] => conditionTimes(m, windowFrames);

/** Concatenates the parts along the latent-frame axis; no parts gives the unconditioned single zero latent. */
export function assembleConditioning(shape: LatentShape, parts: readonly ConditionPart[]): Conditioning {
  const { C, H, W } = shape;
  const plane = H * W;
  if (parts.length === 0) {
    return { K: 1, latents: new Float32Array(C * plane), times: new Float32Array(1), mask: new Float32Array(1) };
  }
  const K = parts.reduce((sum, p) => sum + p.times.length, 0);
  const latents = new Float32Array(C * K * plane);
  let k0 = 0;
  for (const part of parts) {
    const m = part.times.length;
    if (part.latents.length !== C * m * plane) {
      throw new RangeError(`conditioning latents have ${part.latents.length} values, expected ${C * m * plane}`);
    }
    for (let c = 0; c < C; c++) {
      latents.set(part.latents.subarray(c * m * plane, (c + 1) * m * plane), (c * K + k0) * plane);
    }
    k0 += m;
  }
  return { K, latents, times: Float32Array.from(parts.flatMap((p) => p.times)), mask: new Float32Array(K).fill(1) };
}

/**
 * The frames next to the window being made: `before` holds the last conditionFrames frames that precede it (the
 * footage, then what the windows made), `after` the first ones that follow it. Only these few frames are kept, so
 * memory does not grow with the clip's length.
 */
export class NeighbourFrames<T> {
  private beforeFrames: T[];
  private afterFrames: T[];

  constructor(
    before: readonly T[],
    after: readonly T[],
    private readonly count: number,
  ) {
    this.beforeFrames = before.slice(-count);
    this.afterFrames = after.slice(0, count);
  }

  get before(): readonly T[] {
    return this.beforeFrames;
  }

  get after(): readonly T[] {
    return this.afterFrames;
  }

  /** Frames a forward window delivered, in order: they now precede the next window. */
  appended(frames: readonly T[]): void {
    this.beforeFrames = [...this.beforeFrames, ...frames].slice(-this.count);
  }

  /** A loop's last window is followed by the clip's own first frames. */
  followedBy(frames: readonly T[]): void {
    this.afterFrames = frames.slice(0, this.count);
  }

  /** Frames a backward window delivered, in order: they now follow the next (earlier) window. */
  prepended(frames: readonly T[]): void {
    this.afterFrames = [...frames, ...this.afterFrames].slice(0, this.count);
  }
}
