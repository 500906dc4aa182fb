/**
 * Sound under an extension, as a user gets it from `tessera extend`: the source's room tone continues under the
 * new frames, with no click at the cut (no step between samples larger than the source's own largest step) and
 * within 1 LU of the source's last seconds (EBU R128, ffmpeg's ebur128). No sound is made where there was none.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { locateMediaTools } from "../../helper-service/media/index.js";
import { decodeAudio, largestStep, loudness, makeSourceWithSound } from "../support/sound.js";
import { tempDir } from "../server/support.js";
import { ROOT, tessera } from "./support.js";

const RATE = 48_000;
const FPS = 24;
const HANDLES = 6;
const SOURCE_SECONDS = 3;
const NEW_SECONDS = 2;
const cut = (HANDLES / FPS) * RATE; // sample where the new frames start (tail) in the output
const cutOut = ((HANDLES + NEW_SECONDS * FPS) / FPS) * RATE; // sample where they end (head)
/** The tiny random model: the picture does not matter here, the sound does. */
const env = { TESSERA_REFERENCE_DIR: resolve(ROOT, "tests/fixtures/tiny-model") };

let dir: string;
let source: string;
let silent: string;
beforeAll(() => {
  dir = tempDir("tessera-sound-");
  source = join(dir, "room.mp4");
  silent = join(dir, "silent.mp4");
  makeSourceWithSound(source, { seconds: SOURCE_SECONDS, fps: FPS });
  makeSourceWithSound(silent, { seconds: SOURCE_SECONDS, fps: FPS, audio: false });
});

const extend = (args: string[]) =>
  tessera(["extend", "--source", source, "--seconds", String(NEW_SECONDS), "--steps", "2", "--handles", String(HANDLES), "--data-dir", join(dir, "data"), ...args], { env, timeoutMs: 90_000 });

const audioStreams = (path: string) =>
  execFileSync(locateMediaTools().ffprobe.path, ["-v", "error", "-select_streams", "a", "-show_entries", "stream=codec_name", "-of", "csv=p=0", path], { encoding: "utf8" }).trim();

test("tail: the room tone carries on from the source's last sample, without a click, at the source's loudness", async () => {
  const out = join(dir, "tail.mov"); // ProRes with PCM sound: the samples are the bed's, no codec noise
  const result = await extend(["--out", out]);
  expect(result.code).toBe(0);
  expect(audioStreams(out)).toBe("pcm_s24le");
  const src = decodeAudio(source, { to: SOURCE_SECONDS });
  const made = decodeAudio(out);
  expect(made[0]!.length).toBe(((2 * HANDLES + NEW_SECONDS * FPS) / FPS) * RATE);
  for (const c of [0, 1]) {
    const s = src[c]!;
    const o = made[c]!;
    const range = largestStep(s, s.length - SOURCE_SECONDS * RATE);
    const seam = Math.abs(o[cut]! - s[s.length - 1]!);
    expect(seam).toBeLessThanOrEqual(range);
    // across the continuation, steps stay within the source's own, up to the loudness match (at most 1 dB here)
    expect(largestStep(o, cut)).toBeLessThanOrEqual(range * 10 ** (1 / 20));
    process.stdout.write(`tail ch${c}: source largest step ${range.toFixed(4)}, seam ${seam.toFixed(4)}, continuation ${largestStep(o, cut).toFixed(4)}\n`);
  }
  // no pumping: every quarter second of the continuation stays within 4 dB of the source's level
  const level = (x: Float32Array, from: number, to: number) => 10 * Math.log10(x.slice(from, to).reduce((sum, v) => sum + v * v, 0) / (to - from));
  const sourceLevel = level(src[0]!, 0, src[0]!.length);
  for (let at = cut; at + RATE / 4 <= made[0]!.length; at += RATE / 4) expect(Math.abs(level(made[0]!, at, at + RATE / 4) - sourceLevel)).toBeLessThan(4);
  const sourceLufs = loudness(source, 0, SOURCE_SECONDS);
  const madeLufs = loudness(out, HANDLES / FPS, (2 * HANDLES + NEW_SECONDS * FPS) / FPS);
  process.stdout.write(`tail loudness: source ${sourceLufs} LUFS, continuation ${madeLufs} LUFS\n`);
  expect(Math.abs(madeLufs - sourceLufs)).toBeLessThanOrEqual(1);
  const sidecar = JSON.parse(readFileSync(`${out}.tessera.json`, "utf8")) as { record: { audio: unknown } };
  expect(sidecar.record.audio).toEqual({ mode: "extend", continued: ["before"] });
}, 120_000);

test("head: the continuation ends on the source's first sample; H.264 gets AAC sound", async () => {
  const out = join(dir, "head.mp4");
  const result = await extend(["--at", "head", "--out", out]);
  expect(result.code).toBe(0);
  expect(audioStreams(out)).toBe("aac");
  const src = decodeAudio(source, { to: SOURCE_SECONDS });
  const made = decodeAudio(out);
  for (const c of [0, 1]) {
    const s = src[c]!;
    const range = largestStep(s, 0, SOURCE_SECONDS * RATE);
    const seam = Math.abs(made[c]![cutOut - 1]! - s[0]!);
    process.stdout.write(`head ch${c}: source largest step ${range.toFixed(4)}, seam ${seam.toFixed(4)}\n`);
    expect(seam).toBeLessThanOrEqual(range);
  }
  const madeLufs = loudness(out, 0, cutOut / RATE);
  expect(Math.abs(madeLufs - loudness(source, 0, SOURCE_SECONDS))).toBeLessThanOrEqual(1);
}, 120_000);

test("--audio none, and a source without sound, give a clip without sound", async () => {
  const none = join(dir, "none.mp4");
  expect((await extend(["--audio", "none", "--out", none])).code).toBe(0);
  expect(audioStreams(none)).toBe("");
  const quiet = join(dir, "quiet.mp4");
  const result = await tessera(["extend", "--source", silent, "--seconds", "1", "--steps", "2", "--out", quiet, "--data-dir", join(dir, "data")], { env, timeoutMs: 90_000 });
  expect(result.code).toBe(0);
  expect(audioStreams(quiet)).toBe("");
  const bad = await extend(["--audio", "loud", "--out", join(dir, "bad.mp4")]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/--audio.*none, extend|Allowed choices are none, extend/);
}, 120_000);
