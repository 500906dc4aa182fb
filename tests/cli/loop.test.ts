/**
 * `tessera generate --loop` with the shipped reference model: the clip's last frame flows into its first. The
 * seam (last frame to first) is measured against the clip's own frame-to-frame change, and against the seam of
 * the same prompt and seed made without --loop.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { locateMediaTools } from "../../helper-service/media/index.js";
import { tempDir } from "../server/support.js";
import { ROOT, tessera } from "./support.js";

const REFERENCE = join(ROOT, "models", "reference", "model.json");
const [W, H] = [128, 64];

/** Mean absolute RGB difference between consecutive frames, and between the last frame and the first. */
function motion(path: string): { steps: number[]; seam: number } {
  const raw = execFileSync(locateMediaTools().ffmpeg.path, ["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], { maxBuffer: 1 << 28 });
  const size = W * H * 3;
  const count = raw.length / size;
  const diff = (a: number, b: number) => {
    let sum = 0;
    for (let i = 0; i < size; i++) sum += Math.abs(raw[a * size + i]! - raw[b * size + i]!);
    return sum / size;
  };
  return { steps: Array.from({ length: count - 1 }, (_, i) => diff(i, i + 1)), seam: diff(count - 1, 0) };
}

const run = existsSync(REFERENCE) ? test : test.skip;

run("a loop's seam is no bigger than the clip's own frame-to-frame change, and far smaller than without --loop", async () => {
  const dir = tempDir("tessera-loop-");
  const make = (name: string, loop: boolean) =>
    tessera(["generate", "a red ball bouncing", ...(loop ? ["--loop"] : []), "--seconds", "3", "--fps", "24", "--size", `${W}x${H}`, "--seed", "5", "--out", join(dir, name), "--data-dir", join(dir, "data")], { timeoutMs: 120_000 });
  const looped = await make("loop.mp4", true);
  expect(looped.stderr).not.toMatch(/tessera: (?!notice)/);
  expect(looped.code).toBe(0);
  expect((await make("once.mp4", false)).code).toBe(0);
  const loop = motion(join(dir, "loop.mp4"));
  const once = motion(join(dir, "once.mp4"));
  expect(loop.steps).toHaveLength(71);
  const largest = Math.max(...loop.steps);
  const median = [...loop.steps].sort((a, b) => a - b)[35]!;
  process.stdout.write(`loop seam ${loop.seam.toFixed(2)} (clip: median step ${median.toFixed(2)}, largest ${largest.toFixed(2)}); without --loop the seam is ${once.seam.toFixed(2)}\n`);
  expect(loop.seam).toBeLessThanOrEqual(1.25 * largest);
  expect(loop.seam).toBeLessThan(0.5 * once.seam);
  // the generation record says so
  const history = JSON.parse((await tessera(["history", "red ball", "--json", "--data-dir", join(dir, "data")])).stdout) as { request: { loop?: boolean }; output: { record: { loop?: boolean } } }[];
  expect(history.find((h) => h.request.loop)?.output.record.loop).toBe(true);
}, 180_000);

test("--loop with handles, or a loop shorter than the model's conditioning, is bad input with a fix", async () => {
  const dir = tempDir("tessera-loop-bad-");
  const env = { TESSERA_REFERENCE_DIR: join(ROOT, "tests", "fixtures", "tiny-model") };
  const handles = await tessera(["generate", "waves", "--loop", "--handles", "6", "--out", join(dir, "a.mp4"), "--data-dir", dir], { env });
  expect(handles.code).toBe(2);
  expect(handles.stderr).toContain("a loop has no handles");
  const short = await tessera(["generate", "waves", "--loop", "--frames", "12", "--fps", "24", "--size", "64x64", "--steps", "2", "--out", join(dir, "b.mp4"), "--data-dir", dir], { env, timeoutMs: 60_000 });
  expect(short.code).toBe(2);
  expect(short.stderr).toMatch(/A loop needs more than 5 frames/);
}, 90_000);
