// What a media file is: frame rate, size, duration, frame count, codec. ffprobe's JSON is parsed with zod (it is
// input from another program), under the same guards as ffmpeg inputs and a wall-clock timeout, so a corrupt or
// hostile file answers with an error within seconds.
import { z } from "zod";
import { TesseraError } from "../../shared/errors.js";
import { parseFrameRate, snapFrameRate, toNumber, type FrameRate } from "../../shared/time.js";
import { fileArg, probeGuards, type MediaKind } from "./args.js";
import { locateMediaTools, type MediaTools } from "./binaries.js";
import { lastErrorLine, runTool } from "./process.js";

/** Larger frames than this are refused before decoding (a header can claim any size). */
export const MAX_DIMENSION = 16384;
export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;
/** Above this a "frame rate" is a timestamp resolution, not a rate anyone shoots at. */
const MAX_PLAUSIBLE_FPS = 240;

const numeric = z.union([z.string(), z.number()]).optional().transform((v) => {
  if (v === undefined || v === "N/A") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
});

const StreamSchema = z.object({
  index: z.number().int(),
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  pix_fmt: z.string().optional(),
  r_frame_rate: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  time_base: z.string().optional(),
  start_time: numeric,
  duration: numeric,
  nb_frames: numeric,
  nb_read_packets: numeric,
  nb_read_frames: numeric,
  sample_aspect_ratio: z.string().optional(),
  color_space: z.string().optional(),
  color_range: z.string().optional(),
  color_primaries: z.string().optional(),
  color_transfer: z.string().optional(),
  disposition: z.object({ attached_pic: z.number().optional() }).partial().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z.array(z.object({ rotation: z.number().optional() }).loose()).optional(),
});

const ProbeOutputSchema = z.object({
  streams: z.array(StreamSchema).default([]),
  format: z
    .object({
      format_name: z.string(),
      duration: numeric,
      start_time: numeric,
    })
    .optional(),
});

export interface MediaInfo {
  path: string;
  /** ffprobe's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  container: string;
  codec: string;
  /** Display size (after rotation metadata). */
  width: number;
  height: number;
  /** Pixel aspect ratio (1 for square pixels). */
  pixelAspect: number;
  /** The rate frame numbers count in: r_frame_rate, or the average rate when the stream is variable. */
  fps: FrameRate;
  /** True when the average rate differs from the nominal rate (phone footage, screen recordings). */
  variableFrameRate: boolean;
  /** Frames in the video stream (from the header, or counted packets when the header has none). */
  frames: number;
  durationSeconds: number;
  /** Presentation time of the first video frame; not always 0. */
  startSeconds: number;
  /** Start time of the container, from which ffmpeg's -ss counts. */
  containerStartSeconds: number;
  timeBase: string;
  pixFmt: string | undefined;
  color: { space?: string; range?: string; primaries?: string; transfer?: string };
}

export interface ProbeOptions {
  kind?: MediaKind;
  tools?: MediaTools;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** "header" trusts nb_frames when present; "packets" always counts packets (verifying our own outputs). */
  count?: "header" | "packets";
}

function rate(text: string | undefined): FrameRate | undefined {
  if (!text || text === "0/0") return undefined;
  try {
    return snapFrameRate(parseFrameRate(text));
  } catch {
    return undefined;
  }
}

/** The typical interval between the first 120 video packets, as a (snapped) frame rate. */
async function sampledRate(
  path: string,
  kind: MediaKind,
  tools: MediaTools,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<FrameRate | undefined> {
  const args = [
    ...probeGuards(kind),
    "-select_streams", "v:0", "-read_intervals", "%+#120", "-show_entries", "packet=pts_time", "-of", "csv=p=0",
    fileArg(path),
  ];
  const result = await runTool(tools.ffprobe.path, args, { timeoutMs, signal, collectStdout: true, maxStdoutBytes: 64 * 1024 });
  if (result.code !== 0) return undefined;
  const times = result.stdout
    .toString("utf8")
    .split(/\s+/)
    .map(Number)
    .filter((t) => Number.isFinite(t))
    .sort((a, b) => a - b);
  const gaps = times.slice(1).map((t, i) => t - (times[i] as number)).filter((g) => g > 0).sort((a, b) => a - b);
  // Interquartile mean: robust to held frames and bursts, yet exact enough for millisecond-rounded timestamps.
  const middle = gaps.slice(Math.floor(gaps.length / 4), Math.ceil((gaps.length * 3) / 4));
  const interval = middle.reduce((a, b) => a + b, 0) / middle.length;
  if (!(interval > 0)) return undefined;
  try {
    return snapFrameRate(parseFrameRate((1 / interval).toFixed(3)));
  } catch {
    return undefined;
  }
}

function corrupt(path: string, detail: string): TesseraError {
  return new TesseraError("E_MEDIA_CORRUPT", `"${path}": ${detail}`);
}

/** Probes `path` (already checked by resolveMediaPath). Throws E_MEDIA_CORRUPT / E_MEDIA_UNSUPPORTED. */
export async function probe(path: string, options: ProbeOptions = {}): Promise<MediaInfo> {
  const tools = options.tools ?? locateMediaTools();
  const kind = options.kind ?? "video";
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const args = [
    ...probeGuards(kind),
    ...(options.count === "packets" ? ["-count_packets"] : []),
    "-show_streams",
    "-show_format",
    "-of",
    "json",
    fileArg(path),
  ];
  const result = await runTool(tools.ffprobe.path, args, {
    timeoutMs,
    signal: options.signal,
    collectStdout: true,
    maxStdoutBytes: 4 * 1024 * 1024,
  });
  if (result.spawnError) throw new TesseraError("E_FFMPEG_MISSING", result.spawnError.message);
  if (result.aborted) throw new TesseraError("E_CANCELLED");
  if (result.timedOut) throw corrupt(path, `reading it took longer than ${Math.round(timeoutMs / 1000)} s.`);
  if (result.code !== 0) {
    const why = lastErrorLine(result.stderr);
    if (/not on whitelist/i.test(why)) {
      throw new TesseraError("E_MEDIA_UNSUPPORTED", `"${path}" is not a ${kind} container Tessera reads (${why}).`);
    }
    throw corrupt(path, why || `ffprobe exited with code ${result.code}.`);
  }
  let parsed: z.infer<typeof ProbeOutputSchema>;
  try {
    parsed = ProbeOutputSchema.parse(JSON.parse(result.stdout.toString("utf8")));
  } catch (err) {
    throw corrupt(path, `ffprobe output was unreadable (${(err as Error).message.slice(0, 200)}).`);
  }
  const stream = parsed.streams.find((s) => s.codec_type === "video" && !s.disposition?.attached_pic);
  if (!stream || !parsed.format) throw new TesseraError("E_MEDIA_UNSUPPORTED", `"${path}" has no video stream.`);
  const { width, height } = stream;
  if (!width || !height || width < 1 || height < 1) throw corrupt(path, "the video stream has no frame size.");
  if (width > MAX_DIMENSION || height > MAX_DIMENSION) {
    throw new TesseraError("E_MEDIA_UNSUPPORTED", `"${path}" claims ${width}x${height} frames; the limit is ${MAX_DIMENSION}.`);
  }
  const nominal = rate(stream.r_frame_rate);
  let average = rate(stream.avg_frame_rate);
  // Containers without per-stream rates (Matroska VFR) report the timestamp resolution (1000/1) and no average:
  // measure the typical frame interval from the first packets instead.
  if (!average || (nominal && toNumber(nominal) > MAX_PLAUSIBLE_FPS)) {
    average = (await sampledRate(path, kind, tools, timeoutMs, options.signal)) ?? average;
  }
  const base = nominal && toNumber(nominal) <= MAX_PLAUSIBLE_FPS ? nominal : average ?? nominal;
  if (!base) throw corrupt(path, "the video stream has no frame rate.");
  const variable = !!nominal && !!average && Math.abs(toNumber(nominal) - toNumber(average)) > 0.01 * toNumber(average);
  // r_frame_rate of a variable stream is the finest timestamp step (often 90000/1 or 120/1): number frames at
  // the average rate instead, the way editors interpret such footage.
  const fps = variable && average ? average : base;
  const startSeconds = stream.start_time ?? parsed.format.start_time ?? 0;
  const durationSeconds = stream.duration ?? parsed.format.duration ?? 0;
  const headerFrames = options.count === "packets" ? undefined : stream.nb_frames;
  const frames =
    headerFrames && headerFrames > 0
      ? headerFrames
      : stream.nb_read_packets ?? Math.round((durationSeconds * fps.num) / fps.den);
  const rotation = Math.abs(Number(stream.tags?.rotate ?? stream.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? 0)) % 180;
  const sar = /^(\d+):(\d+)$/.exec(stream.sample_aspect_ratio ?? "");
  const pixelAspect = sar && Number(sar[1]) > 0 && Number(sar[2]) > 0 ? Number(sar[1]) / Number(sar[2]) : 1;
  return {
    path,
    container: parsed.format.format_name,
    codec: stream.codec_name ?? "unknown",
    width: rotation === 90 ? height : width,
    height: rotation === 90 ? width : height,
    pixelAspect,
    fps,
    variableFrameRate: variable,
    frames,
    durationSeconds,
    startSeconds,
    containerStartSeconds: parsed.format.start_time ?? startSeconds,
    timeBase: stream.time_base ?? "1/1",
    pixFmt: stream.pix_fmt,
    color: {
      space: stream.color_space,
      range: stream.color_range,
      primaries: stream.color_primaries,
      transfer: stream.color_transfer,
    },
  };
}
