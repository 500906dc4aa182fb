// Audio plumbing shared by the sound-under-extension bed and the encoder: what audio a file has (ffprobe), the
// integrated loudness of a stretch of it (ffmpeg's EBU R128 scanner), and one guarded ffmpeg run.
import { z } from "zod";
import { TesseraError } from "../../shared/errors.js";
import { fileArg, inputGuards, probeGuards } from "./args.js";
import type { MediaTools } from "./binaries.js";
import { lastErrorLine, runTool } from "./process.js";

export interface AudioStreamInfo {
  channels: number;
  sampleRate: number;
  /** Time of the first sample after the file's start, and the stream's length, in seconds. */
  startSeconds: number;
  durationSeconds: number;
}

const numeric = z.union([z.string(), z.number()]).optional().transform((v) => {
  const n = v === undefined || v === "N/A" ? Number.NaN : Number(v);
  return Number.isFinite(n) ? n : undefined;
});

const AudioProbeSchema = z.object({
  streams: z
    .array(z.object({ channels: z.number().int().optional(), sample_rate: numeric, start_time: numeric, duration: numeric }))
    .default([]),
  format: z.object({ duration: numeric, start_time: numeric }).optional(),
});

/** The first audio stream of a (checked) media file, or null when it has none: silence is never invented. */
export async function probeAudio(path: string, tools: MediaTools, signal?: AbortSignal): Promise<AudioStreamInfo | null> {
  const args = [...probeGuards("video"), "-select_streams", "a:0", "-show_streams", "-show_format", "-of", "json", fileArg(path)];
  const result = await runTool(tools.ffprobe.path, args, { timeoutMs: 10_000, signal, collectStdout: true, maxStdoutBytes: 1024 * 1024 });
  if (result.aborted) throw new TesseraError("E_CANCELLED");
  if (result.code !== 0) return null;
  const parsed = AudioProbeSchema.safeParse(JSON.parse(result.stdout.toString("utf8") || "{}"));
  const stream = parsed.success ? parsed.data.streams[0] : undefined;
  if (!stream?.channels || !stream.sample_rate) return null;
  const durationSeconds = stream.duration ?? parsed.data?.format?.duration ?? 0;
  if (durationSeconds <= 0) return null;
  // Relative to the file's start, as ffmpeg's input -ss counts.
  const startSeconds = (stream.start_time ?? 0) - (parsed.data?.format?.start_time ?? 0);
  return { channels: stream.channels, sampleRate: stream.sample_rate, startSeconds, durationSeconds };
}

/** A media file as an ffmpeg input limited to [from, from + seconds) of media time. */
export function audioInput(path: string, fromSeconds: number, seconds: number): string[] {
  return [...inputGuards("video"), "-ss", Math.max(0, fromSeconds).toFixed(6), "-t", seconds.toFixed(6), "-i", fileArg(path)];
}

/** One of our own temp WAV files as an input (only the wav demuxer may open it). */
export function wavInput(path: string): string[] {
  return ["-protocol_whitelist", "file", "-format_whitelist", "wav", "-f", "wav", "-i", fileArg(path)];
}

/** The last integrated loudness ffmpeg's ebur128 filter printed (its summary), in LUFS. */
export function integratedLoudness(stderr: string): number | null {
  const summary = stderr.lastIndexOf("Summary:");
  if (summary < 0) return null;
  const match = /I:\s*(-?\d+(?:\.\d+)?) LUFS/.exec(stderr.slice(summary));
  return match ? Number(match[1]) : null;
}

/** Runs ffmpeg to completion; a failure is E_ENCODE with ffmpeg's own last words. Returns stderr (info level). */
export async function runAudioTool(tools: MediaTools, args: string[], what: string, signal?: AbortSignal): Promise<string> {
  const result = await runTool(tools.ffmpeg.path, args, { timeoutMs: 120_000, signal });
  if (result.aborted) throw new TesseraError("E_CANCELLED");
  if (result.spawnError) throw new TesseraError("E_FFMPEG_MISSING", result.spawnError.message);
  if (result.timedOut) throw new TesseraError("E_ENCODE", `${what} took longer than 2 minutes.`);
  if (result.code !== 0) throw new TesseraError("E_ENCODE", `${what} failed: ${lastErrorLine(result.stderr) || `exit ${result.code ?? result.signal}`}`);
  return result.stderr;
}
