// Conditioning frames for extend and gap fill. Given a media file and the clip's range in that file's own frame
// numbers, decode the frames next to the new clip frame-accurately (variable frame rate, first PTS not 0, long
// GOP), resample them to the model's fps so they end exactly on the out frame (tail) or start exactly on the in
// frame (head), and scale them to the model's size. Returns RGB frames.
//
// Frame N of a file is the picture on screen at time start + N / fps (fps: the file's frame rate as the editor
// interprets it), which is the Nth frame of constant-rate media and what Premiere shows for variable-rate media.
import { TesseraError } from "../../shared/errors.js";
import { convertFrames, type Rational } from "../../shared/time.js";
import { ffmpegBase, fileInput, rawRgbOutput } from "./args.js";
import { locateMediaTools, type MediaTools } from "./binaries.js";
import { scaleFilters, type FitMode, type FrameSize } from "./conform.js";
import { resolveMediaPath, type PathPolicy } from "./paths.js";
import { probe, type MediaInfo } from "./probe.js";
import { lastErrorLine, startTool } from "./process.js";

export type Placement = "tail" | "head";

export interface SourceFramesRequest extends FrameSize {
  path: string;
  /** The clip's range in the file's own frame numbers: [inFrame, outFrame), outFrame exclusive. */
  inFrame: number;
  outFrame: number;
  /** tail: frames ending on outFrame - 1 (the new clip follows); head: frames starting on inFrame (it precedes). */
  at: Placement;
  /** How many frames at the model's fps (model.json capabilities.conditionFrames). */
  count: number;
  /** The model's fps. */
  fps: Rational;
  fit?: FitMode;
  /** The rate the file's frame numbers count in, when the caller knows it (Premiere's interpretation). */
  sourceFps?: Rational;
  policy?: PathPolicy;
  tools?: MediaTools;
  signal?: AbortSignal;
  /** Wall-clock limit for each ffmpeg run (default 10 s + 1 s per second of media decoded). */
  timeoutMs?: number;
}

export interface SourceFrames extends FrameSize {
  /** `count` RGB frames (width·height·3 bytes each), in display order. */
  frames: Uint8Array[];
  fps: Rational;
  /** The file's frame number each frame shows (clamped into the clip's range when the clip is short). */
  sourceFrames: number[];
  info: MediaInfo;
}

/** Frame numbers (file's own) that the model frames show: `count` frames `1/fps` apart, anchored at the edge. */
export function sourceFrameIndices(
  range: { inFrame: number; outFrame: number },
  at: Placement,
  count: number,
  modelFps: Rational,
  sourceFps: Rational,
): number[] {
  const indices: number[] = [];
  for (let j = 0; j < count; j++) {
    const steps = at === "tail" ? count - 1 - j : j;
    const offset = convertFrames(steps, modelFps, sourceFps, "round");
    const index = at === "tail" ? range.outFrame - 1 - offset : range.inFrame + offset;
    indices.push(Math.min(range.outFrame - 1, Math.max(range.inFrame, index)));
  }
  return indices;
}

interface DecodedFrame {
  pts: number;
  seconds: number;
  data: Uint8Array;
}

const SHOWINFO_RE = /\bn:\s*(\d+)\s+pts:\s*(-?\d+)\s+pts_time:/;
const TIMEBASE_RE = /config in time_base:\s*(\d+)\/(\d+)/;

/** Decodes [from, to] seconds (media time) to RGB frames of `size`, each with its exact presentation time. */
async function decodeSpan(
  info: MediaInfo,
  span: { from: number; to: number },
  size: FrameSize,
  fit: FitMode,
  tools: MediaTools,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<DecodedFrame[]> {
  // -ss counts from the container's start; -copyts keeps the file's own timestamps so we can match them.
  const seek = Math.max(0, span.from - info.containerStartSeconds);
  const duration = span.to - info.containerStartSeconds - seek;
  const filters = ["showinfo", ...scaleFilters(info, size, fit, info.pixelAspect), "format=rgb24"];
  const args = [
    ...ffmpegBase("info"),
    "-copyts",
    ...fileInput(info.path, "video", { seekSeconds: seek, durationSeconds: duration }),
    "-vf", filters.join(","),
    ...rawRgbOutput(),
  ];
  const frameBytes = size.width * size.height * 3;
  const times: number[] = [];
  let timeBase: [number, number] | undefined;
  const chunks: Buffer[] = [];
  let bytes = 0;
  const proc = startTool(tools.ffmpeg.path, args, {
    timeoutMs,
    signal,
    onStdout: (chunk) => {
      chunks.push(chunk);
      bytes += chunk.length;
      if (bytes > 512 * frameBytes) proc.kill(); // far more frames than any sane span: stop, report below
    },
    onStderrLine: (line) => {
      const tb = TIMEBASE_RE.exec(line);
      if (tb && !timeBase) timeBase = [Number(tb[1]), Number(tb[2])];
      const m = SHOWINFO_RE.exec(line);
      if (m) times.push(Number(m[2]));
    },
  });
  const result = await proc.done;
  if (result.aborted) throw new TesseraError("E_CANCELLED");
  if (result.timedOut) throw new TesseraError("E_MEDIA_CORRUPT", `Decoding "${info.path}" took longer than ${Math.round(timeoutMs / 1000)} s.`);
  if (result.code !== 0 || bytes > 512 * frameBytes) {
    throw new TesseraError("E_MEDIA_CORRUPT", `Decoding "${info.path}" failed: ${lastErrorLine(result.stderr) || `exit ${result.code}`}`);
  }
  const all = Buffer.concat(chunks);
  const count = Math.floor(all.length / frameBytes);
  if (count !== times.length || !timeBase) {
    throw new TesseraError("E_MEDIA_CORRUPT", `Decoding "${info.path}" gave ${count} frames but ${times.length} timestamps.`);
  }
  const [tbNum, tbDen] = timeBase;
  return times.map((pts, i) => ({
    pts,
    seconds: (pts * tbNum) / tbDen,
    data: new Uint8Array(all.buffer, all.byteOffset + i * frameBytes, frameBytes).slice(),
  }));
}

/** The frame on screen at `seconds`: the last one that starts at or before it (a little slack absorbs container
 * timestamp rounding, e.g. Matroska's whole milliseconds). */
function frameAt(frames: DecodedFrame[], seconds: number, slack: number): DecodedFrame | undefined {
  let found: DecodedFrame | undefined;
  for (const frame of frames) {
    if (frame.seconds <= seconds + slack) found = frame;
    else break;
  }
  return found;
}

export async function readSourceFrames(request: SourceFramesRequest): Promise<SourceFrames> {
  const { inFrame, outFrame, count } = request;
  if (!Number.isSafeInteger(inFrame) || !Number.isSafeInteger(outFrame) || inFrame < 0 || outFrame <= inFrame) {
    throw new TesseraError("E_BAD_REQUEST", `The clip range [${inFrame}, ${outFrame}) is not a range of frames.`);
  }
  if (!Number.isSafeInteger(count) || count < 1 || count > 256) {
    throw new TesseraError("E_BAD_REQUEST", `${count} conditioning frames were asked for (1 to 256).`);
  }
  const tools = request.tools ?? locateMediaTools();
  const path = await resolveMediaPath(request.path, "video", request.policy);
  const info = await probe(path, { tools, signal: request.signal });
  const fileFps = request.sourceFps ?? info.fps;
  const available = Math.max(info.frames, Math.round((info.durationSeconds * fileFps.num) / fileFps.den));
  if (outFrame > available) {
    throw new TesseraError("E_BAD_REQUEST", `The clip ends at frame ${outFrame} but "${path}" has only ${available} frames.`, {
      hint: "Relink the clip to its full media, or trim its out point.",
    });
  }
  const indices = sourceFrameIndices({ inFrame, outFrame }, request.at, count, request.fps, fileFps);
  const period = fileFps.den / fileFps.num;
  const timeOf = (index: number): number => info.startSeconds + index * period;
  const first = timeOf(Math.min(...indices));
  const last = timeOf(Math.max(...indices));
  const size = { width: request.width, height: request.height };
  const fit = request.fit ?? "fill";

  // Decode from a little before the first wanted time: the frame on screen then may have started earlier (VFR).
  // If it started earlier still, widen the margin until it is found or the file's start is reached.
  let margin = Math.max(0.5, 4 * period);
  for (;;) {
    const from = Math.max(info.containerStartSeconds, first - margin);
    const span = { from, to: last + 2 * period };
    const timeoutMs = request.timeoutMs ?? 10_000 + 1000 * (span.to - span.from);
    const decoded = await decodeSpan(info, span, size, fit, tools, request.signal, timeoutMs);
    const slack = Math.min(period / 4, 0.002);
    const startsInTime = decoded.length > 0 && (decoded[0] as DecodedFrame).seconds <= first + slack;
    if (startsInTime || from <= info.containerStartSeconds) {
      if (decoded.length === 0) throw new TesseraError("E_MEDIA_CORRUPT", `No frames could be decoded from "${path}" near frame ${indices[0]}.`);
      const picked = indices.map((index) => frameAt(decoded, timeOf(index), slack) ?? (decoded[0] as DecodedFrame));
      // A frame "held" for longer than this is missing, not held: a truncated or damaged file.
      const maxHold = Math.max(1, 8 * period);
      indices.forEach((index, i) => {
        if (timeOf(index) - (picked[i] as DecodedFrame).seconds > maxHold) {
          throw new TesseraError("E_MEDIA_CORRUPT", `Frame ${index} of "${path}" could not be decoded; the file may be truncated.`);
        }
      });
      return { frames: picked.map((f) => f.data), width: size.width, height: size.height, fps: request.fps, sourceFrames: indices, info };
    }
    margin *= 4;
  }
}
