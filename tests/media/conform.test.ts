// Conform planning (model frames, windows, model size) and the geometry of fill / fit / stretch, checked on real
// PNG output so no chroma subsampling blurs the edges.
import fc from "fast-check";
import nodePath from "node:path";
import { convertFrames, fitsGrammar, parseFrameRate, type Rational } from "../../shared/time.js";
import {
  chooseModelSize,
  conformPlan,
  createEncoder,
  modelFramesFor,
  planWindows,
  type FitMode,
  type ModelVideo,
} from "../../helper-service/media/index.js";
import { decodeAll, makeTempDir } from "./helpers.js";

const model: ModelVideo = { fps: 8, sizes: [[64, 32], [32, 64], [48, 48]], frames: { step: 4, offset: 1, max: 17 } };
const RATES = ["23.976", "24", "25", "29.97", "30", "50", "59.94", "60"].map(parseFrameRate);

describe("conformPlan", () => {
  test("4 s at 23.976 with 12-frame handles, 1920x1080", () => {
    const plan = conformPlan({ frames: 96, handles: 12, fps: parseFrameRate("23.976"), width: 1920, height: 1080 }, model);
    expect(plan.output).toEqual({ width: 1920, height: 1080, fps: { num: 24000, den: 1001 }, frames: 120, handles: 12, requested: 96 });
    // 119 frame intervals at 23.976 last 4.963 s; at 8 fps that needs frames 0..40, and one after for interpolation.
    expect(plan.model).toEqual({ width: 64, height: 32, fps: { num: 8, den: 1 }, frames: 42, windows: [17, 17, 9] });
    expect(plan.fit).toBe("fill");
    expect(plan.retime).toBe("blend");
  });

  test("the model size follows the sequence's aspect", () => {
    expect(chooseModelSize(model.sizes, { width: 1920, height: 1080 })).toEqual({ width: 64, height: 32 });
    expect(chooseModelSize(model.sizes, { width: 3840, height: 2160 })).toEqual({ width: 64, height: 32 });
    expect(chooseModelSize(model.sizes, { width: 1080, height: 1920 })).toEqual({ width: 32, height: 64 });
    expect(chooseModelSize(model.sizes, { width: 1080, height: 1080 })).toEqual({ width: 48, height: 48 });
    expect(chooseModelSize(model.sizes, { width: 1440, height: 1080 })).toEqual({ width: 48, height: 48 });
    expect(chooseModelSize([[32, 32], [64, 64]], { width: 100, height: 100 })).toEqual({ width: 64, height: 64 });
    expect(() => chooseModelSize([], { width: 1, height: 1 })).toThrow(/no frame sizes/);
  });

  test("bad requests are clear errors", () => {
    expect(() => conformPlan({ frames: 0, fps: { num: 25, den: 1 }, width: 64, height: 64 }, model)).toThrow(/0 frames/);
    expect(() => conformPlan({ frames: 5, handles: -1, fps: { num: 25, den: 1 }, width: 64, height: 64 }, model)).toThrow(/handles/);
  });

  test("property: model frames cover every output frame, windows fit the grammar and cover the plan", () => {
    fc.assert(
      fc.property(fc.constantFrom(...RATES), fc.integer({ min: 1, max: 14400 }), fc.integer({ min: 0, max: 24 }), (fps, frames, handles) => {
        const plan = conformPlan({ frames, handles, fps, width: 1920, height: 1080 }, model);
        const total = frames + 2 * handles;
        expect(plan.output.frames).toBe(total);
        // The last output frame's time lies within the model frames' span...
        const lastNeeded = convertFrames(total - 1, fps, plan.model.fps, "ceil");
        expect(plan.model.frames - 1).toBeGreaterThanOrEqual(lastNeeded);
        // ...with exactly one frame after it (interpolation needs both neighbours), no more.
        expect(plan.model.frames - 2).toBe(lastNeeded);
        const sum = plan.model.windows.reduce((a, b) => a + b, 0);
        expect(sum).toBeGreaterThanOrEqual(plan.model.frames);
        expect(sum - plan.model.frames).toBeLessThan(4);
        for (const w of plan.model.windows) expect(fitsGrammar(w, model.frames)).toBe(true);
        expect(plan.model.windows.slice(0, -1).every((w) => w === 17)).toBe(true);
      }),
    );
  });

  test("same rate: one model frame per output frame", () => {
    const fps: Rational = { num: 8, den: 1 };
    expect(modelFramesFor(33, fps, fps)).toBe(33);
    expect(planWindows(33, model.frames)).toEqual([17, 17]);
    expect(planWindows(1, model.frames)).toEqual([1]);
  });
});

describe("fit modes on real output", () => {
  const temp = makeTempDir();
  afterAll(() => temp.remove());

  // A 2:1 model frame: left half red, right half blue, with a 2-pixel green border.
  const W = 64;
  const H = 32;
  const source = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const border = x < 2 || y < 2 || x >= W - 2 || y >= H - 2;
      source.set(border ? [0, 255, 0] : x < W / 2 ? [255, 0, 0] : [0, 0, 255], (y * W + x) * 3);
    }
  }

  async function conform(fit: FitMode, width: number, height: number): Promise<(x: number, y: number) => number[]> {
    const out = nodePath.join(temp.dir, `${fit}-${width}x${height}`);
    const encoder = await createEncoder({
      format: "png", out, fps: { num: 24, den: 1 }, width, height, frames: 3, fit,
      source: { fps: { num: 8, den: 1 }, width: W, height: H },
    });
    for (let i = 0; i < 3; i++) await encoder.write(source);
    const result = await encoder.finish();
    expect(result.files).toHaveLength(3);
    const [frame] = decodeAll(result.files[0] as string, width, height);
    return (x, y) => Array.from((frame as Uint8Array).subarray((y * width + x) * 3, (y * width + x) * 3 + 3));
  }
  const near = (got: number[], want: number[]): boolean => got.every((v, i) => Math.abs(v - (want[i] as number)) <= 24);

  test("fill crops the sides of a 2:1 frame into a square; the border is cut off left and right only", async () => {
    const px = await conform("fill", 96, 96);
    expect(near(px(2, 48), [255, 0, 0])).toBe(true); // left edge is inside the red half now (border cropped)
    expect(near(px(93, 48), [0, 0, 255])).toBe(true);
    expect(near(px(48, 0), [0, 255, 0])).toBe(true); // top border kept
  });

  test("fit pads a 2:1 frame into a square with black bars top and bottom", async () => {
    const px = await conform("fit", 96, 96);
    expect(near(px(48, 5), [0, 0, 0])).toBe(true);
    expect(near(px(48, 90), [0, 0, 0])).toBe(true);
    expect(near(px(20, 48), [255, 0, 0])).toBe(true);
    expect(near(px(0, 48), [0, 255, 0])).toBe(true); // side border kept
  });

  test("stretch fills the square, keeping every border", async () => {
    const px = await conform("stretch", 96, 96);
    expect(near(px(0, 48), [0, 255, 0])).toBe(true);
    expect(near(px(48, 0), [0, 255, 0])).toBe(true);
    expect(near(px(20, 48), [255, 0, 0])).toBe(true);
  });
});
