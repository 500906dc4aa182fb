/** @jest-environment ./tests/inference/ort-environment.js */
import fc from "fast-check";
import type { RgbFrame } from "../../helper-service/inference/frames.js";
import { ModelPackage } from "../../helper-service/inference/package.js";
import { generate } from "../../helper-service/inference/pipeline.js";
import { planWindows, type Placement } from "../../helper-service/inference/windows.js";
import { collector, frameDiff, hasReference, ORACLE, REFERENCE, solid, TINY } from "./helpers.js";

const cpu = { device: "cpu" as const, threads: 1 };
const summary = (total: number, placement: Placement) =>
  planWindows(total, 17, placement, 4).windows.map((w) => [w.frames, w.start, w.keepFrom, w.keepTo, w.before, w.after]);

describe("window plans", () => {
  test("text to video: full windows, then the remainder in the grammar with the tail dropped", () => {
    expect(summary(60, "none")).toEqual([
      [17, 0, 0, 17, false, false],
      [17, 17, 0, 17, true, false],
      [17, 34, 0, 17, true, false],
      [9, 51, 0, 9, true, false],
    ]);
    expect(summary(20, "tail")).toEqual([
      [17, 0, 0, 17, true, false],
      [5, 17, 0, 3, true, false],
    ]);
  });

  test("head extension goes backward from the footage, dropping the remainder's leading frames", () => {
    const plan = planWindows(20, 17, "head", 4);
    expect(plan.order).toBe("backward");
    expect(summary(20, "head")).toEqual([
      [17, 3, 0, 17, false, true],
      [5, -2, 2, 5, false, true],
    ]);
  });

  test("gap fill ends with an exact window conditioned on both sides", () => {
    expect(summary(30, "fill")).toEqual([
      [13, 0, 0, 13, true, false],
      [17, 13, 0, 17, true, true],
    ]);
    expect(summary(10, "fill")).toEqual([
      [1, 0, 0, 1, true, false],
      [9, 1, 0, 9, true, true],
    ]);
    expect(summary(9, "fill")).toEqual([[9, 0, 0, 9, true, true]]);
  });

  test("every frame of the clip is made exactly once, by windows in the grammar", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.constantFrom<Placement>("none", "tail", "head", "fill"), fc.constantFrom(5, 9, 17), (total, placement, max) => {
        const plan = planWindows(total, max, placement, 4);
        const seen = new Array<number>(total).fill(0);
        for (const w of plan.windows) {
          expect((w.frames - 1) % 4).toBe(0);
          expect(w.frames).toBeLessThanOrEqual(max);
          for (let t = w.keepFrom; t < w.keepTo; t++) seen[w.start + t]!++;
        }
        expect(seen.every((n) => n === 1)).toBe(true);
        // the window next to footage on both sides is exact: nothing dropped between the footage and the frames
        const last = plan.windows.at(-1)!;
        if (placement === "fill") expect([last.keepFrom, last.keepTo, last.start + last.frames]).toEqual([0, last.frames, total]);
      }),
      { numRuns: 300 },
    );
  });
});

describe("long clips", () => {
  test("window seams are continuous: each window continues the frames before it (oracle package)", async () => {
    const pkg = await ModelPackage.load(ORACLE);
    const out = collector();
    const blue = Array(5).fill(solid(32, 32, [0, 0, 255])) as RgbFrame[];
    // tail-extend blue footage with a red prompt: the colour drifts from blue to red over three windows
    await generate(pkg, { prompt: "red", seed: 2, frames: 45, size: [32, 32], conditioning: { before: blue }, ...cpu }, { onFrame: out.onFrame });
    const frames = [...Array(45).keys()].map((i) => out.frames.get(i)!);
    const steps = frames.slice(1).map((f, i) => frameDiff(frames[i]!, f));
    const seams = [16, 33].map((i) => steps[i]!); // frame 16 -> 17 and 33 -> 34
    const inside = steps.filter((_, i) => i !== 16 && i !== 33);
    expect(Math.max(...inside)).toBeGreaterThan(5); // the clip does change
    for (const seam of seams) expect(seam).toBeLessThanOrEqual(Math.max(...inside) + 1);
    expect(frameDiff(frames[0]!, blue[4]!)).toBeLessThan(10);
    await pkg.dispose();
  });

  test("60 seconds are made window by window, each streamed before the next starts", async () => {
    const pkg = await ModelPackage.load(TINY);
    const events: string[] = [];
    let count = 0;
    const result = await generate(pkg, { prompt: "a red ball", seed: 4, frames: 8 * 60, size: [32, 32], steps: 2, ...cpu }, {
      onProgress: (e) => {
        if (e.phase === "denoise" && e.step === 1) events.push(`denoise ${e.window.index}`);
      },
      onFrame: (_frame, index) => {
        if (index % 17 === 0) events.push(`frame ${index}`);
        count++;
      },
    });
    expect(count).toBe(480);
    expect(result.windows).toBe(29);
    // window k's first frame is out before window k + 1 starts denoising
    for (let k = 0; k < 28; k++) expect(events.indexOf(`frame ${17 * k}`)).toBeLessThan(events.indexOf(`denoise ${k + 1}`));
    await pkg.dispose();
  });

  (hasReference ? test : test.skip)("reference model: chained windows meet without a jump", async () => {
    const pkg = await ModelPackage.load(REFERENCE);
    const [w, h] = pkg.manifest.video.sizes[0]!;
    const max = pkg.manifest.video.frames.max;
    const out = collector();
    await generate(pkg, { prompt: "a red circle moving left", seed: 1, frames: 2 * max, size: [w, h], ...cpu }, { onFrame: out.onFrame });
    const frames = [...Array(2 * max).keys()].map((i) => out.frames.get(i)!);
    const steps = frames.slice(1).map((f, i) => frameDiff(frames[i]!, f));
    const seam = steps[max - 1]!;
    const inside = steps.filter((_, i) => i !== max - 1).sort((a, b) => a - b);
    expect(seam).toBeLessThanOrEqual(inside[Math.floor(inside.length * 0.9)]! * 2);
    await pkg.dispose();
  });
});

describe("seamless loops", () => {
  test("the last window fills from the frames before it back to the clip's start; the windows before keep enough frames", () => {
    for (const total of [6, 10, 17, 24, 40, 100]) {
      const plan = planWindows(total, 17, "loop", 4, 5);
      const last = plan.windows.at(-1)!;
      expect(last).toMatchObject({ before: true, after: true, keepTo: last.frames });
      expect(last.start + last.frames).toBe(total);
      expect(last.start).toBeGreaterThanOrEqual(5);
      expect((last.frames - 1) % 4).toBe(0);
      expect(plan.windows[0]).toMatchObject({ start: 0, before: false, after: false });
      const kept = plan.windows.reduce((n, w) => n + w.keepTo - w.keepFrom, 0);
      expect(kept).toBe(total);
    }
    expect(() => planWindows(5, 17, "loop", 4, 5)).toThrow(/too short/);
  });
});
