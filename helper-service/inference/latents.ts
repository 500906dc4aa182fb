/**
 * Latent tensors of one window: their shape, the seeded starting noise, and the per-channel normalisation
 * between the VAE's raw latents (z_vae) and the denoiser's (z_model = (z_vae - mean) / std).
 */
import type { Manifest } from "./manifest.js";
import { latentFrames } from "./manifest.js";
import { fillGaussian } from "./prng.js";

export interface LatentShape {
  C: number;
  F: number;
  H: number;
  W: number;
}

export function latentShape(m: Manifest, pixelFrames: number, [width, height]: readonly [number, number]): LatentShape {
  return { C: m.latent.channels, F: latentFrames(m, pixelFrames), H: height / m.latent.spatial, W: width / m.latent.spatial };
}

export const latentSize = (s: LatentShape): number => s.C * s.F * s.H * s.W;
export const latentDims = (s: LatentShape, batch = 1): number[] => [batch, s.C, s.F, s.H, s.W];

/** Starting noise of a window: standard normal from (seed, window) as prng.ts documents, C-order [C, F, H, W]. */
export function initialNoise(shape: LatentShape, seed: number, window: number): Float32Array {
  return fillGaussian(new Float32Array(latentSize(shape)), seed, window);
}

/** z_model = (z_vae - mean) / std per channel, in place; `C` leads the layout [C, rest]. */
export function normalizeLatents(z: Float32Array, m: Manifest): Float32Array {
  const { mean, std, channels } = m.latent;
  const per = z.length / channels;
  for (let c = 0; c < channels; c++) {
    const mu = mean[c]!;
    const inv = 1 / std[c]!;
    for (let i = c * per; i < (c + 1) * per; i++) z[i] = (z[i]! - mu) * inv;
  }
  return z;
}

/** z_vae = z_model * std + mean per channel, into `out`. */
export function denormalizeLatents(out: Float32Array, z: Float32Array, m: Manifest): Float32Array {
  const { mean, std, channels } = m.latent;
  const per = z.length / channels;
  for (let c = 0; c < channels; c++) {
    const mu = mean[c]!;
    const s = std[c]!;
    for (let i = c * per; i < (c + 1) * per; i++) out[i] = z[i]! * s + mu;
  }
  return out;
}
