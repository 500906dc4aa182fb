/** @jest-environment ./tests/inference/ort-environment.js */
import { assembleConditioning, timesAfter, timesBefore } from "../../helper-service/inference/conditioning.js";
import { framesToTensor, type RgbFrame } from "../../helper-service/inference/frames.js";
import { encodeFrames } from "../../helper-service/inference/graphs.js";
import { normalizeLatents } from "../../helper-service/inference/latents.js";
import { ModelPackage } from "../../helper-service/inference/package.js";
import { generate } from "../../helper-service/inference/pipeline.js";
import type { InferenceRequestInput } from "../../helper-service/inference/request.js";
import { collector, frameDiff, hasReference, ORACLE, REFERENCE, solid, spyDenoiser, TINY } from "./helpers.js";

const cpu = { device: "cpu" as const, threads: 1 };

/** Five frames of a slow horizontal gradient shift, so the footage has motion and detail. */
function footage(width: number, height: number, offset: number): RgbFrame[] {
  return Array.from({ length: 5 }, (_, t) => {
    const data = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const p = (y * width + x) * 3;
        data[p] = (x * 8 + t * 4 + offset) % 256;
        data[p + 1] = (y * 8 + offset) % 256;
        data[p + 2] = 128;
      }
    }
    return { width, height, data };
  });
}

describe("conditioning times and layout", () => {
  test("tail [-5, -4], head [N, N + 1], gap fill both with K = 4, none one zero latent with mask 0", async () => {
    const pkg = await ModelPackage.load(TINY);
    const m = pkg.manifest;
    expect(timesBefore(m)).toEqual([-5, -4]);
    expect(timesAfter(m, 17)).toEqual([17, 18]);
    const shape = { C: 8, F: 5, H: 8, W: 8 };
    const part = (v: number) => new Float32Array(8 * 2 * 64).fill(v);
    const fill = assembleConditioning(shape, [
      { latents: part(1), times: timesBefore(m) },
      { latents: part(2), times: timesAfter(m, 17) },
    ]);
    expect(fill.K).toBe(4);
    expect(Array.from(fill.times)).toEqual([-5, -4, 17, 18]);
    expect(Array.from(fill.mask)).toEqual([1, 1, 1, 1]);
    // channel-major [C, K, H, W]: per channel the two "before" latents, then the two "after" ones
    expect([fill.latents[0], fill.latents[2 * 64], fill.latents[4 * 64 - 1], fill.latents[4 * 64]]).toEqual([1, 2, 2, 1]);
    const none = assembleConditioning(shape, []);
    expect([none.K, none.mask[0], none.latents.every((v) => v === 0)]).toEqual([1, 0, true]);
    await pkg.dispose();
  });
});

describe("the denoiser's feeds carry the conditioning at every step (tiny package)", () => {
  let pkg: ModelPackage;
  beforeAll(async () => {
    pkg = await ModelPackage.load(TINY);
  });
  afterAll(() => pkg.dispose());

  const base: InferenceRequestInput = { prompt: "a blue square", seed: 3, frames: 9, size: [32, 32], steps: 3, ...cpu };

  async function expectedLatents(frames: RgbFrame[]): Promise<Float32Array> {
    const runtime = await pkg.runtime(cpu);
    const z = await encodeFrames(await runtime.session("vaeEncoder"), pkg.manifest, framesToTensor(frames, 32, 32), frames.length, [32, 32]);
    return normalizeLatents(z, pkg.manifest);
  }

  test.each<[string, { before?: RgbFrame[]; after?: RgbFrame[] }, number[]]>([
    ["tail extend", { before: footage(32, 32, 0) }, [-5, -4]],
    ["head extend", { after: footage(32, 32, 50) }, [9, 10]],
    ["gap fill", { before: footage(32, 32, 0), after: footage(32, 32, 50) }, [-5, -4, 9, 10]],
  ])("%s", async (_name, conditioning, times) => {
    const spy = await spyDenoiser(pkg, cpu);
    await generate(pkg, { ...base, conditioning: { ...conditioning } });
    spy.restore();
    expect(spy.calls).toHaveLength(3);
    const K = times.length;
    const parts = [conditioning.before, conditioning.after].filter((f): f is RgbFrame[] => f !== undefined);
    const encoded = await Promise.all(parts.map(expectedLatents));
    for (const feeds of spy.calls) {
      expect(feeds.cond_latents!.dims).toEqual([2, 8, K, 8, 8]);
      expect(Array.from(feeds.cond_times!.data as Float32Array)).toEqual([...times, ...times]);
      expect(Array.from(feeds.cond_mask!.data as Float32Array)).toEqual(Array(2 * K).fill(1));
      // the latents are the footage encoded as its own clip and normalised, in both halves of the batch
      const data = feeds.cond_latents!.data as Float32Array;
      const plane = 64;
      let k0 = 0;
      for (const z of encoded) {
        for (let c = 0; c < 8; c++) {
          for (let k = 0; k < 2; k++) {
            for (const b of [0, 1]) {
              const got = data.subarray(b * 8 * K * plane + (c * K + k0 + k) * plane, b * 8 * K * plane + (c * K + k0 + k + 1) * plane);
              const want = z.subarray((c * 2 + k) * plane, (c * 2 + k + 1) * plane);
              expect(Math.max(...got.map((v, i) => Math.abs(v - want[i]!)))).toBeLessThan(1e-5);
            }
          }
        }
        k0 += 2;
      }
    }
  });

  test("an unconditioned run passes one zero latent with mask 0", async () => {
    const spy = await spyDenoiser(pkg, cpu);
    await generate(pkg, base);
    spy.restore();
    for (const feeds of spy.calls) {
      expect(feeds.cond_latents!.dims).toEqual([2, 8, 1, 8, 8]);
      expect(Array.from(feeds.cond_mask!.data as Float32Array)).toEqual([0, 0]);
    }
  });
});

describe("conditioning carries the footage across the seam (oracle package)", () => {
  let pkg: ModelPackage;
  beforeAll(async () => {
    pkg = await ModelPackage.load(ORACLE);
  });
  afterAll(() => pkg.dispose());

  const blue = Array(5).fill(solid(32, 32, [0, 0, 255])) as RgbFrame[];
  const green = Array(5).fill(solid(32, 32, [0, 255, 0])) as RgbFrame[];
  const request: InferenceRequestInput = { prompt: "a red circle", seed: 5, frames: 12, size: [32, 32], ...cpu };

  async function frames(conditioning?: InferenceRequestInput["conditioning"]) {
    const out = collector();
    await generate(pkg, { ...request, ...(conditioning ? { conditioning } : {}) }, { onFrame: out.onFrame });
    return out.frames;
  }

  test("tail extend: the first new frame continues the footage; without conditioning it does not", async () => {
    const withCond = await frames({ before: blue });
    const without = await frames();
    const seamWith = frameDiff(blue[4]!, withCond.get(0)!);
    const seamWithout = frameDiff(blue[4]!, without.get(0)!);
    expect(seamWith).toBeLessThan(10);
    expect(seamWithout).toBeGreaterThan(100);
  });

  test("head extend: the last new frame leads into the footage", async () => {
    const withCond = await frames({ after: green });
    const without = await frames();
    expect(frameDiff(withCond.get(11)!, green[0]!)).toBeLessThan(10);
    expect(frameDiff(without.get(11)!, green[0]!)).toBeGreaterThan(100);
  });

  test("gap fill: both ends meet their footage", async () => {
    const filled = await frames({ before: blue, after: green });
    expect(filled.size).toBe(12);
    expect(frameDiff(blue[4]!, filled.get(0)!)).toBeLessThan(10);
    expect(frameDiff(filled.get(11)!, green[0]!)).toBeLessThan(10);
  });
});

(hasReference ? describe : describe.skip)("conditioning on the reference model", () => {
  test("a tail extension meets its footage more closely than an unconditioned clip", async () => {
    const pkg = await ModelPackage.load(REFERENCE);
    const [w, h] = pkg.manifest.video.sizes[0]!;
    const base = { prompt: "a red circle moving left", frames: 17, size: [w, h] as [number, number], ...cpu };
    const source = collector();
    await generate(pkg, { ...base, seed: 11 }, { onFrame: source.onFrame });
    const footage = [12, 13, 14, 15, 16].map((i) => source.frames.get(i)!);
    const seams = { with: [] as number[], without: [] as number[] };
    for (const seed of [1, 2, 3]) {
      const extended = collector();
      await generate(pkg, { ...base, seed, conditioning: { before: footage } }, { onFrame: extended.onFrame });
      const plain = collector();
      await generate(pkg, { ...base, seed }, { onFrame: plain.onFrame });
      seams.with.push(frameDiff(footage[4]!, extended.frames.get(0)!));
      seams.without.push(frameDiff(footage[4]!, plain.frames.get(0)!));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(seams.with)).toBeLessThan(mean(seams.without));
    await pkg.dispose();
  });
});
