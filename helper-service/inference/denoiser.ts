/**
 * The denoiser's feeds for one window, built once and reused at every step: only the latents and the timestep
 * change. Float32 feeds wrap the pipeline's own buffers and the velocity is written into a preallocated output
 * tensor (onnxruntime-node has no IO binding, so `fetches` is how to avoid a fresh output per step).
 */
import * as ort from "onnxruntime-node";
import { TesseraError } from "../../shared/errors.js";
import type { Conditioning } from "./conditioning.js";
import { fillBatch } from "./guidance.js";
import { latentDims, latentSize, type LatentShape } from "./latents.js";
import type { Manifest } from "./manifest.js";
import { floatTensor, int64Tensor, readFloat } from "./tensors.js";

export interface TextConditioning {
  /** [B, T, D] */
  embeds: Float32Array;
  /** [B, T] */
  mask: BigInt64Array;
  tokens: number;
}

export type Feeds = Record<string, ort.Tensor>;

export class DenoiserCall {
  private readonly latents: Float32Array;
  private readonly timestep: Float32Array;
  private readonly fixed: Feeds;
  private readonly output: ort.Tensor | null;
  private usePreallocated: boolean;
  /** Milliseconds spent inside session.run, for the overhead benchmark. */
  runMs = 0;

  constructor(
    private readonly session: ort.InferenceSession,
    private readonly manifest: Manifest,
    readonly shape: LatentShape,
    readonly batch: 1 | 2,
    text: TextConditioning,
    cond: Conditioning,
  ) {
    const B = batch;
    const { C, H, W } = shape;
    const dtype = manifest.dtype.default;
    this.latents = new Float32Array(B * latentSize(shape));
    this.timestep = new Float32Array(B);
    const condLatents = new Float32Array(B * cond.latents.length);
    fillBatch(condLatents, cond.latents);
    const condTimes = new Float32Array(B * cond.K);
    fillBatch(condTimes, cond.times);
    const condMask = new Float32Array(B * cond.K);
    fillBatch(condMask, cond.mask);
    this.fixed = {
      text_embeds: floatTensor(dtype, text.embeds.subarray(0, B * text.tokens * manifest.text.dim), [B, text.tokens, manifest.text.dim]),
      text_mask: int64Tensor(text.mask.subarray(0, B * text.tokens), [B, text.tokens]),
      cond_latents: floatTensor(dtype, condLatents, [B, C, cond.K, H, W]),
      cond_times: floatTensor(dtype, condTimes, [B, cond.K]),
      cond_mask: floatTensor(dtype, condMask, [B, cond.K]),
    };
    this.usePreallocated = dtype === "float32";
    this.output = this.usePreallocated ? new ort.Tensor("float32", new Float32Array(this.latents.length), latentDims(shape, B)) : null;
  }

  /** The feeds of one step (a test spies on them through session.run). */
  feeds(x: Float32Array, t: number): Feeds {
    fillBatch(this.latents, x);
    this.timestep.fill(t);
    const dtype = this.manifest.dtype.default;
    return {
      ...this.fixed,
      latents: floatTensor(dtype, this.latents, latentDims(this.shape, this.batch)),
      timestep: floatTensor(dtype, this.timestep, [this.batch]),
    };
  }

  /** Raw velocity [B, C, F, H, W] at shifted time t (B = 2: conditional then unconditional). */
  async velocity(x: Float32Array, t: number): Promise<Float32Array> {
    const feeds = this.feeds(x, t);
    const started = performance.now();
    try {
      if (this.usePreallocated && this.output) {
        try {
          await this.session.run(feeds, { velocity: this.output });
          return this.output.data as Float32Array;
        } catch (error) {
          // a runtime that refuses preallocated outputs still runs the plain way; real errors fail again below
          this.usePreallocated = false;
          void error;
        }
      }
      const result = await this.session.run(feeds);
      const velocity = readFloat(result.velocity, `${this.manifest.denoiser.file}: output velocity`);
      if (velocity.length !== this.latents.length) {
        const dims = (result.velocity as ort.Tensor).dims.join(", ");
        throw new TesseraError("E_MODEL_INVALID", `${this.manifest.denoiser.file}: output velocity has shape [${dims}], expected [${latentDims(this.shape, this.batch).join(", ")}].`);
      }
      return velocity;
    } finally {
      this.runMs += performance.now() - started;
    }
  }
}
