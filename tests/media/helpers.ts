// Test helpers for the media layer: temp folders, synthetic frames, fixture clips made with ffmpeg, and an
// ffprobe readout independent of helper-service/media/probe.ts.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import nodePath from "node:path";
import { locateMediaTools } from "../../helper-service/media/binaries.js";

export const tools = locateMediaTools();

export function makeTempDir(prefix = "tessera-media-"): { dir: string; remove: () => void } {
  const dir = mkdtempSync(nodePath.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A frame unlike every other: each pixel depends on the frame number, x and y. */
export function syntheticFrame(index: number, width: number, height: number): Uint8Array {
  const frame = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      frame[i] = (index * 37 + x * 5) & 255;
      frame[i + 1] = (index * 11 + y * 7 + (index >> 3) * 29) & 255;
      frame[i + 2] = (index * 53 + x * y) & 255;
    }
  }
  return frame;
}

/** Runs ffmpeg with raw RGB frames on stdin (the test's own fixture maker, not the code under test). */
export function ffmpegFromFrames(
  frames: Iterable<Uint8Array>,
  input: { width: number; height: number; fps: string },
  outputArgs: string[],
): Promise<void> {
  const args = [
    "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
    "-f", "rawvideo", "-pix_fmt", "rgb24", "-video_size", `${input.width}x${input.height}`, "-framerate", input.fps,
    "-i", "pipe:0", ...outputArgs,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(tools.ffmpeg.path, args, { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg ${code}: ${stderr}`))));
    (async () => {
      for (const frame of frames) {
        if (!child.stdin.write(frame)) await new Promise((r) => child.stdin.once("drain", r));
      }
      child.stdin.end();
    })().catch(reject);
  });
}

export interface StreamFacts {
  codec_name: string;
  width: number;
  height: number;
  r_frame_rate: string;
  avg_frame_rate: string;
  nb_read_packets?: string;
  nb_read_frames?: string;
  nb_frames?: string;
  pix_fmt: string;
  color_space?: string;
  color_primaries?: string;
  color_transfer?: string;
  color_range?: string;
  profile?: string;
}

/** ffprobe's own view of the first video stream, decoding every frame to count them. */
export function ffprobeStream(file: string): StreamFacts {
  const out = execFileSync(
    tools.ffprobe.path,
    ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_streams", "-of", "json", file],
    { encoding: "utf8" },
  );
  const parsed = JSON.parse(out) as { streams: StreamFacts[] };
  const stream = parsed.streams[0];
  if (!stream) throw new Error(`no video stream in ${file}`);
  return stream;
}

/** Every frame of a file decoded to RGB at its own size, sequentially from the start (the reference decode). */
export function decodeAll(file: string, width: number, height: number, extra: string[] = []): Uint8Array[] {
  const out = execFileSync(
    tools.ffmpeg.path,
    ["-hide_banner", "-loglevel", "error", "-nostdin", "-i", file, ...extra, "-vsync", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
    { maxBuffer: 1 << 30 },
  );
  const size = width * height * 3;
  const frames: Uint8Array[] = [];
  for (let i = 0; i + size <= out.length; i += size) frames.push(new Uint8Array(out.subarray(i, i + size)));
  return frames;
}

/** Child processes of this test process (ffmpeg, ffprobe, exiftool...). */
export function childCommands(): string[] {
  try {
    return execFileSync("ps", ["-o", "comm=", "--ppid", String(process.pid)], { encoding: "utf8" })
      .split("\n")
      .map((s) => s.trim())
      .filter((s) => s && s !== "ps");
  } catch {
    return []; // ps exits 1 when there are none
  }
}

export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] as number) - (b[i] as number));
  return sum / a.length;
}
