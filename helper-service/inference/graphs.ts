/**
 * The three fixed-purpose graph calls of the pipeline (text encoder, VAE encoder, VAE decoder), each checking the
 * shape it gets back so a wrong package fails with the tensor named, not with garbage frames.
 */
import type * as ort from "onnxruntime-node";
import { TesseraError } from "../../shared/errors.js";
import type { Manifest } from "./manifest.js";
import { floatTensor, int64Tensor, readFloat } from "./tensors.js";
import type { TokenizedBatch } from "./tokenizer.js";

function expectDims(file: string, name: string, actual: readonly number[], expected: readonly number[]): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new TesseraError("E_MODEL_INVALID", `${file}: output ${name} has shape [${actual.join(", ")}], expected [${expected.join(", ")}].`);
  }
}

function output(result: ort.InferenceSession.ReturnType, file: string, name: string): ort.Tensor {
  const value = result[name];
  if (!value) throw new TesseraError("E_MODEL_INVALID", `${file}: has no output named ${name}.`);
  return value as ort.Tensor;
}

/** text_embeds [B, T, D] for the tokenized batch. */
export async function encodeText(session: ort.InferenceSession, m: Manifest, batch: TokenizedBatch): Promise<Float32Array> {
  const dims = [batch.batch, batch.tokens];
  const result = await session.run({ input_ids: int64Tensor(batch.ids, dims), attention_mask: int64Tensor(batch.mask, dims) });
  const embeds = output(result, m.text.encoder, "text_embeds");
  expectDims(m.text.encoder, "text_embeds", embeds.dims, [batch.batch, batch.tokens, m.text.dim]);
  return Float32Array.from(readFloat(embeds, "text_embeds"));
}

/** Raw VAE latents [C, n', H, W] of `frameCount` frames given as a [1, 3, n, h, w] tensor in [-1, 1]. */
export async function encodeFrames(
  session: ort.InferenceSession,
  m: Manifest,
  pixels: Float32Array,
  frameCount: number,
  [width, height]: readonly [number, number],
): Promise<Float32Array> {
  const result = await session.run({ frames: floatTensor(m.dtype.default, pixels, [1, 3, frameCount, height, width]) });
  const latents = output(result, m.vae.encoder, "latents");
  const s = m.latent.spatial;
  expectDims(m.vae.encoder, "latents", latents.dims, [1, m.latent.channels, (frameCount - 1) / m.latent.temporal + 1, height / s, width / s]);
  return Float32Array.from(readFloat(latents, "latents"));
}

/** Frames [1, 3, n, h, w] in [-1, 1] from raw VAE latents [1, C, F, H, W]. */
export async function decodeLatents(
  session: ort.InferenceSession,
  m: Manifest,
  zVae: Float32Array,
  dims: readonly number[],
): Promise<Float32Array> {
  const result = await session.run({ latents: floatTensor(m.dtype.default, zVae, dims) });
  const frames = output(result, m.vae.decoder, "frames");
  const [, , F, H, W] = dims as [number, number, number, number, number];
  const s = m.latent.spatial;
  expectDims(m.vae.decoder, "frames", frames.dims, [1, 3, (F - 1) * m.latent.temporal + 1, H * s, W * s]);
  return readFloat(frames, "frames");
}
