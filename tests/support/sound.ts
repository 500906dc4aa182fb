/** Measuring sound the way the tests need it: decoded samples, the largest step between samples, and loudness. */
import { execFileSync, spawnSync } from "node:child_process";
import { locateMediaTools } from "../../helper-service/media/index.js";

const ffmpeg = () => locateMediaTools().ffmpeg.path;

/** The first audio stream as 48 kHz float samples, one array per channel (stereo), optionally from..to seconds. */
export function decodeAudio(path: string, range: { from?: number; to?: number } = {}): Float32Array[] {
  const trim = range.from !== undefined || range.to !== undefined ? [`-af`, `atrim=start=${range.from ?? 0}${range.to !== undefined ? `:end=${range.to}` : ""}`] : [];
  const raw = execFileSync(ffmpeg(), ["-v", "error", "-i", path, "-map", "0:a:0", ...trim, "-ac", "2", "-ar", "48000", "-f", "f32le", "-"], { maxBuffer: 256 * 1024 * 1024 });
  const all = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const channels = [new Float32Array(all.length / 2), new Float32Array(all.length / 2)];
  for (let i = 0; i < all.length / 2; i++) {
    channels[0]![i] = all[2 * i]!;
    channels[1]![i] = all[2 * i + 1]!;
  }
  return channels;
}

/** The largest sample-to-sample step in `samples` [from, to). */
export function largestStep(samples: Float32Array, from = 0, to = samples.length): number {
  let largest = 0;
  for (let i = Math.max(1, from); i < to; i++) largest = Math.max(largest, Math.abs(samples[i]! - samples[i - 1]!));
  return largest;
}

/** EBU R128 integrated loudness (LUFS) of [from, to) seconds of a file's audio, by ffmpeg's ebur128 filter. */
export function loudness(path: string, from: number, to: number): number {
  const run = spawnSync(ffmpeg(), ["-hide_banner", "-nostats", "-i", path, "-map", "0:a:0", "-af", `atrim=start=${from}:end=${to},ebur128`, "-f", "null", "-"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const summary = run.stderr.slice(run.stderr.lastIndexOf("Summary:"));
  const match = /I:\s*(-?\d+(?:\.\d+)?) LUFS/.exec(summary);
  if (run.status !== 0 || !match) throw new Error(`ebur128 measured nothing in ${path}: ${run.stderr.slice(-500)}`);
  return Number(match[1]);
}

/**
 * A video with room tone: pink noise and a low hum (stereo AAC), so a continuation has something to match.
 * `audio: false` makes the same picture with no sound at all.
 */
export function makeSourceWithSound(path: string, options: { seconds: number; fps: number; audio?: boolean; seed?: number; gainDb?: number }): void {
  const { seconds, fps } = options;
  const video = ["-f", "lavfi", "-i", `testsrc=size=64x64:rate=${fps}:duration=${seconds}`];
  const audio = options.audio === false
    ? []
    : ["-f", "lavfi", "-i", `anoisesrc=color=pink:amplitude=0.08:sample_rate=48000:duration=${seconds}:seed=${options.seed ?? 7}`, "-f", "lavfi", "-i", `sine=frequency=110:sample_rate=48000:duration=${seconds}`];
  const mix = options.audio === false ? [] : ["-filter_complex", `[1:a][2:a]amix=inputs=2,volume=${2 * 10 ** ((options.gainDb ?? 0) / 20)},aformat=channel_layouts=stereo[a]`, "-map", "0:v", "-map", "[a]", "-c:a", "aac", "-b:a", "192k"];
  execFileSync(ffmpeg(), ["-v", "error", "-y", ...video, ...audio, ...mix, "-c:v", "libx264", "-pix_fmt", "yuv420p", path]);
}
