// Corrupt, truncated and hostile files: each is refused with a clear error (or, where ffmpeg can read it, bounded),
// within 10 s, touching no network, and leaving no ffmpeg/ffprobe process behind.
import { copyFileSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import nodePath from "node:path";
import { TesseraError } from "../../shared/errors.js";
import { probe, readSourceFrames, resolveMediaPath, runningToolCount } from "../../helper-service/media/index.js";
import { runTool } from "../../helper-service/media/process.js";
import { childCommands, ffmpegFromFrames, makeTempDir, syntheticFrame, tools } from "./helpers.js";

const temp = makeTempDir();
const at = (name: string): string => nodePath.join(temp.dir, name);
afterAll(() => temp.remove());

const frames = Array.from({ length: 50 }, (_, i) => syntheticFrame(i, 64, 48));

beforeAll(async () => {
  const input = { width: 64, height: 48, fps: "25" };
  await ffmpegFromFrames(frames, input, ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", at("good-faststart.mp4")]);
  await ffmpegFromFrames(frames, input, ["-c:v", "libx264", "-pix_fmt", "yuv420p", at("good-moov-last.mp4")]);
  await ffmpegFromFrames(frames, input, ["-c:v", "ffv1", at("good.mkv")]);

  writeFileSync(at("random.mp4"), Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 2654435761) >>> 24)));
  writeFileSync(at("text.mov"), "This is a shopping list, not a movie.\n".repeat(100));
  copyFileSync(at("good-faststart.mp4"), at("truncated-faststart.mp4"));
  truncateSync(at("truncated-faststart.mp4"), Math.floor(readFileSync(at("good-faststart.mp4")).length * 0.4));
  copyFileSync(at("good-moov-last.mp4"), at("truncated-moov-last.mp4"));
  truncateSync(at("truncated-moov-last.mp4"), Math.floor(readFileSync(at("good-moov-last.mp4")).length * 0.6));
  copyFileSync(at("good.mkv"), at("truncated.mkv"));
  truncateSync(at("truncated.mkv"), Math.floor(readFileSync(at("good.mkv")).length * 0.3));
  // Playlists and ffconcat scripts under a video name: must not fetch URLs or read other files.
  writeFileSync(at("playlist.mp4"), "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nhttp://127.0.0.1:9/evil.ts\n#EXT-X-ENDLIST\n");
  writeFileSync(at("concat.mp4"), "ffconcat version 1.0\nfile '/etc/passwd'\nfile 'good.mkv'\n");
  writeFileSync(at("stream.mov"), "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\nm=video 5004 RTP/AVP 96\na=rtpmap:96 H264/90000\n");
  // A still image and an audio-only file wearing video extensions.
  await ffmpegFromFrames([frames[0] as Uint8Array], input, ["-frames:v", "1", "-c:v", "png", "-f", "image2", at("image.mp4")]);
  const { execFileSync } = await import("node:child_process");
  execFileSync(tools.ffmpeg.path, ["-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", "-f", "mp4", at("audio-only.mp4")]);
  // A y4m header claiming frames far larger than any real video.
  writeFileSync(at("huge.y4m"), Buffer.concat([Buffer.from("YUV4MPEG2 W60000 H60000 F25:1 Ip A1:1 C420jpeg\nFRAME\n"), Buffer.alloc(1024)]));
  // Garbage written over the middle of a valid file.
  const damaged = Buffer.from(readFileSync(at("good-moov-last.mp4")));
  for (let i = Math.floor(damaged.length * 0.3); i < damaged.length * 0.5; i++) damaged[i] = (i * 7919) & 255;
  writeFileSync(at("damaged.mp4"), damaged);
  // A symlink loop.
  symlinkSync(at("loop-b.mp4"), at("loop-a.mp4"));
  symlinkSync(at("loop-a.mp4"), at("loop-b.mp4"));
});

type Outcome = { code: string } | { frames: number };

/** What a user path does in the extend workflow: resolve, probe, decode the tail. Times it. */
async function attempt(name: string): Promise<{ outcome: Outcome; ms: number }> {
  const started = Date.now();
  let outcome: Outcome;
  try {
    const got = await readSourceFrames({ path: at(name), inFrame: 0, outFrame: 50, at: "tail", count: 5, fps: { num: 8, den: 1 }, width: 32, height: 32 });
    outcome = { frames: got.frames.length };
  } catch (err) {
    if (!(err instanceof TesseraError)) throw err;
    expect(err.message.length).toBeGreaterThan(10);
    expect(err.hint.length).toBeGreaterThan(10);
    outcome = { code: err.code };
  }
  return { outcome, ms: Date.now() - started };
}

const leftovers = (): string[] => childCommands().filter((c) => /ffmpeg|ffprobe/.test(c));

test.each([
  ["random.mp4", "E_MEDIA_CORRUPT"],
  ["text.mov", "E_MEDIA_CORRUPT"],
  ["truncated-faststart.mp4", "E_MEDIA_CORRUPT"],
  ["truncated-moov-last.mp4", "E_MEDIA_CORRUPT"],
  ["truncated.mkv", "E_MEDIA_CORRUPT|E_BAD_REQUEST"],
  ["playlist.mp4", "E_MEDIA_CORRUPT|E_MEDIA_UNSUPPORTED"],
  ["concat.mp4", "E_MEDIA_CORRUPT|E_MEDIA_UNSUPPORTED"],
  ["stream.mov", "E_MEDIA_CORRUPT|E_MEDIA_UNSUPPORTED"],
  ["image.mp4", "E_MEDIA_CORRUPT|E_MEDIA_UNSUPPORTED"],
  ["audio-only.mp4", "E_MEDIA_UNSUPPORTED"],
  ["huge.y4m", "E_MEDIA_CORRUPT|E_MEDIA_UNSUPPORTED"],
  ["loop-a.mp4", "E_PATH_REFUSED"],
])("%s is refused (%s) within 10 s, leaving no process", async (name, codes) => {
  const { outcome, ms } = await attempt(name);
  expect(outcome).toEqual({ code: expect.stringMatching(new RegExp(`^(${codes})$`)) });
  expect(ms).toBeLessThan(10_000);
  expect(runningToolCount()).toBe(0);
  expect(leftovers()).toEqual([]);
});

test("damaged.mp4: garbage mid-file is bounded: an error or frames, within 10 s, no process left", async () => {
  const { outcome, ms } = await attempt("damaged.mp4");
  if ("code" in outcome) expect(outcome.code).toBe("E_MEDIA_CORRUPT");
  else expect(outcome.frames).toBe(5);
  expect(ms).toBeLessThan(10_000);
  expect(leftovers()).toEqual([]);
});

test("the intact originals decode, so the refusals above are about the damage", async () => {
  for (const name of ["good-faststart.mp4", "good-moov-last.mp4", "good.mkv"]) {
    expect((await attempt(name)).outcome).toEqual({ frames: 5 });
  }
});

test("probe of a refused container names it unsupported and never reaches the network", async () => {
  const path = await resolveMediaPath(at("playlist.mp4"), "video");
  await expect(probe(path)).rejects.toBeInstanceOf(TesseraError);
  expect(leftovers()).toEqual([]);
});

test("a child that hangs is killed at the wall-clock limit", async () => {
  const started = Date.now();
  const result = await runTool("/bin/sleep", ["30"], { timeoutMs: 300 });
  expect(result.timedOut).toBe(true);
  expect(result.signal).toBe("SIGKILL");
  expect(Date.now() - started).toBeLessThan(5000);
  expect(runningToolCount()).toBe(0);
  expect(childCommands().filter((c) => c === "sleep")).toEqual([]);
});

test("an abort signal kills a running probe at once", async () => {
  const controller = new AbortController();
  const running = probe(await resolveMediaPath(at("good.mkv"), "video"), { signal: controller.signal });
  controller.abort();
  await expect(running).rejects.toMatchObject({ code: "E_CANCELLED" });
  expect(runningToolCount()).toBe(0);
});
