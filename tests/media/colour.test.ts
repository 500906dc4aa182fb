// Palette patches go through RGB -> BT.709 limited-range Y'CbCr -> file -> decode, and come back close to where
// they started. Decoding the same file with the BT.601 matrix must be visibly worse: that proves the encoder used
// BT.709 (ffmpeg's default would be BT.601) and that the tags match what was done.
import { execFileSync } from "node:child_process";
import nodePath from "node:path";
import { createEncoder } from "../../helper-service/media/index.js";
import { makeTempDir, tools } from "./helpers.js";

const PATCH = 32;
const PALETTE: [string, number, number, number][] = [
  ["red", 230, 20, 20],
  ["green", 20, 200, 40],
  ["blue", 25, 40, 220],
  ["cyan", 20, 210, 220],
  ["magenta", 210, 30, 200],
  ["yellow", 235, 220, 30],
  ["orange", 240, 130, 20],
  ["skin", 224, 172, 140],
  ["white", 235, 235, 235],
  ["grey", 128, 128, 128],
  ["black", 16, 16, 16],
  ["teal", 0, 128, 128],
];
const WIDTH = PATCH * PALETTE.length;
const HEIGHT = PATCH;

function paletteFrame(): Uint8Array {
  const frame = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const [, r, g, b] = PALETTE[Math.floor(x / PATCH)] as [string, number, number, number];
      frame.set([r, g, b], (y * WIDTH + x) * 3);
    }
  }
  return frame;
}

function decode(file: string, matrix: "bt709" | "bt601"): Buffer {
  return execFileSync(
    tools.ffmpeg.path,
    ["-hide_banner", "-loglevel", "error", "-nostdin", "-i", file, "-frames:v", "1",
      "-vf", `scale=in_color_matrix=${matrix}:in_range=tv:flags=accurate_rnd+full_chroma_int,format=rgb24`,
      "-f", "rawvideo", "pipe:1"],
    { maxBuffer: 1 << 24 },
  );
}

/** Worst per-channel error of each patch's mean colour, measured away from the patch edges (chroma bleed). */
function patchErrors(decoded: Buffer): { name: string; error: number }[] {
  return PALETTE.map(([name, r, g, b], i) => {
    const sums = [0, 0, 0];
    let n = 0;
    for (let y = 8; y < HEIGHT - 8; y++) {
      for (let x = i * PATCH + 8; x < (i + 1) * PATCH - 8; x++) {
        const at = (y * WIDTH + x) * 3;
        for (let c = 0; c < 3; c++) sums[c] = (sums[c] as number) + (decoded[at + c] as number);
        n++;
      }
    }
    const mean = sums.map((s) => s / n);
    const error = Math.max(Math.abs((mean[0] as number) - r), Math.abs((mean[1] as number) - g), Math.abs((mean[2] as number) - b));
    return { name, error };
  });
}

const temp = makeTempDir();
afterAll(() => temp.remove());

test.each(["h264", "prores"] as const)("%s: palette patches round-trip through BT.709 limited range", async (format) => {
  const out = nodePath.join(temp.dir, format === "h264" ? "palette.mp4" : "palette.mov");
  const encoder = await createEncoder({ format, out, fps: { num: 25, den: 1 }, width: WIDTH, height: HEIGHT });
  for (let i = 0; i < 3; i++) await encoder.write(paletteFrame());
  const result = await encoder.finish();

  const limit = format === "h264" ? 2.5 : 1; // measured: at most 1 level (h264) and 0 (ProRes)
  const good = patchErrors(decode(result.path, "bt709"));
  // Listing the patches over the limit (expected: none) names the colour that drifted when this fails.
  expect(good.filter((p) => p.error >= limit)).toEqual([]);

  // The same file read with the wrong (BT.601) matrix: saturated patches shift by far more.
  const wrong = patchErrors(decode(result.path, "bt601"));
  expect(Math.max(...wrong.map((p) => p.error))).toBeGreaterThan(10);
});
