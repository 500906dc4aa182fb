import { readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { decodePreview } from "../../shared/preview-header.js";
import { parseManifest } from "../../helper-service/inference/manifest.js";
import { encodeJpeg, latentFrameToRgb, previewFrame, previewSize, PreviewThrottle, resizeRgb } from "../../helper-service/inference/preview.js";
import { ORACLE } from "./helpers.js";

const oracle = parseManifest(readFileSync(join(ORACLE, "model.json"), "utf8"), "oracle/model.json");

describe("previews", () => {
  test("latents map to RGB through rgbFactors and rgbBias", () => {
    // oracle: rgb = z_model * std + mean per channel (its exact decoder), so z = (1 - mean) / std is full red
    const shape = { C: 4, F: 2, H: 1, W: 2 };
    const z = new Float32Array(4 * 2 * 2);
    const { mean, std } = oracle.latent;
    const set = (c: number, f: number, p: number, v: number) => (z[(c * 2 + f) * 2 + p] = v);
    [1, -1, -1].forEach((v, c) => set(c, 1, 0, (v - mean[c]!) / std[c]!)); // frame 1, pixel 0: red
    [-1, -1, 1].forEach((v, c) => set(c, 1, 1, (v - mean[c]!) / std[c]!)); // frame 1, pixel 1: blue
    expect(Array.from(latentFrameToRgb(z, shape, 1, oracle))).toEqual([255, 0, 0, 0, 0, 255]);
  });

  test("a preview travels as the panel's binary frame with its JPEG", async () => {
    const rgb = new Uint8Array(8 * 4 * 3).fill(200);
    const jpeg = await encodeJpeg(rgb, 8, 4, previewSize([64, 32]));
    const jobId = "0b9f8d2e-3c4a-4e5f-8a6b-7c8d9e0f1a2b";
    const frame = previewFrame({ jpeg, width: 64, height: 32, frameIndex: 9, window: 0, step: 3, steps: 20 }, jobId);
    const decoded = decodePreview(frame);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.header).toEqual({ jobId, frameIndex: 9, width: 64, height: 32, format: "jpeg" });
    const meta = await sharp(Buffer.from(decoded.image)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", 64, 32]);
  });

  test("previews are upscaled bilinearly: edges keep their pixels, the middle blends", () => {
    // 2 x 1 black | white, to 4 x 2: the outer columns stay, the inner ones are a quarter and three quarters
    const out = resizeRgb(Uint8Array.from([0, 0, 0, 255, 255, 255]), 2, 1, [4, 2]);
    const red = (x: number, y: number) => out[(y * 4 + x) * 3]!;
    expect([0, 1, 2, 3].map((x) => red(x, 0))).toEqual([0, 64, 191, 255]);
    expect([0, 1, 2, 3].map((x) => red(x, 1))).toEqual([0, 64, 191, 255]);
    const same = Uint8Array.from([1, 2, 3]);
    expect(resizeRgb(same, 1, 1, [1, 1])).toBe(same);
  });

  test("large clips get small previews", () => {
    expect(previewSize([1920, 1080])).toEqual([320, 180]);
    expect(previewSize([64, 32])).toEqual([64, 32]);
  });

  test("the throttle lets one preview through per interval and never two at once", async () => {
    const errors: unknown[] = [];
    const throttle = new PreviewThrottle(250, (error) => errors.push(error));
    expect(throttle.due(1000)).toBe(true);
    let finish!: () => void;
    throttle.start(() => new Promise<void>((resolve) => (finish = resolve)), 1000);
    expect(throttle.due(2000)).toBe(false); // still encoding
    finish();
    await throttle.settle();
    expect(throttle.due(1100)).toBe(false); // too soon
    expect(throttle.due(1250)).toBe(true);
    await throttle.run(() => Promise.reject(new Error("encoder failed")), 1250);
    expect(errors.map((e) => (e as Error).message)).toEqual(["encoder failed"]);
  });
});
