// Extend and gap-fill conditioning: the frames next to the cut, decoded frame-accurately from clips the test makes
// itself (lossless, so pixels compare exactly), including variable frame rate, a first PTS that is not 0 and
// long GOPs where the wanted frames sit far from a keyframe.
import nodePath from "node:path";
import { parseFrameRate, type Rational } from "../../shared/time.js";
import {
  readRenderedFrames,
  readSourceFrames,
  runningToolCount,
  sourceFrameIndices,
} from "../../helper-service/media/index.js";
import { ffmpegFromFrames, makeTempDir, meanAbsDiff, syntheticFrame } from "./helpers.js";

const W = 64;
const H = 48;
const MODEL_FPS: Rational = { num: 8, den: 1 };
const temp = makeTempDir();
afterAll(() => temp.remove());

const frames = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => syntheticFrame(i, W, H));
const same = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean => !!a && !!b && Buffer.from(a).equals(Buffer.from(b));

/** Which synthetic frame number each returned frame is (-1: none matches exactly). */
function identify(got: Uint8Array[], candidates: number): number[] {
  const all = frames(candidates);
  return got.map((frame) => all.findIndex((f) => same(f, frame)));
}

const fixtures: Record<string, string> = {};
beforeAll(async () => {
  const make = async (name: string, n: number, fps: string, args: string[]): Promise<void> => {
    fixtures[name] = nodePath.join(temp.dir, name);
    await ffmpegFromFrames(frames(n), { width: W, height: H, fps }, [...args, fixtures[name] as string]);
  };
  await Promise.all([
    make("cfr24.mkv", 60, "24", ["-c:v", "ffv1", "-pix_fmt", "bgr0"]),
    make("ntsc.mkv", 60, "24000/1001", ["-c:v", "ffv1", "-pix_fmt", "bgr0"]),
    // First PTS at 10.5 s, as in footage cut from a longer recording or with source timecode.
    make("offset.mkv", 60, "25", ["-c:v", "ffv1", "-pix_fmt", "bgr0", "-output_ts_offset", "10.5"]),
    // Keyframes 100 frames apart: the wanted frames sit deep inside a GOP.
    make("gop.mkv", 240, "25", ["-c:v", "ffv1", "-pix_fmt", "bgr0", "-g", "100"]),
    // Lossless H.264 (RGB) with B-frames and one keyframe in 300: reordering plus a long GOP.
    make("gop.mp4", 240, "30000/1001", ["-c:v", "libx264rgb", "-qp", "0", "-preset", "ultrafast", "-g", "300", "-bf", "3", "-pix_fmt", "rgb24"]),
    // Variable frame rate: every third frame 13 ms late, and frames from 20 on held 200 ms later.
    make("vfr.mkv", 40, "25", [
      "-vf", "settb=1/1000,setpts='(N*0.04+if(eq(mod(N\\,3)\\,1)\\,0.013\\,0)+if(gte(N\\,20)\\,0.2\\,0))/TB'",
      "-vsync", "vfr", "-r", "1000", "-c:v", "ffv1", "-pix_fmt", "bgr0",
    ]),
  ]);
});

const base = { at: "tail" as const, count: 5, fps: MODEL_FPS, width: W, height: H };

test("frame numbers: 5 frames at 8 fps end on the out frame (tail) or start on the in frame (head)", () => {
  const fps24 = { num: 24, den: 1 };
  expect(sourceFrameIndices({ inFrame: 10, outFrame: 48 }, "tail", 5, MODEL_FPS, fps24)).toEqual([35, 38, 41, 44, 47]);
  expect(sourceFrameIndices({ inFrame: 5, outFrame: 48 }, "head", 5, MODEL_FPS, fps24)).toEqual([5, 8, 11, 14, 17]);
  expect(sourceFrameIndices({ inFrame: 0, outFrame: 60 }, "tail", 5, MODEL_FPS, parseFrameRate("23.976"))).toEqual([47, 50, 53, 56, 59]);
  // A clip shorter than the span repeats its edge frame rather than reading outside the clip.
  expect(sourceFrameIndices({ inFrame: 40, outFrame: 46 }, "tail", 5, MODEL_FPS, fps24)).toEqual([40, 40, 40, 42, 45]);
});

test.each([
  ["cfr24.mkv", "tail", 10, 48, [35, 38, 41, 44, 47]],
  ["cfr24.mkv", "head", 5, 48, [5, 8, 11, 14, 17]],
  ["ntsc.mkv", "tail", 0, 60, [47, 50, 53, 56, 59]],
  ["offset.mkv", "tail", 0, 40, [26, 30, 33, 36, 39]],
  ["offset.mkv", "head", 3, 40, [3, 6, 9, 12, 16]],
  ["gop.mkv", "tail", 0, 190, [176, 180, 183, 186, 189]],
  ["gop.mp4", "tail", 100, 230, [214, 218, 222, 225, 229]],
  ["gop.mp4", "head", 150, 230, [150, 154, 157, 161, 165]],
] as const)("%s %s [%i, %i) -> exactly frames %j", async (name, at, inFrame, outFrame, expected) => {
  const got = await readSourceFrames({ ...base, path: fixtures[name] as string, at, inFrame, outFrame });
  expect(got.sourceFrames).toEqual(expected);
  expect(got.frames).toHaveLength(5);
  expect(identify(got.frames, 240)).toEqual(expected);
  expect(runningToolCount()).toBe(0);
});

test("variable frame rate: each model frame is the picture on screen at its time", async () => {
  // Frame k starts at k*0.04 (+0.013 when k % 3 == 1, +0.2 from k = 20), Matroska rounds to whole milliseconds.
  const starts = Array.from({ length: 40 }, (_, k) => Math.round((k * 0.04 + (k % 3 === 1 ? 0.013 : 0) + (k >= 20 ? 0.2 : 0)) * 1000) / 1000);
  const onScreen = (t: number): number => starts.filter((s) => s <= t + 1e-9).length - 1;
  const fps25 = { num: 25, den: 1 };
  for (const [at, inFrame, outFrame] of [["tail", 0, 26], ["head", 1, 40], ["tail", 0, 36]] as const) {
    const got = await readSourceFrames({ ...base, path: fixtures["vfr.mkv"] as string, at, inFrame, outFrame, sourceFps: fps25 });
    const expected = got.sourceFrames.map((index) => onScreen(index * 0.04));
    expect(identify(got.frames, 40)).toEqual(expected);
  }
  // Held frames really are held: frame 19 stays on screen through the 200 ms gap.
  expect(onScreen(0.88)).toBe(19);
  // Without the editor's rate, frames are numbered at the measured typical rate (the container only says 1000/1).
  const measured = await readSourceFrames({ ...base, path: fixtures["vfr.mkv"] as string, inFrame: 0, outFrame: 26 });
  const rate = measured.info.fps.num / measured.info.fps.den;
  expect(Math.abs(rate - 25)).toBeLessThan(1.5);
  expect(measured.info.variableFrameRate).toBe(true);
  const period = measured.info.fps.den / measured.info.fps.num;
  expect(identify(measured.frames, 40)).toEqual(measured.sourceFrames.map((index) => onScreen(index * period)));
});

test("frames are scaled to the model size with the fit mode (fill crops the centre)", async () => {
  const got = await readSourceFrames({ ...base, path: fixtures["cfr24.mkv"] as string, inFrame: 0, outFrame: 48, width: 32, height: 32 });
  expect(got.frames.every((f) => f.length === 32 * 32 * 3)).toBe(true);
  // Compare with the centre 48x48 of the source frames, box-scaled by 2/3: the right frame is much closer than its
  // neighbours.
  const centre = (index: number): Uint8Array => {
    const src = syntheticFrame(index, W, H);
    const out = new Uint8Array(32 * 32 * 3);
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const sx = 8 + Math.floor((x * 48) / 32);
        const sy = Math.floor((y * 48) / 32);
        for (let c = 0; c < 3; c++) out[(y * 32 + x) * 3 + c] = src[(sy * W + sx) * 3 + c] as number;
      }
    }
    return out;
  };
  got.sourceFrames.forEach((index, i) => {
    const frame = got.frames[i] as Uint8Array;
    expect(meanAbsDiff(frame, centre(index))).toBeLessThan(meanAbsDiff(frame, centre(index + 1)));
    expect(meanAbsDiff(frame, centre(index))).toBeLessThan(meanAbsDiff(frame, centre(index - 1)));
  });
});

test("a range outside the file, an empty range and a refused path are clear errors", async () => {
  const path = fixtures["cfr24.mkv"] as string;
  await expect(readSourceFrames({ ...base, path, inFrame: 0, outFrame: 61 })).rejects.toMatchObject({ code: "E_BAD_REQUEST" });
  await expect(readSourceFrames({ ...base, path, inFrame: 10, outFrame: 10 })).rejects.toMatchObject({ code: "E_BAD_REQUEST" });
  await expect(readSourceFrames({ ...base, path: "http://example.com/a.mp4", inFrame: 0, outFrame: 5 })).rejects.toMatchObject({ code: "E_PATH_REFUSED" });
  await expect(
    readSourceFrames({ ...base, path, inFrame: 0, outFrame: 5, policy: { allowedRoots: ["/srv/media"] } }),
  ).rejects.toMatchObject({ code: "E_PATH_REFUSED" });
});

test("frames the panel rendered from the sequence are picked and scaled the same way", async () => {
  const dir = nodePath.join(temp.dir, "rendered");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(dir);
  await ffmpegFromFrames(frames(30), { width: W, height: H, fps: "24" }, ["-start_number", "0", nodePath.join(dir, "f_%03d.png")]);
  const paths = Array.from({ length: 30 }, (_, i) => nodePath.join(dir, `f_${String(i).padStart(3, "0")}.png`));
  const got = await readRenderedFrames({ paths, sourceFps: { num: 24, den: 1 }, at: "tail", count: 5, fps: MODEL_FPS, width: W, height: H });
  expect(got.sourceFrames).toEqual([17, 20, 23, 26, 29]);
  expect(identify(got.frames, 30)).toEqual([17, 20, 23, 26, 29]);
  // A name that looks like an ffmpeg pattern is still one file, not a sequence of its neighbours.
  const { copyFileSync } = await import("node:fs");
  const literal = nodePath.join(dir, "f_%03d.png");
  copyFileSync(paths[7] as string, literal);
  const single = await readRenderedFrames({ paths: [literal], sourceFps: { num: 24, den: 1 }, at: "tail", count: 1, fps: MODEL_FPS, width: W, height: H });
  expect(identify(single.frames, 30)).toEqual([7]);
  await expect(
    readRenderedFrames({ paths: [nodePath.join(dir, "f_000.txt")], sourceFps: { num: 24, den: 1 }, at: "tail", count: 1, fps: MODEL_FPS, width: W, height: H }),
  ).rejects.toMatchObject({ code: "E_MEDIA_UNSUPPORTED" });
});
