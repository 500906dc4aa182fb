// Encodes RGB frames streamed from the pipeline into the file the editor imports: H.264 MP4, ProRes 422 HQ MOV or
// a PNG sequence, conformed on the way to the sequence's fps and size. Nobody ever sees a partial file: ffmpeg
// writes a hidden temp name; then verify (ffprobe) -> XMP -> C2PA -> rename -> sidecar. Abort or failure at any
// point kills ffmpeg and deletes the temp.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import nodePath from "node:path";
import { TesseraError } from "../../shared/errors.js";
import type { GenerationRecord, OutputFormat } from "../../shared/protocol.js";
import { formatTicks, framesToTicks, rationalEquals, type FrameRate, type Rational } from "../../shared/time.js";
import { probeAudio, wavInput } from "./audio.js";
import { BT709_PARAMS, ffmpegBase, fileArg, h264Codec, pngCodec, proresCodec, rawRgbInput, type H264Quality } from "./args.js";
import { locateMediaTools, type MediaTools } from "./binaries.js";
import { signC2pa, type C2paConfig, type C2paOutcome } from "./c2pa.js";
import { conformFilters, modelFramesFor, type FitMode, type FrameSize, type RetimeMode } from "./conform.js";
import { warmUpMetadata, writeEmbeddedRecord, writeSidecar } from "./metadata.js";
import { checkOutputPath } from "./paths.js";
import { probe } from "./probe.js";
import { lastErrorLine, startTool, type RunningTool } from "./process.js";

export const PARTIAL_MARK = ".tessera-partial-";

export interface EncoderOptions {
  format: OutputFormat;
  /** Final path: `.mp4` for h264, `.mov` for prores, a folder for png (frames inside are `<name>_000000.png`). */
  out: string;
  /** Output (sequence) frame rate and size. */
  fps: Rational;
  width: number;
  height: number;
  /** Exact frames the file must hold (requested + handles). Required when `source` differs in fps. */
  frames?: number;
  /** What write() receives, when it is not already the output (the model's native fps and size). */
  source?: FrameSize & { fps: Rational };
  fit?: FitMode;
  retime?: RetimeMode;
  /** The generation record: written as XMP into the file and as a sidecar JSON. */
  record?: GenerationRecord;
  /** Refuse to write outside these folders (the output and data dirs). */
  outputRoots?: readonly string[];
  /** Replace an existing file of the same name (default: refuse). */
  overwrite?: boolean;
  c2pa?: C2paConfig;
  h264?: H264Quality;
  tools?: MediaTools;
  signal?: AbortSignal;
  /** Limit for ffmpeg to finish after the last frame (default: 5 min + 1 s a frame). */
  finishTimeoutMs?: number;
  /**
   * A sound track for the file: a WAV exactly as long as the clip (the audio bed), muxed as AAC in MP4 and 24-bit
   * PCM in MOV. A PNG sequence has no place for sound.
   */
  audio?: { path: string };
}

export interface EncodeResult {
  /** The final file (or folder, for png). */
  path: string;
  /** For png: every frame file in order; otherwise [path]. */
  files: string[];
  format: OutputFormat;
  frames: number;
  fps: FrameRate;
  width: number;
  height: number;
  codec: string;
  /** Duration of the whole file in Premiere ticks (decimal string). */
  durationTicks: string;
  /** sha256 of the file (png: of all frames in order). */
  sha256: string;
  sidecar: string | null;
  c2pa: C2paOutcome;
}

export interface Encoder {
  /** Queue one frame (width·height·3 bytes of RGB, top row first). Resolves when ffmpeg has accepted it. */
  write(frame: Uint8Array): Promise<void>;
  /** Close the input, wait for ffmpeg, verify, add metadata, publish under the final name. */
  finish(): Promise<EncodeResult>;
  /** Kill ffmpeg and remove every trace of the output (safe to call at any time, more than once). */
  abort(): Promise<void>;
  readonly framesWritten: number;
}

const EXTENSIONS: Record<OutputFormat, string> = { h264: ".mp4", prores: ".mov", png: "" };
const CODECS: Record<OutputFormat, string> = { h264: "h264", prores: "prores", png: "png" };

function encodeError(detail: string): TesseraError {
  return new TesseraError("E_ENCODE", detail);
}

function validate(options: EncoderOptions): void {
  const { format, width, height, out } = options;
  const ext = nodePath.extname(out).toLowerCase();
  if (format !== "png" && ext !== EXTENSIONS[format]) {
    throw new TesseraError("E_BAD_REQUEST", `A ${format} output must end in ${EXTENSIONS[format]}, not "${ext || "(none)"}".`);
  }
  for (const [name, value] of [["width", width], ["height", height]] as const) {
    if (!Number.isSafeInteger(value) || value < 2 || value > 8192) {
      throw new TesseraError("E_BAD_REQUEST", `Output ${name} ${value} must be a whole number from 2 to 8192.`);
    }
    if (format !== "png" && value % 2 !== 0) {
      throw new TesseraError("E_BAD_REQUEST", `Output ${name} ${value} must be even for ${format} (4:2:x chroma).`);
    }
  }
  const retimes = options.source && !rationalEquals(options.source.fps, options.fps);
  if (retimes && options.frames === undefined) {
    throw new TesseraError("E_BAD_REQUEST", "Give the exact output frame count when the frame rate changes.");
  }
  if (options.frames !== undefined && (!Number.isSafeInteger(options.frames) || options.frames < 1)) {
    throw new TesseraError("E_DURATION", `${options.frames} output frames were requested.`);
  }
}

/** ffmpeg's arguments for this output; `target` is the temp file (or for png, the temp folder's pattern). */
export function encoderArgs(options: EncoderOptions, target: string): string[] {
  const source = options.source ?? { fps: options.fps, width: options.width, height: options.height };
  const into = options.format === "h264" ? "yuv420p" : options.format === "prores" ? "yuv422p10le" : undefined;
  const filters = conformFilters(source, options, options.fit ?? "fill", options.retime ?? "blend", into);
  const codec =
    options.format === "h264" ? h264Codec(options.fps, options.h264) : options.format === "prores" ? proresCodec() : pngCodec();
  filters.push(into ? BT709_PARAMS : "format=rgb24");
  const audio = options.audio && options.format !== "png" ? options.audio : undefined;
  // -frames:v ends the whole file as soon as the video has its frames, cutting the sound still being muxed; with
  // sound the video is cut to its frames in the filter instead and the file ends with the (exact) audio bed.
  if (audio && options.frames !== undefined) filters.push(`trim=end_frame=${options.frames}`);
  return [
    ...ffmpegBase(),
    ...rawRgbInput(source, source.fps),
    ...(audio ? audioArgs(options, audio.path) : []),
    "-vf", filters.join(","),
    ...(audio ? [] : ["-an"]), "-sn", "-dn", "-map_metadata", "-1",
    "-r", `${options.fps.num}/${options.fps.den}`,
    ...(options.frames !== undefined && !audio ? ["-frames:v", String(options.frames)] : []),
    ...codec,
    fileArg(target),
  ];
}

/** The audio bed (exactly the clip's length) as the second input, mapped beside the video. */
function audioArgs(options: EncoderOptions, path: string): string[] {
  const codec = options.format === "prores" ? ["-c:a", "pcm_s24le"] : ["-c:a", "aac", "-b:a", "256k"];
  return [...wavInput(path), "-map", "0:v:0", "-map", "1:a:0", ...codec, "-ar", "48000"];
}

async function sha256Of(files: string[]): Promise<string> {
  const hash = createHash("sha256");
  for (const file of files) {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  }
  return hash.digest("hex");
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Starts ffmpeg for one output. Throws before spawning when the options or the output path are refused. */
export async function createEncoder(options: EncoderOptions): Promise<Encoder> {
  validate(options);
  const tools = options.tools ?? locateMediaTools();
  const out = options.outputRoots
    ? await checkOutputPath(options.out, options.outputRoots)
    : nodePath.resolve(options.out);
  if (!options.overwrite && (await exists(out))) {
    throw new TesseraError("E_ENCODE", `"${out}" already exists.`, { hint: "Choose another name or allow replacing it." });
  }
  const dir = nodePath.dirname(out);
  const base = nodePath.basename(out, EXTENSIONS[options.format]);
  const temp = nodePath.join(dir, `.${base}${PARTIAL_MARK}${randomBytes(4).toString("hex")}${EXTENSIONS[options.format]}`);
  let target = temp;
  if (options.format === "png") {
    await mkdir(temp);
    target = nodePath.join(temp, `${base}_%06d.png`);
  }
  const source = options.source ?? { fps: options.fps, width: options.width, height: options.height };
  const frameBytes = source.width * source.height * 3;
  const expected = options.frames;
  const needed = expected === undefined ? 0 : modelFramesFor(expected, options.fps, source.fps);

  let proc: RunningTool;
  try {
    proc = startTool(tools.ffmpeg.path, encoderArgs(options, target), { timeoutMs: Infinity, stdin: "pipe" });
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw err;
  }
  if (options.record) warmUpMetadata();
  let written = 0;
  let state: "open" | "finishing" | "done" | "aborted" = "open";

  const cleanup = async (): Promise<void> => {
    proc.kill();
    await proc.done;
    await rm(temp, { recursive: true, force: true });
  };
  let cleaning: Promise<void> | undefined;
  const abort = async (): Promise<void> => {
    if (state === "done") return;
    if (state !== "aborted") {
      state = "aborted";
      cleaning = cleanup();
    }
    await cleaning;
  };
  const onAbort = (): void => void abort();
  if (options.signal?.aborted) await abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });

  const failure = async (detail: string): Promise<TesseraError> => {
    const result = await proc.done;
    return encodeError(`${detail}${result.stderr ? `: ${lastErrorLine(result.stderr)}` : ""}`);
  };

  // With an output frame count (-frames:v), ffmpeg exits cleanly as soon as it has written that many frames, while
  // the model may still be sending the last few source frames a retime did not need. Those are surplus, not an
  // error; finish() still verifies the exact frame count of the file.
  let surplus = false;
  const stoppedAtFrameLimit = async (): Promise<boolean> => {
    if (options.frames === undefined) return false;
    const result = await proc.done;
    surplus = result.code === 0 && !result.timedOut && state === "open";
    return surplus;
  };

  const write = async (frame: Uint8Array): Promise<void> => {
    if (state === "aborted") {
      await cleaning;
      throw new TesseraError("E_CANCELLED");
    }
    if (state !== "open") throw new TesseraError("E_INTERNAL", "write() after finish().");
    if (frame.byteLength !== frameBytes) {
      throw new TesseraError("E_INTERNAL", `A frame must be ${source.width}x${source.height}x3 = ${frameBytes} bytes, not ${frame.byteLength}.`);
    }
    if (surplus) {
      written += 1;
      return;
    }
    const stdin = proc.stdin;
    if (!stdin || stdin.destroyed || proc.child.exitCode !== null) {
      if (await stoppedAtFrameLimit()) {
        written += 1;
        return;
      }
      await abort();
      throw await failure("ffmpeg stopped taking frames");
    }
    written += 1;
    if (!stdin.write(frame)) {
      const exited = proc.done.then(() => "exited" as const);
      const drained = new Promise<"drained">((resolve) => stdin.once("drain", () => resolve("drained")));
      if ((await Promise.race([drained, exited])) === "exited" && state === "open" && !(await stoppedAtFrameLimit())) {
        await abort();
        throw await failure("ffmpeg stopped taking frames");
      }
    }
  };

  const finish = async (): Promise<EncodeResult> => {
    if (state === "aborted") {
      await cleaning;
      throw new TesseraError("E_CANCELLED");
    }
    if (state !== "open") throw new TesseraError("E_INTERNAL", "finish() called twice.");
    state = "finishing";
    try {
      if (written === 0) throw encodeError("No frames were written.");
      if (expected !== undefined && written < needed) {
        throw encodeError(`${written} frames arrived; ${needed} are needed for ${expected} output frames.`);
      }
      const limit = options.finishTimeoutMs ?? 300_000 + 1000 * (expected ?? written);
      const timer = setTimeout(() => proc.timeOut(), limit);
      proc.stdin?.end();
      const result = await proc.done.finally(() => clearTimeout(timer));
      if (state !== "finishing") throw new TesseraError("E_CANCELLED");
      if (result.timedOut) throw encodeError(`ffmpeg did not finish within ${Math.round(limit / 1000)} s`);
      if (result.code !== 0) throw await failure(`ffmpeg failed (exit ${result.code ?? result.signal})`);

      const frames = expected ?? written;
      const files = await verify(options, temp, base, frames, tools);
      if (options.record) for (const file of files) await writeEmbeddedRecord(file, options.record);
      let c2pa: C2paOutcome = { state: "not-configured" };
      if (options.record && options.format !== "png") c2pa = await signC2pa(temp, options.record, options.c2pa);
      if (state !== "finishing") throw new TesseraError("E_CANCELLED");
      // A file is replaced atomically by the rename itself; a PNG folder has to go first.
      if (options.overwrite && options.format === "png") await rm(out, { recursive: true, force: true });
      await rename(temp, out);
      state = "done";
      // The sidecar follows the published file (which already carries the record as XMP), so a crash in between
      // leaves a complete clip, never a sidecar describing a clip that does not exist.
      const sidecar = options.record ? await writeSidecar(out, options.record) : null;
      options.signal?.removeEventListener("abort", onAbort);
      const finalFiles = options.format === "png" ? files.map((f) => nodePath.join(out, nodePath.basename(f))) : [out];
      return {
        path: out,
        files: finalFiles,
        format: options.format,
        frames,
        fps: options.fps,
        width: options.width,
        height: options.height,
        codec: CODECS[options.format],
        durationTicks: formatTicks(framesToTicks(frames, options.fps, "round")),
        sha256: await sha256Of(finalFiles),
        sidecar,
        c2pa,
      };
    } catch (err) {
      await abort();
      options.signal?.removeEventListener("abort", onAbort);
      throw err;
    }
  };

  return {
    write,
    finish,
    abort,
    get framesWritten() {
      return written;
    },
  };
}

/** Checks the finished temp output with ffprobe: frame count, size, rate and codec. Returns its file(s). */
async function verify(options: EncoderOptions, temp: string, base: string, frames: number, tools: MediaTools): Promise<string[]> {
  if (options.format === "png") {
    const names = (await readdir(temp)).filter((n) => n.startsWith(`${base}_`) && n.endsWith(".png")).sort();
    if (names.length !== frames) throw encodeError(`The PNG sequence has ${names.length} frames, not ${frames}.`);
    const first = await probe(nodePath.join(temp, names[0] as string), { kind: "image", tools });
    if (first.width !== options.width || first.height !== options.height) {
      throw encodeError(`The PNG frames are ${first.width}x${first.height}, not ${options.width}x${options.height}.`);
    }
    return names.map((n) => nodePath.join(temp, n));
  }
  const info = await probe(temp, { tools, count: "packets" });
  const problems: string[] = [];
  if (info.frames !== frames) problems.push(`${info.frames} frames instead of ${frames}`);
  if (info.width !== options.width || info.height !== options.height) {
    problems.push(`${info.width}x${info.height} instead of ${options.width}x${options.height}`);
  }
  if (!rationalEquals(info.fps, options.fps)) problems.push(`${info.fps.num}/${info.fps.den} fps instead of ${options.fps.num}/${options.fps.den}`);
  if (info.codec !== CODECS[options.format]) problems.push(`codec ${info.codec} instead of ${CODECS[options.format]}`);
  if (options.audio && !(await probeAudio(temp, tools))) problems.push("no sound track");
  if (problems.length > 0) throw encodeError(`The encoded file failed verification: ${problems.join(", ")}.`);
  return [temp];
}

/** Removes temp outputs left by a crash (older than `olderThanMs`) from an output folder. */
export async function removeStalePartials(dir: string, olderThanMs = 60 * 60 * 1000): Promise<string[]> {
  const removed: string[] = [];
  const now = Date.now();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(".") || !name.includes(PARTIAL_MARK)) continue;
    const path = nodePath.join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && now - info.mtimeMs >= olderThanMs) {
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    }
  }
  return removed;
}
