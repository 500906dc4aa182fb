/**
 * Sound under new frames: the audio track of an extension or a gap fill, built from the footage's own audio with
 * ffmpeg filters, so the room tone carries on under the generated picture instead of dropping to nothing.
 *
 * The file's timeline (handles H, new frames N): [0, cutIn) | [cutIn, cutOut) new | [cutOut, total).
 * - Footage before the new frames (tail extend, fill): the handle before the cut is that footage's real audio,
 *   and the continuation starts with the last seconds of it played backwards: its first sample is the footage's
 *   last one, so the cut cannot click. It goes on with loops of that material, each join a linear crossfade
 *   at a phase-matched loop point (never a hard loop point, and no hum cancelled in the fade).
 * - Footage after (head extend, fill): the same built from its first seconds and turned around in time, ending on
 *   the footage's first sample.
 * - Both (fill): the two continuations crossfade across the whole gap, from the clip before into the clip after.
 * Each continuation is loudness-matched (EBU R128 integrated loudness) to the seconds it was made from, with the
 * gain ramped in from 0 dB at the cut. A side without audio contributes none: silence is never invented.
 *
 * (The bundled ffmpeg crashes when areverse or atrim sit next to acrossfade in one graph, and its areverse drops
 * a short last frame: the material is written out once per direction, the crossfade chain reads those files, and
 * the continuation is cut from the chain in a separate run.)
 */
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { TesseraError } from "../../shared/errors.js";
import { ffmpegBase, fileArg } from "./args.js";
import { audioInput, integratedLoudness, probeAudio, runAudioTool, wavInput } from "./audio.js";
import type { MediaTools } from "./binaries.js";
import { bestLoopPoints } from "./loop-point.js";
import { runTool } from "./process.js";

/** Footage next to the new frames: a media file and the range of it the viewer sees, in media seconds. */
export interface AudioSide {
  path: string;
  fromSeconds: number;
  toSeconds: number;
}

export interface AudioBedRequest {
  before?: AudioSide;
  after?: AudioSide;
  /** The output file's length and where its new frames start and end, in seconds. */
  totalSeconds: number;
  cutIn: number;
  cutOut: number;
  /** A folder for the temp files (the output folder: same disk, removed by cleanup). */
  workDir: string;
  tools: MediaTools;
  signal?: AbortSignal;
  /** Footage that was asked for but has too little audio to continue (said to the user as a notice). */
  onSkip?: (reason: string) => void;
}

export interface AudioBedSide {
  side: "before" | "after";
  /** Integrated loudness of the footage seconds the continuation is made from, and of the continuation. */
  sourceLufs: number;
  continuationLufs: number;
  gainDb: number;
}

export interface AudioBed {
  /** A float WAV exactly totalSeconds long, 48 kHz. */
  path: string;
  channels: 1 | 2;
  sides: AudioBedSide[];
  cleanup(): Promise<void>;
}

const RATE = 48_000;
/** Seconds of footage the continuation is made from, at most, and the least that is worth continuing. */
const MATERIAL_SECONDS = 4;
const MIN_MATERIAL_SECONDS = 0.5;
/** Gain correction is bounded: a continuation should never be much louder or quieter than its material. */
const MAX_GAIN_DB = 12;

const seconds = (s: number) => s.toFixed(6);

interface UsableSide {
  name: "before" | "after";
  side: AudioSide;
  channels: number;
  /** Media seconds of the material: the last (before) or first (after) seconds of the visible range. */
  material: { from: number; seconds: number };
}

async function usable(name: "before" | "after", side: AudioSide | undefined, handle: number, req: AudioBedRequest): Promise<UsableSide | null> {
  if (!side) return null;
  const info = await probeAudio(side.path, req.tools, req.signal);
  if (!info) return null; // no audio in the footage: none under the new frames either
  const audioEnd = info.startSeconds + info.durationSeconds;
  const from = Math.max(side.fromSeconds, info.startSeconds);
  const to = Math.min(side.toSeconds, audioEnd);
  const length = Math.min(MATERIAL_SECONDS, to - from);
  const handleFits = name === "before" ? to - handle >= info.startSeconds - 1e-6 : from + handle <= audioEnd + 1e-6;
  if (length < MIN_MATERIAL_SECONDS || !handleFits) {
    req.onSkip?.(`The audio of ${side.path} is too short next to the cut to continue under the new frames.`);
    return null;
  }
  return { name, side: { ...side, fromSeconds: from, toSeconds: to }, channels: info.channels, material: { from: name === "before" ? to - length : from, seconds: length } };
}

const layout = (channels: 1 | 2) => `aformat=sample_fmts=fltp:sample_rates=${RATE}:channel_layouts=${channels === 1 ? "mono" : "stereo"}`;

/**
 * A continuation `length` seconds long of one side's material, loudness-matched, in time order (a before side's
 * starts at the cut; an after side's ends at it). Returns the WAV and what was measured.
 */
async function continuation(s: UsableSide, length: number, channels: 1 | 2, dir: string, req: AudioBedRequest): Promise<{ path: string; measured: AudioBedSide }> {
  const base = join(dir, s.name);
  const { tools, signal } = req;
  // 1. The material played backwards (the mirror: it meets the footage at the cut sample for sample) and a loop
  //    of it whose joins are phase-matched (loop-point.ts), so no crossfade cancels a hum. Its loudness is the
  //    target. An after side is worked out on its material turned around, where it looks like a before side.
  const T = s.material.seconds;
  const mirror = `${base}-mirror.wav`;
  const loop = `${base}-loop.wav`;
  const fade = Math.min(1, T / 4);
  const samples = await monoSamples(s, tools, signal);
  if (s.name === "after") samples.reverse();
  const fadeSamples = Math.round(fade * RATE);
  // (a tenth of a second of slack for the loop's end holds a whole cycle of any hum from 10 Hz up)
  const points = bestLoopPoints(samples, fadeSamples, fadeSamples, Math.min(samples.length >> 1, samples.length - 2 * fadeSamples - 1), RATE / 10);
  const loopSeconds = (points.end - points.start) / RATE;
  // The bundled ffmpeg's areverse mishandles a short last frame: the few seconds are reversed as one frame.
  const reverse = `asetnsamples=n=${Math.ceil((T + 1) * RATE)}:p=0,areverse`;
  const len = samples.length;
  const loopTrim =
    s.name === "before"
      ? `atrim=start_sample=${points.start}:end_sample=${points.end},asetpts=N/SR/TB`
      : `atrim=start_sample=${len - points.end}:end_sample=${len - points.start},asetpts=N/SR/TB`;
  const extractLog = await runAudioTool(
    tools,
    [
      ...ffmpegBase("info"), "-nostats",
      ...audioInput(s.side.path, s.material.from, T),
      "-filter_complex", `[0:a:0]${layout(channels)},asplit=3[m][r][l];[r]${reverse}[mirror];[l]${loopTrim}[loop];[m]ebur128[meter]`,
      "-map", "[mirror]", "-c:a", "pcm_f32le", mirror,
      "-map", "[loop]", "-c:a", "pcm_f32le", loop,
      "-map", "[meter]", "-f", "null", "-",
    ],
    "Reading the footage's audio",
    signal,
  );
  const sourceLufs = integratedLoudness(extractLog);
  // 2. Chain the mirror and the loops with linear crossfades (phase-matched joins keep their level, and gains
  //    summing to one step no further than the material does): before: mirror, loop, ...; after: ..., loop, mirror.
  const count = 2 + Math.ceil(Math.max(0, length - T) / (loopSeconds - fade));
  const mirrorAt = s.name === "before" ? 0 : count - 1;
  const inputs = Array.from({ length: count }, (_, i) => wavInput(i === mirrorAt ? mirror : loop)).flat();
  const joins: string[] = [];
  let last = "0:a";
  for (let i = 1; i < count; i++) {
    joins.push(`[${last}][${i}:a]acrossfade=d=${fade.toFixed(4)}:c1=tri:c2=tri[j${i}]`);
    last = `j${i}`;
  }
  const raw = `${base}-raw.wav`;
  const chainLog = await runAudioTool(
    tools,
    [
      ...ffmpegBase("info"), "-nostats", ...inputs,
      "-filter_complex", `${joins.length ? `${joins.join(";")};` : ""}[${last}]asplit[c][m];[m]ebur128[meter]`,
      "-map", "[c]", "-c:a", "pcm_f32le", raw,
      "-map", "[meter]", "-f", "null", "-",
    ],
    "Continuing the footage's audio",
    signal,
  );
  const continuationLufs = integratedLoudness(chainLog);
  // 3. The `length` seconds next to the cut, loudness-matched with the gain ramped in from 0 dB at the cut over
  //    one crossfade. (The bundled ffmpeg's areverse drops a short last frame, so nothing is turned around here.)
  const wanted = Math.round(length * RATE);
  const have = await sampleCount(raw, tools, signal);
  if (have < wanted) throw new TesseraError("E_ENCODE", `The continued audio is ${have} samples long; ${wanted} were needed.`);
  const gainDb = sourceLufs !== null && continuationLufs !== null ? Math.max(-MAX_GAIN_DB, Math.min(MAX_GAIN_DB, sourceLufs - continuationLufs)) : 0;
  const g = 10 ** (gainDb / 20) - 1;
  // The ramp is timed on the whole chain (its cut is at the start, or for an after side at the end), then cut.
  const trim = s.name === "before" ? `atrim=end_sample=${wanted}` : `atrim=start_sample=${have - wanted},asetpts=N/SR/TB`;
  const fromCut = s.name === "before" ? "t" : `(${seconds(have / RATE)}-t)`;
  const path = `${base}-continuation.wav`;
  await runAudioTool(
    tools,
    [
      ...ffmpegBase(), ...wavInput(raw),
      "-af", `asetnsamples=n=64,volume=volume='1+(${g.toFixed(6)})*min(${fromCut}/${fade.toFixed(4)},1)':eval=frame,${trim}`,
      "-t", seconds(length), "-c:a", "pcm_f32le", path,
    ],
    "Matching the audio's loudness",
    signal,
  );
  return { path, measured: { side: s.name, sourceLufs: sourceLufs ?? Number.NaN, continuationLufs: continuationLufs ?? Number.NaN, gainDb } };
}

/** The material as mono float samples, for choosing loop points. */
async function monoSamples(s: UsableSide, tools: MediaTools, signal?: AbortSignal): Promise<Float32Array> {
  const args = [...ffmpegBase(), ...audioInput(s.side.path, s.material.from, s.material.seconds), "-map", "0:a:0", "-ac", "1", "-ar", String(RATE), "-f", "f32le", "pipe:1"];
  const result = await runTool(tools.ffmpeg.path, args, { timeoutMs: 60_000, signal, collectStdout: true, maxStdoutBytes: (MATERIAL_SECONDS + 1) * RATE * 4 });
  if (result.aborted) throw new TesseraError("E_CANCELLED");
  if (result.code !== 0) throw new TesseraError("E_ENCODE", `Reading the footage's audio failed: ${result.stderr.slice(-300)}`);
  const bytes = result.stdout;
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + (bytes.byteLength & ~3)));
}

/** Samples in one of our WAV files (ffprobe's duration_ts of its stream). */
async function sampleCount(path: string, tools: MediaTools, signal?: AbortSignal): Promise<number> {
  const args = ["-v", "error", "-protocol_whitelist", "file", "-select_streams", "a:0", "-show_entries", "stream=duration_ts", "-of", "csv=p=0", fileArg(path)];
  const result = await runTool(tools.ffprobe.path, args, { timeoutMs: 10_000, signal, collectStdout: true, maxStdoutBytes: 4096 });
  const count = Number(result.stdout.toString("utf8").trim());
  if (result.code !== 0 || !Number.isSafeInteger(count)) throw new TesseraError("E_ENCODE", `The temp audio ${path} could not be read back.`);
  return count;
}

/** Builds the audio bed, or null when no footage next to the new frames has audio. Never leaves temp files on failure. */
export async function buildAudioBed(req: AudioBedRequest): Promise<AudioBed | null> {
  const { totalSeconds, cutIn, cutOut } = req;
  if (!(cutIn >= 0 && cutOut > cutIn && totalSeconds >= cutOut)) {
    throw new TesseraError("E_INTERNAL", `An audio bed needs 0 <= cutIn < cutOut <= total, not ${cutIn}, ${cutOut}, ${totalSeconds}.`);
  }
  const before = await usable("before", req.before, cutIn, req);
  const after = await usable("after", req.after, totalSeconds - cutOut, req);
  if (!before && !after) return null;
  const channels: 1 | 2 = Math.max(before?.channels ?? 0, after?.channels ?? 0) >= 2 ? 2 : 1;
  const dir = await mkdtemp(join(req.workDir, ".tessera-audio-"));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    // Each continuation runs from its cut to the other side's real audio, or to the end of the file.
    const forward = before ? await continuation(before, (after ? cutOut : totalSeconds) - cutIn, channels, dir, req) : null;
    const backward = after ? await continuation(after, before ? cutOut - cutIn : cutOut, channels, dir, req) : null;
    const inputs: string[] = [];
    const parts: string[] = [];
    const graph: string[] = [];
    const add = (args: string[]): string => {
      inputs.push(...args);
      return `${inputs.filter((a) => a === "-i").length - 1}:a`;
    };
    if (before && cutIn > 0) {
      const handle = add(audioInput(before.side.path, before.side.toSeconds - cutIn, cutIn));
      graph.push(`[${handle}]${layout(channels)}[hb]`);
      parts.push("[hb]");
    }
    if (forward && backward) {
      const f = add(wavInput(forward.path));
      const b = add(wavInput(backward.path));
      graph.push(`[${f}][${b}]acrossfade=d=${seconds(cutOut - cutIn)}:c1=tri:c2=tri[gap]`);
      parts.push("[gap]");
    } else {
      parts.push(`[${add(wavInput((forward ?? backward)!.path))}]`);
    }
    if (after && totalSeconds - cutOut > 0) {
      const handle = add(audioInput(after.side.path, after.side.fromSeconds, totalSeconds - cutOut));
      graph.push(`[${handle}]${layout(channels)}[ha]`);
      parts.push("[ha]");
    }
    graph.push(`${parts.join("")}concat=n=${parts.length}:v=0:a=1[bed]`);
    const path = join(dir, "bed.wav");
    await runAudioTool(
      req.tools,
      [...ffmpegBase(), ...inputs, "-filter_complex", graph.join(";"), "-map", "[bed]", "-t", seconds(totalSeconds), "-c:a", "pcm_f32le", path],
      "Assembling the audio",
      req.signal,
    );
    return { path, channels, sides: [forward, backward].flatMap((c) => (c ? [c.measured] : [])), cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
