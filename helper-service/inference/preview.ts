/**
 * Live previews while denoising: the clean-latent estimate x0 = x_t - t' v mapped to RGB through the package's
 * rgbFactors (a least-squares fit from z_model to pixels), upscaled and JPEG-encoded with sharp, at most a few per
 * second. The helper sends each as a binary WebSocket frame behind the header of shared/preview-header.ts.
 */
import sharp from "sharp";
import { encodePreview } from "../../shared/preview-header.js";
import type { LatentShape } from "./latents.js";
import type { Manifest } from "./manifest.js";
import { estimateClean } from "./scheduler.js";

// libvips defaults to a thread per core; previews are small and must not take cores from the denoiser
sharp.concurrency(1);

export interface Preview {
  jpeg: Buffer;
  width: number;
  height: number;
  /** Clip frame index the preview shows. */
  frameIndex: number;
  window: number;
  step: number;
  steps: number;
}

export const DEFAULT_PREVIEW_INTERVAL_MS = 250;
/** Longest side of a preview image; previews are glances, not frames. */
export const PREVIEW_MAX_SIDE = 320;

/** RGB bytes (H x W x 3) of latent frame f of z_model [C, F, H, W] through rgbFactors and rgbBias. */
export function latentFrameToRgb(z: Float32Array, shape: LatentShape, f: number, m: Manifest): Uint8Array {
  const { C, F, H, W } = shape;
  const plane = H * W;
  const rgb = new Uint8Array(plane * 3);
  const { rgbFactors, rgbBias } = m.latent;
  for (let p = 0; p < plane; p++) {
    for (let k = 0; k < 3; k++) {
      let v = rgbBias[k]!;
      for (let c = 0; c < C; c++) v += z[(c * F + f) * plane + p]! * rgbFactors[c]![k]!;
      const byte = Math.round((v + 1) * 127.5);
      rgb[p * 3 + k] = byte < 0 ? 0 : byte > 255 ? 255 : byte;
    }
  }
  return rgb;
}

export function previewSize([width, height]: readonly [number, number]): [number, number] {
  const scale = Math.min(1, PREVIEW_MAX_SIDE / Math.max(width, height));
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

/**
 * Bilinear resize of RGB bytes, centres aligned. Done here rather than in sharp: the first preview is awaited
 * inside the denoising loop, and a libvips resize step costs about half a millisecond more than this loop.
 */
export function resizeRgb(rgb: Uint8Array, width: number, height: number, [outW, outH]: readonly [number, number]): Uint8Array {
  if (outW === width && outH === height) return rgb;
  const out = new Uint8Array(outW * outH * 3);
  const sx = width / outW;
  const sy = height / outH;
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < outW; x++) {
      const fx = Math.min(width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(width - 1, x0 + 1);
      const wx = fx - x0;
      for (let k = 0; k < 3; k++) {
        const top = rgb[(y0 * width + x0) * 3 + k]! * (1 - wx) + rgb[(y0 * width + x1) * 3 + k]! * wx;
        const bottom = rgb[(y1 * width + x0) * 3 + k]! * (1 - wx) + rgb[(y1 * width + x1) * 3 + k]! * wx;
        out[(y * outW + x) * 3 + k] = Math.round(top * (1 - wy) + bottom * wy);
      }
    }
  }
  return out;
}

export async function encodeJpeg(rgb: Uint8Array, width: number, height: number, out: readonly [number, number]): Promise<Buffer> {
  return sharp(resizeRgb(rgb, width, height, out), { raw: { width: out[0], height: out[1], channels: 3 } })
    .jpeg({ quality: 70 })
    .toBuffer();
}

/** A preview as the binary WebSocket frame the panel reads (header from shared/preview-header.ts). */
export function previewFrame(preview: Preview, jobId: string): Uint8Array {
  return encodePreview({ jobId, frameIndex: preview.frameIndex, width: preview.width, height: preview.height, format: "jpeg" }, preview.jpeg);
}

/**
 * At most one preview per interval, and one at a time: a preview that falls due while the previous one is still
 * being encoded is skipped, so previews never queue up behind the denoiser. A failed preview never stops the job:
 * it goes to `onError`.
 */
export class PreviewThrottle {
  private last = -Infinity;
  private pending: Promise<void> | null = null;

  constructor(
    private readonly intervalMs = DEFAULT_PREVIEW_INTERVAL_MS,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  due(now = performance.now()): boolean {
    return this.pending === null && now - this.last >= this.intervalMs;
  }

  /** Starts a preview in the background. */
  start(work: () => Promise<void>, now = performance.now()): void {
    this.last = now;
    this.pending = work()
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        this.pending = null;
      });
  }

  /** Runs a preview and waits for it. */
  async run(work: () => Promise<void>, now = performance.now()): Promise<void> {
    this.start(work, now);
    await this.pending;
  }

  /** Waits for the preview in flight, so none arrives after the job ended. */
  async settle(): Promise<void> {
    await this.pending;
  }
}

/**
 * The previews of one job: after a step, if one is due, the middle latent frame of x0 = x_t - t' v is mapped to
 * RGB at once (cheap) and JPEG-encoded on libuv's pool. session.run blocks the event loop, so a preview encoded
 * in the background arrives after the next step: fine for later ones, but the first is awaited so the editor sees
 * something as early as possible.
 */
export class LivePreviews {
  private readonly throttle: PreviewThrottle;
  private readonly size: [number, number];
  /** Time from `startedAt` to the first preview delivered. */
  firstMs: number | null = null;

  /**
   * `onFailure` hears of the first preview that fails (once per job: the job goes on, and one notice is enough
   * to explain a panel that stopped showing previews).
   */
  constructor(
    private readonly manifest: Manifest,
    clipSize: readonly [number, number],
    private readonly onPreview: (preview: Preview) => void,
    intervalMs: number | undefined,
    private readonly startedAt: number,
    onFailure: (message: string) => void = () => undefined,
  ) {
    let failed = false;
    this.throttle = new PreviewThrottle(intervalMs, (error) => {
      if (failed) return;
      failed = true;
      onFailure(`Live previews failed (the clip itself is unaffected): ${error instanceof Error ? error.message : String(error)}`);
    });
    this.size = previewSize(clipSize);
  }

  async afterStep(x: Float32Array, v: Float32Array, t: number, shape: LatentShape, where: { window: number; start: number; step: number; steps: number }): Promise<void> {
    if (!this.throttle.due()) return;
    const m = this.manifest;
    const f = Math.floor((shape.F - 1) / 2);
    const rgb = latentFrameToRgb(estimateClean(new Float32Array(x.length), x, v, t), shape, f, m);
    const [width, height] = this.size;
    const frameIndex = Math.max(0, where.start + (f === 0 ? 0 : 1 + m.latent.temporal * (f - 1)));
    const deliver = async () => {
      const jpeg = await encodeJpeg(rgb, shape.W, shape.H, this.size);
      this.firstMs ??= performance.now() - this.startedAt;
      this.onPreview({ jpeg, width, height, frameIndex, window: where.window, step: where.step, steps: where.steps });
    };
    if (this.firstMs === null) await this.throttle.run(deliver);
    else this.throttle.start(deliver);
  }

  settle(): Promise<void> {
    return this.throttle.settle();
  }
}
