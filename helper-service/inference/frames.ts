/**
 * RGB frames as the pipeline takes and gives them: uint8, row-major H x W x 3, one object per frame.
 * Conversion to and from the VAE's [1, 3, n, H, W] tensors in [-1, 1].
 */
import { z } from "zod";

export interface RgbFrame {
  width: number;
  height: number;
  /** width * height * 3 bytes, RGB, rows top to bottom. */
  data: Uint8Array;
}

export const RgbFrameSchema = z
  .custom<RgbFrame>(
    (v) =>
      typeof v === "object" &&
      v !== null &&
      Number.isInteger((v as RgbFrame).width) &&
      Number.isInteger((v as RgbFrame).height) &&
      (v as RgbFrame).data instanceof Uint8Array,
    "must be an RGB frame {width, height, data: Uint8Array}",
  )
  .refine((f) => f.data.length === f.width * f.height * 3, "data must hold width * height * 3 bytes (RGB)");

/** Frames (all width x height) to a [1, 3, n, height, width] float tensor in [-1, 1]. */
export function framesToTensor(frames: readonly RgbFrame[], width: number, height: number): Float32Array {
  const plane = width * height;
  const n = frames.length;
  const out = new Float32Array(3 * n * plane);
  frames.forEach((frame, t) => {
    const src = frame.data;
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) out[(c * n + t) * plane + p] = src[p * 3 + c]! / 127.5 - 1;
    }
  });
  return out;
}

/** Frame t of a [1, 3, n, height, width] tensor in [-1, 1] as uint8 RGB. */
export function tensorFrame(tensor: Float32Array, n: number, t: number, width: number, height: number): RgbFrame {
  const plane = width * height;
  const data = new Uint8Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    const base = (c * n + t) * plane;
    for (let p = 0; p < plane; p++) {
      const v = Math.round((tensor[base + p]! + 1) * 127.5);
      data[p * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { width, height, data };
}
