/**
 * `tessera models install`, `generate`, `extend` and `history` as a user runs them, with the tiny test model and
 * real ffmpeg: output lines, exit codes (0 only with a complete file, 2 for bad input, 1 otherwise), files checked
 * with ffprobe, reruns that reproduce the same frames.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { locateMediaTools } from "../../helper-service/media/index.js";
import { tempDir } from "../server/support.js";
import { generateRequest } from "../../helper-service/cli/generate.js";
import { start, BIN, NO_REFERENCE, tessera, TINY } from "./support.js";

/** Every run here leaves the shipped reference model out: only the tiny model the tests install is there. */
const cli = (args: string[], options: { timeoutMs?: number } = {}) => tessera(args, { ...options, env: NO_REFERENCE });

const ffprobe = (path: string) =>
  execFileSync(locateMediaTools().ffprobe.path, ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames,r_frame_rate,width,height,codec_name", "-of", "csv=p=0", path], { encoding: "utf8" }).trim();
const frameHashes = (path: string) =>
  execFileSync(locateMediaTools().ffmpeg.path, ["-v", "error", "-i", path, "-f", "framemd5", "-"], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => l.split(",").at(-1)!.trim());

let dataDir: string;
let out: string;
beforeAll(() => {
  dataDir = tempDir();
  out = tempDir("tessera-cli-out-");
});

test("without a model, generate exits 1 with a clear message and writes nothing", async () => {
  const result = await cli(["generate", "a kite", "--frames", "4", "--out", join(out, "none.mp4"), "--data-dir", dataDir]);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain("no model installed");
  expect(result.stderr).toContain("fix:");
  expect(readdirSync(out)).toEqual([]);
});

test("models install puts the package in the data dir; models lists it as the default", async () => {
  const install = await cli(["models", "install", TINY, "--data-dir", dataDir]);
  expect(install.code).toBe(0);
  expect(install.stdout).toBe(`installed tessera-random-tiny 0.0.1 in ${join(dataDir, "models", "tessera-random-tiny-0.0.1")}\n`);
  const list = await cli(["models", "--data-dir", dataDir]);
  expect(list.stdout).toMatch(/^tessera-random-tiny 0\.0\.1 \(default\) {2}8 fps, 32x32 64x32, up to 17 frames a window {2}\S+$/m);
});

test("generate writes a complete H.264 file and says so in one line", async () => {
  const file = join(out, "kite.mp4");
  const result = await cli(["generate", "a red kite over hills", "--seconds", "0.5", "--fps", "24", "--size", "128x64", "--steps", "3", "--seed", "9", "--out", file, "--data-dir", dataDir]);
  expect(result.code).toBe(0);
  expect(result.stdout).toBe(`wrote ${file} (12 frames at 24/1 fps, 128x64, seed 9)\n`);
  expect(ffprobe(file)).toBe("h264,128,64,24/1,12");
}, 60_000);

test("the design's defaults: 4 s at 24 fps, H.264, the model's steps and guidance, 0 handles (size kept small here)", async () => {
  const file = join(out, "defaults.mp4");
  const result = await cli(["generate", "a calm lake", "--seed", "1", "--size", "128x72", "--out", file, "--data-dir", dataDir]);
  expect(result.code).toBe(0);
  expect(result.stdout).toBe(`wrote ${file} (96 frames at 24/1 fps, 128x72, seed 1)\n`);
  expect(ffprobe(file)).toBe("h264,128,72,24/1,96");
  const history = JSON.parse((await cli(["history", "calm lake", "--json", "--data-dir", dataDir])).stdout) as { request: Record<string, unknown>; output: { record: { steps: number; guidance: number } } }[];
  expect(history[0]!.request).toMatchObject({ handles: 0, frames: 96, fps: { num: 24, den: 1 }, output: { format: "h264" } });
  expect(history[0]!.request.steps).toBeUndefined();
  expect(history[0]!.output.record).toMatchObject({ steps: 20, guidance: 3 });
}, 60_000);

test("the default size is 1920x1080 and a seed is drawn when none is given", () => {
  const { request, out: file } = generateRequest("a calm lake", { out: "relative.mp4" });
  expect(request).toMatchObject({ width: 1920, height: 1080, frames: 96, fps: { num: 24, den: 1 }, handles: 0, output: { format: "h264" } });
  expect(Number.isInteger(request.seed)).toBe(true);
  expect(file).toBe(join(process.cwd(), "relative.mp4"));
  expect(generateRequest("x", { out: "a.mov", fps: { num: 30000, den: 1001 }, seconds: 2 }).request).toMatchObject({ frames: 60, output: { format: "prores" } });
});

test("the format follows --out's extension (.mov: ProRes) or --format png (a folder of frames)", async () => {
  const mov = join(out, "pro.mov");
  const prores = await cli(["generate", "a bridge", "--frames", "5", "--fps", "25", "--size", "64x64", "--steps", "2", "--out", mov, "--data-dir", dataDir]);
  expect(prores.code).toBe(0);
  expect(ffprobe(mov)).toBe("prores,64,64,25/1,5");
  const folder = join(out, "frames");
  const png = await cli(["generate", "a bridge", "--frames", "3", "--size", "64x32", "--steps", "2", "--format", "png", "--out", folder, "--data-dir", dataDir]);
  expect(png.code).toBe(0);
  expect(readdirSync(folder).filter((n) => n.endsWith(".png")).length).toBe(3);
}, 60_000);

test.each([
  [["--size", "12x5"], /--size 12x5/],
  [["--fps", "abc"], /--fps abc/],
  [["--seconds", "1", "--frames", "3"], /cannot be used with/],
  [["--format", "gif"], /Allowed choices are h264, prores, png/],
  [["--steps", "0"], /--steps must be from 1 to 200/],
  [["--bogus"], /unknown option/],
  [["--out", "/nonexistent-folder/x.mp4"], /the folder \/nonexistent-folder does not exist/],
])("bad input %j exits 2 and writes nothing", async (extra, message) => {
  const file = join(out, "bad.mp4");
  const result = await cli(["generate", "a kite", "--frames", "3", "--out", file, "--data-dir", dataDir, ...(extra as string[])]);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(message as RegExp);
  expect(existsSync(file)).toBe(false);
  expect(existsSync("/nonexistent-folder")).toBe(false);
});

test("an unknown extension, an unknown model and a refused prompt are bad input too (exit 2)", async () => {
  const avi = await cli(["generate", "a kite", "--frames", "3", "--out", join(out, "x.avi"), "--data-dir", dataDir]);
  expect(avi.code).toBe(2);
  expect(avi.stderr).toContain('".avi" is not an output Tessera writes');
  const model = await cli(["generate", "a kite", "--frames", "3", "--model", "nope", "--out", join(out, "m.mp4"), "--data-dir", dataDir]);
  expect(model.code).toBe(2);
  expect(model.stderr).toContain('"nope" is not installed');
  const refused = await cli(["generate", "a naked child", "--frames", "3", "--out", join(out, "p.mp4"), "--data-dir", dataDir]);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain("refused by the content policy");
  expect(readdirSync(out).filter((n) => /^(x|m|p)\./.test(n))).toEqual([]);
}, 60_000);

test("extend continues the source at its own fps and size and writes only the new frames", async () => {
  const source = join(out, "kite.mp4");
  const tail = join(out, "kite-more.mp4");
  const result = await cli(["extend", "--source", source, "--frames", "6", "--steps", "2", "--out", tail, "--data-dir", dataDir]);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(new RegExp(`^wrote ${tail} \\(6 frames at 24/1 fps, 128x64, seed \\d+\\)\\n$`));
  expect(ffprobe(tail)).toBe("h264,128,64,24/1,6");
  // no --prompt: the prompt that made the source, read from its embedded record
  const sidecar = JSON.parse(readFileSync(`${tail}.tessera.json`, "utf8")) as { record: { prompt: string; machine?: unknown } };
  expect(sidecar.record.prompt).toBe("a red kite over hills");
  // a local job's record names this machine (and no farm worker)
  expect(sidecar.record.machine).toEqual({ host: hostname() });
  const head = join(out, "kite-before.mp4");
  const before = await cli(["extend", "--source", source, "--at", "head", "--seconds", "0.25", "--prompt", "a kite rising", "--steps", "2", "--out", head, "--data-dir", dataDir]);
  expect(before.code).toBe(0);
  expect(ffprobe(head)).toBe("h264,128,64,24/1,6");
  const missing = await cli(["extend", "--source", join(out, "missing.mp4"), "--frames", "6", "--out", join(out, "y.mp4"), "--data-dir", dataDir]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain("missing.mp4");
  const noLength = await cli(["extend", "--source", source, "--out", join(out, "z.mp4"), "--data-dir", dataDir]);
  expect(noLength.code).toBe(2);
  expect(noLength.stderr).toContain("--seconds S or --frames N");
}, 90_000);

test("history lists and searches jobs; a rerun with the same seed makes the same frames, a variant does not", async () => {
  const all = await cli(["history", "--data-dir", dataDir]);
  expect(all.code).toBe(0);
  expect(all.stdout).toMatch(/ done {6}[0-9a-f-]{36} {2}seed 9 {2}12 frames at 24\/1 {2}"a red kite over hills" {2}\S*kite\.mp4$/m);
  const kite = await cli(["history", "kite", "--json", "--data-dir", dataDir]);
  const items = JSON.parse(kite.stdout) as { jobId: string; request: { prompt: string; seed: number } }[];
  expect(items.length).toBeGreaterThanOrEqual(1);
  expect(items.every((i) => i.request.prompt.includes("kite"))).toBe(true);
  const original = items.find((i) => i.request.prompt === "a red kite over hills" && i.request.seed === 9)!;
  const none = await cli(["history", "zebra", "--data-dir", dataDir]);
  expect(none.stdout).toBe('no jobs match "zebra"\n');

  const again = join(out, "kite-again.mp4");
  const same = await cli(["history", "--rerun", original.jobId, "--out", again, "--data-dir", dataDir]);
  expect(same.code).toBe(0);
  expect(same.stdout).toContain("seed 9)");
  expect(frameHashes(again)).toEqual(frameHashes(join(out, "kite.mp4")));
  const variant = join(out, "kite-variant.mp4");
  const other = await cli(["history", "--rerun", original.jobId, "--variant", "--out", variant, "--data-dir", dataDir]);
  expect(other.code).toBe(0);
  expect(other.stdout).not.toContain("seed 9)");
  expect(frameHashes(variant)).not.toEqual(frameHashes(join(out, "kite.mp4")));
}, 90_000);

test("Ctrl-C cancels between steps: exit 1, no file, no partial", async () => {
  const file = join(out, "interrupted.mp4");
  const run = start(process.execPath, [BIN, "generate", "a long take", "--frames", "200", "--size", "64x32", "--steps", "200", "--out", file, "--data-dir", dataDir], { env: NO_REFERENCE });
  try {
    // Wait until the generator is working (its device notice comes once the model has loaded).
    const deadline = Date.now() + 20_000;
    while (!run.stderr().includes("notice") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    run.proc.kill("SIGINT");
    expect(await run.exited).toBe(1);
  } finally {
    if (run.proc.exitCode === null) run.proc.kill("SIGKILL");
  }
  expect(run.stderr()).toContain("cancelling");
  expect(run.stderr()).toContain("The job was cancelled.");
  expect(existsSync(file)).toBe(false);
  expect(readdirSync(out).filter((n) => n.includes("tessera-partial"))).toEqual([]);
}, 60_000);
