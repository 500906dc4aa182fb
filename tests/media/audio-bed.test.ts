/**
 * The audio bed of a gap fill: the clip before's room tone and the clip after's crossfade across the gap, each
 * side joining its footage without a click; and the bed refuses nothing silently and leaves no temp files.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { buildAudioBed } from "../../helper-service/media/audio-bed.js";
import { decodeAudio, largestStep, loudness, makeSourceWithSound } from "../support/sound.js";
import { makeTempDir, tools } from "./helpers.js";

const RATE = 48_000;
let dir: string;
let remove: () => void;
let loud: string;
let quiet: string;
beforeAll(() => {
  ({ dir, remove } = makeTempDir("tessera-bed-"));
  loud = join(dir, "loud.mp4");
  quiet = join(dir, "quiet.mp4");
  makeSourceWithSound(loud, { seconds: 3, fps: 24, seed: 1 });
  makeSourceWithSound(quiet, { seconds: 3, fps: 24, seed: 2, gainDb: -10 });
});
afterAll(() => remove());

test("fill: seamless at both cuts, crossfading from the clip before's loudness to the clip after's", async () => {
  const notices: string[] = [];
  const bed = await buildAudioBed({
    before: { path: loud, fromSeconds: 0, toSeconds: 3 },
    after: { path: quiet, fromSeconds: 0, toSeconds: 3 },
    totalSeconds: 4.5,
    cutIn: 0.25,
    cutOut: 4.25,
    workDir: dir,
    tools,
    onSkip: (n) => notices.push(n),
  });
  expect(bed).not.toBeNull();
  expect(bed!.sides.map((s) => s.side)).toEqual(["before", "after"]);
  const made = decodeAudio(bed!.path);
  const before = decodeAudio(loud, { to: 3 });
  const after = decodeAudio(quiet, { to: 3 });
  expect(made[0]!.length).toBe(4.5 * RATE);
  const cutIn = 0.25 * RATE;
  const cutOut = 4.25 * RATE;
  for (const c of [0, 1]) {
    const b = before[c]!;
    const a = after[c]!;
    expect(Math.abs(made[c]![cutIn]! - b[b.length - 1]!)).toBeLessThanOrEqual(largestStep(b));
    expect(Math.abs(made[c]![cutOut - 1]! - a[0]!)).toBeLessThanOrEqual(largestStep(a));
    expect(largestStep(made[c]!, cutIn, cutOut)).toBeLessThanOrEqual(Math.max(largestStep(a), largestStep(b)) * 10 ** (1 / 20));
  }
  const [loudLufs, quietLufs] = [loudness(loud, 0, 3), loudness(quiet, 0, 3)];
  const early = loudness(bed!.path, 0.25, 1.25);
  const late = loudness(bed!.path, 3.25, 4.25);
  process.stdout.write(`fill: before ${loudLufs} LUFS, after ${quietLufs} LUFS; gap start ${early}, gap end ${late}\n`);
  expect(Math.abs(early - loudLufs)).toBeLessThan(Math.abs(early - quietLufs));
  expect(Math.abs(late - quietLufs)).toBeLessThan(Math.abs(late - loudLufs));
  expect(notices).toEqual([]);
  await bed!.cleanup();
  expect(readdirSync(dir).filter((n) => n.startsWith(".tessera-audio-"))).toEqual([]);
}, 60_000);

test("a side with too little sound is said, not padded; a side with none gives no bed", async () => {
  const short = join(dir, "short.mp4");
  makeSourceWithSound(short, { seconds: 0.3, fps: 24 });
  const notices: string[] = [];
  const bed = await buildAudioBed({ before: { path: short, fromSeconds: 0, toSeconds: 0.3 }, totalSeconds: 1, cutIn: 0, cutOut: 1, workDir: dir, tools, onSkip: (n) => notices.push(n) });
  expect(bed).toBeNull();
  expect(notices[0]).toMatch(/too short next to the cut/);
  const silent = join(dir, "silent.mp4");
  makeSourceWithSound(silent, { seconds: 2, fps: 24, audio: false });
  expect(await buildAudioBed({ after: { path: silent, fromSeconds: 0, toSeconds: 2 }, totalSeconds: 1, cutIn: 0, cutOut: 1, workDir: dir, tools })).toBeNull();
}, 60_000);
