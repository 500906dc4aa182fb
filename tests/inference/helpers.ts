/** Shared fixtures of the inference tests: the packages, and small helpers to collect what a generation gives. */
import { existsSync } from "node:fs";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as ort from "onnxruntime-node";
import type { RgbFrame } from "../../helper-service/inference/frames.js";
import type { ModelPackage } from "../../helper-service/inference/package.js";

export const REPO = join(__dirname, "..", "..");
export const TINY = join(REPO, "tests", "fixtures", "tiny-model");
export const ORACLE = join(__dirname, "fixtures", "oracle-model");
export const BROKEN = join(__dirname, "fixtures", "broken-model");
export const REFERENCE = join(REPO, "models", "reference");
export const hasReference = existsSync(join(REFERENCE, "model.json"));

export async function tempCopy(dir: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "tessera-inference-"));
  const copy = join(root, "pkg");
  await cp(dir, copy, { recursive: true });
  return { dir: copy, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "tessera-inference-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A solid-colour frame. */
export function solid(width: number, height: number, rgb: [number, number, number]): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) data.set(rgb, p * 3);
  return { width, height, data };
}

/** Mean absolute difference of two frames, 0..255. */
export function frameDiff(a: RgbFrame, b: RgbFrame): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

/** Frames by clip index, from onFrame. */
export function collector(): { frames: Map<number, RgbFrame>; onFrame: (frame: RgbFrame, index: number) => void } {
  const frames = new Map<number, RgbFrame>();
  return { frames, onFrame: (frame, index) => void frames.set(index, frame) };
}

/** Records the feeds of every denoiser run of the package's runtime. */
export async function spyDenoiser(pkg: ModelPackage, options: { device: "cpu"; threads: number }): Promise<{ calls: Array<Record<string, ort.Tensor>>; restore: () => void }> {
  const runtime = await pkg.runtime(options);
  const session = await runtime.session("denoiser");
  const calls: Array<Record<string, ort.Tensor>> = [];
  const original = session.run.bind(session);
  const spy = jest.spyOn(session, "run").mockImplementation(((feeds: Record<string, ort.Tensor>, ...rest: unknown[]) => {
    // copy: the pipeline reuses its feed buffers between steps
    calls.push(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, { dims: [...t.dims], data: (t.data as Float32Array).slice() } as unknown as ort.Tensor])));
    return (original as (...args: unknown[]) => Promise<ort.InferenceSession.ReturnType>)(feeds, ...rest);
  }) as typeof session.run);
  return { calls, restore: () => spy.mockRestore() };
}
