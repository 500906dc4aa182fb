/** @jest-environment ./tests/inference/ort-environment.js */
import { cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { TesseraError } from "../../shared/errors.js";
import { JobProgressSchema } from "../../shared/protocol.js";
import type { Notice } from "../../helper-service/inference/devices.js";
import { ModelPackage } from "../../helper-service/inference/package.js";
import { generate, type GenerateHooks } from "../../helper-service/inference/pipeline.js";
import type { Preview } from "../../helper-service/inference/preview.js";
import type { ProgressEvent } from "../../helper-service/inference/progress.js";
import type { InferenceRequestInput } from "../../helper-service/inference/request.js";
import { collector, hasReference, REFERENCE, solid, spyDenoiser, tempDir, TINY } from "./helpers.js";

const cpu = { device: "cpu" as const, threads: 1 };
const base: InferenceRequestInput = { prompt: "a red circle moving left", seed: 7, frames: 17, size: [32, 32], steps: 4, ...cpu };

let pkg: ModelPackage;
beforeAll(async () => {
  pkg = await ModelPackage.load(TINY);
});
afterAll(() => pkg.dispose());

async function run(request: Partial<InferenceRequestInput>, hooks: GenerateHooks = {}) {
  const out = collector();
  const summary = await generate(pkg, { ...base, ...request }, { ...hooks, onFrame: out.onFrame });
  return { summary, frames: [...out.frames.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f) };
}

const same = (a: { data: Uint8Array }[], b: { data: Uint8Array }[]) => a.length === b.length && a.every((f, i) => Buffer.from(f.data).equals(Buffer.from(b[i]!.data)));

describe("generate (tiny random package, real ONNX sessions)", () => {
  test("text to video delivers the requested frames, RGB HxWx3, in order, with progress", async () => {
    const events: ProgressEvent[] = [];
    const indices: number[] = [];
    const out = collector();
    const summary = await generate(pkg, { ...base, size: [64, 32], frames: 10 }, {
      onProgress: (e) => events.push(e),
      onFrame: (frame, index) => {
        indices.push(index);
        out.onFrame(frame, index);
      },
    });
    expect(indices).toEqual([...Array(10).keys()]);
    for (const frame of out.frames.values()) {
      expect([frame.width, frame.height, frame.data.length]).toEqual([64, 32, 64 * 32 * 3]);
    }
    expect(summary).toMatchObject({ frames: 10, size: [64, 32], fps: 8, steps: 4, guidance: 3, shift: 1, device: "cpu", threads: 1, windows: 1 });
    expect(events.map((e) => e.phase)).toEqual(["load", "encode-text", "denoise", "denoise", "denoise", "denoise", "decode", "decode"]);
    expect(events.filter((e) => e.phase === "denoise").map((e) => e.step)).toEqual([1, 2, 3, 4]);
    for (const e of events) expect(JobProgressSchema.safeParse({ type: "job.progress", jobId: crypto.randomUUID(), ...e }).success).toBe(true);
    expect(events.at(-1)!.fraction).toBe(1);
    expect(events[3]!.etaSeconds).not.toBeNull();
    // real frames, not a constant
    const first = out.frames.get(0)!.data;
    expect(new Set(first).size).toBeGreaterThan(10);
  });

  test("the same seed, device and threads give identical frames; another seed does not", async () => {
    const a = await run({});
    const b = await run({});
    const c = await run({ seed: 8 });
    expect(same(a.frames, b.frames)).toBe(true);
    expect(same(a.frames, c.frames)).toBe(false);
  });

  test("guidance 1 runs the denoiser with batch 1, guidance 3 with batch 2, and guidance changes the frames", async () => {
    const spy = await spyDenoiser(pkg, cpu);
    const g1 = await run({ guidance: 1 });
    const g1Batches = spy.calls.map((feeds) => feeds.latents!.dims[0]);
    spy.calls.length = 0;
    const g3 = await run({ guidance: 3 });
    const g3Batches = spy.calls.map((feeds) => feeds.latents!.dims[0]);
    spy.restore();
    expect(g1Batches).toEqual([1, 1, 1, 1]);
    expect(g3Batches).toEqual([2, 2, 2, 2]);
    expect(same(g1.frames, g3.frames)).toBe(false);
  });

  test("cancel stops within one step", async () => {
    const spy = await spyDenoiser(pkg, cpu);
    const controller = new AbortController();
    const error = await run({ steps: 20 }, {
      signal: controller.signal,
      onProgress: (e) => {
        if (e.phase === "denoise" && e.step === 3) controller.abort();
      },
    }).catch((e: unknown) => e);
    spy.restore();
    expect(error).toBeInstanceOf(TesseraError);
    expect((error as TesseraError).code).toBe("E_CANCELLED");
    expect(spy.calls.length).toBe(3);
  });

  test("a prompt longer than maxTokens is cut with a notice", async () => {
    const notices: Notice[] = [];
    const long = Array(30).fill("red").join(" ");
    await run({ prompt: long }, { onNotice: (n) => notices.push(n) });
    expect(notices).toContainEqual({ code: "PROMPT_TRUNCATED", message: expect.stringMatching(/prompt is 14 tokens longer than the 16/) });
  });

  test("previews are JPEGs of the clip's size (capped) at most once per interval", async () => {
    const previews: Preview[] = [];
    await run({ steps: 6, size: [64, 32] }, { onPreview: (p) => previews.push(p), previewIntervalMs: 60_000 });
    expect(previews).toHaveLength(1);
    const p = previews[0]!;
    expect([p.width, p.height, p.step, p.steps, p.window]).toEqual([64, 32, 1, 6, 0]);
    const meta = await sharp(p.jpeg).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", 64, 32]);
    // with no interval: the first preview comes right after the first step, later ones at most one per step
    const many: Preview[] = [];
    const order: string[] = [];
    let returned = false;
    let late = 0;
    await run({ steps: 6 }, {
      onPreview: (p) => {
        if (returned) late++;
        many.push(p);
        order.push(`preview ${p.step}`);
      },
      onProgress: (e) => void (e.phase === "denoise" && order.push(`step ${e.step}`)),
      previewIntervalMs: 0,
    });
    returned = true;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(order.slice(0, 2)).toEqual(["step 1", "preview 1"]);
    expect(many.length).toBeGreaterThan(1);
    expect(many.length).toBeLessThanOrEqual(6);
    expect(late).toBe(0); // every preview is delivered before generate returns
  });

  test("previews that fail leave the clip whole and say so once", async () => {
    const notices: Notice[] = [];
    let attempts = 0;
    const result = await run({ steps: 6 }, {
      onPreview: () => {
        attempts++;
        throw new Error("the panel went away");
      },
      onNotice: (n) => notices.push(n),
      previewIntervalMs: 0,
    });
    const clean = await run({ steps: 6 });
    expect(attempts).toBeGreaterThan(1);
    expect(notices.filter((n) => n.code === "PREVIEW_FAILED")).toEqual([
      { code: "PREVIEW_FAILED", message: "Live previews failed (the clip itself is unaffected): the panel went away" },
    ]);
    expect(same(result.frames, clean.frames)).toBe(true);
  });

  test.each<[string, Partial<InferenceRequestInput>, RegExp]>([
    ["a size the model does not make", { size: [48, 48] }, /size 48x48 is not one the model makes; use one of 32x32, 64x32/],
    ["zero frames", { frames: 0 }, /frames: ask for at least one frame/],
    ["a window outside the grammar", { windowFrames: 10 }, /windowFrames 10 must be 1 \+ 4k and at most 17/],
    ["too few conditioning frames", { conditioning: { before: [solid(32, 32, [0, 0, 0])] } }, /conditioning\.before has 1 frames; the model needs at least 5/],
    ["conditioning frames of another size", { conditioning: { after: Array(5).fill(solid(64, 32, [0, 0, 0])) } }, /conditioning\.after\[0\] is 64x32; scale the frames to the clip size 32x32/],
    ["an unknown device", { device: "tpu" as never }, /device/],
  ])("%s is refused before any work with the field named", async (_name, request, message) => {
    const error = await run(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TesseraError);
    expect((error as TesseraError).code).toBe("E_BAD_REQUEST");
    expect((error as Error).message).toMatch(message);
  });

  test("a package without a capability refuses what needs it", async () => {
    const tmp = await tempDir();
    const dir = join(tmp.dir, "pkg");
    await cp(TINY, dir, { recursive: true });
    const manifest = JSON.parse(await readFile(join(dir, "model.json"), "utf8"));
    manifest.capabilities.extendTail = false;
    await writeFile(join(dir, "model.json"), JSON.stringify(manifest));
    const limited = await ModelPackage.load(dir);
    await expect(generate(limited, { ...base, frames: 30 })).rejects.toMatchObject({ code: "E_CAPABILITY", message: expect.stringMatching(/does not support extendTail \(clips longer than 17 frames chain windows\)/) });
    await expect(generate(limited, { ...base, conditioning: { before: Array(5).fill(solid(32, 32, [9, 9, 9])) } })).rejects.toMatchObject({ code: "E_CAPABILITY" });
    await limited.dispose();
    await tmp.cleanup();
  });

  (hasReference ? test : test.skip)("the reference model makes the requested frames", async () => {
    const reference = await ModelPackage.load(REFERENCE);
    const [w, h] = reference.manifest.video.sizes[0]!;
    const out = collector();
    const summary = await generate(reference, { prompt: "a red circle moving left", seed: 1, frames: 20, size: [w, h], ...cpu }, { onFrame: out.onFrame });
    expect(summary.frames).toBe(20);
    expect(out.frames.size).toBe(20);
    await reference.dispose();
  });
});
