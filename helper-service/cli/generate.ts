/**
 * `tessera generate` and `tessera extend`. Defaults for generate (the design's): 4 s, 24 fps, 1920x1080, H.264
 * (or the format --out's extension names), steps and guidance from the model, handles 0. Extend takes fps and
 * size from the source, conditions on its tail (or head) and writes only the new frames. Both print one line,
 * `wrote PATH (N frames at FPS fps, WxH, seed S)`, and exit 0 only when that file is complete.
 */
import { randomInt } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { describeIssues } from "../../shared/parse.js";
import { GenerationRequestSchema, type GenerationRequest, type GenerationRequestInput, type JobOutput, type OutputFormat } from "../../shared/protocol.js";
import { durationFrames, formatFrameRate, supportsDropFrame, type FrameRate } from "../../shared/time.js";
import { resolveMediaPath } from "../media/paths.js";
import { probe } from "../media/probe.js";
import { dataDirOf, usage } from "./common.js";
import { runLocalJob } from "./local-job.js";

export interface GenerationOptions {
  seconds?: number;
  frames?: number;
  /** A fast draft (few steps, the model's smallest size). */
  draft?: boolean;
  /** generate: a seamless loop. */
  loop?: boolean;
  /** --seconds counts drop-frame timecode (29.97 and 59.94 only). */
  dropFrame?: boolean;
  fps?: FrameRate;
  size?: { width: number; height: number };
  seed?: number;
  steps?: number;
  guidance?: number;
  negative?: string;
  model?: string;
  handles?: number;
  format?: OutputFormat;
  out: string;
  dataDir?: string;
}

const EXTENSION_FORMATS: Readonly<Record<string, OutputFormat>> = { ".mp4": "h264", ".m4v": "h264", ".mov": "prores" };

/** --format, else the one --out's extension names; an extension that names none is refused. */
export function formatFor(out: string, format: OutputFormat | undefined): OutputFormat {
  const ext = extname(out).toLowerCase();
  if (format) return format;
  if (ext === "") throw usage(`--out ${out} has no extension: use .mp4 (H.264) or .mov (ProRes), or --format png for a PNG sequence folder.`);
  const named = EXTENSION_FORMATS[ext];
  if (!named) throw usage(`--out ${out}: "${ext}" is not an output Tessera writes (.mp4, .mov, or --format png).`);
  return named;
}

function framesOf(options: GenerationOptions, fps: FrameRate, fallbackSeconds: number | undefined): number {
  if (options.frames !== undefined) return options.frames;
  const seconds = options.seconds ?? fallbackSeconds;
  if (seconds === undefined) throw usage("give the length with --seconds S or --frames N.");
  if (options.dropFrame && !supportsDropFrame(fps)) {
    throw usage(`--drop-frame: drop-frame timecode only exists at 29.97 and 59.94 fps, not ${formatFrameRate(fps)}.`);
  }
  // Seconds as editors count them: the frames of that timecode (4 s at 23.976 is 00:00:04:00, 96 frames).
  const frames = durationFrames(seconds, fps, { dropFrame: options.dropFrame ?? false });
  if (frames < 1) throw usage(`--seconds ${seconds} is shorter than one frame at ${formatFrameRate(fps)} fps.`);
  return frames;
}

function buildRequest(input: GenerationRequestInput): GenerationRequest {
  const parsed = GenerationRequestSchema.safeParse(input);
  if (!parsed.success) throw usage(describeIssues(parsed.error));
  return parsed.data;
}

/** The one line a finished job prints: `wrote PATH (N frames at FPS fps, WxH, seed S)`. */
export function reportWritten(output: JobOutput): void {
  process.stdout.write(
    `wrote ${output.path} (${output.frames} frames at ${formatFrameRate(output.fps)} fps, ${output.width}x${output.height}, seed ${output.record.seed})\n`,
  );
}

function common(options: GenerationOptions, fps: FrameRate, frames: number, size: { width: number; height: number }) {
  const out = resolve(options.out);
  if (!existsSync(dirname(out))) throw usage(`--out ${options.out}: the folder ${dirname(out)} does not exist.`);
  return {
    out,
    fields: {
      negativePrompt: options.negative ?? "",
      seed: options.seed ?? randomInt(0, 2 ** 32),
      frames,
      fps,
      width: size.width,
      height: size.height,
      handles: options.handles ?? 0,
      ...(options.steps !== undefined ? { steps: options.steps } : {}),
      ...(options.guidance !== undefined ? { guidance: options.guidance } : {}),
      ...(options.model !== undefined ? { modelId: options.model } : {}),
      output: { format: formatFor(out, options.format) },
      ...(options.draft ? { quality: "draft" as const } : {}),
    },
  };
}

/** The request `generate` sends, with the design's defaults filled in; `out` is absolute. */
export function generateRequest(prompt: string, options: GenerationOptions): { request: GenerationRequest; out: string } {
  const fps = options.fps ?? { num: 24, den: 1 };
  const frames = framesOf(options, fps, 4);
  const { out, fields } = common(options, fps, frames, options.size ?? { width: 1920, height: 1080 });
  if (options.loop && (options.handles ?? 0) > 0) throw usage("--loop: a loop has no handles (its end is its start); leave out --handles.");
  return { request: buildRequest({ prompt, ...fields, workflow: "cli", ...(options.loop ? { loop: true } : {}) }), out };
}

export async function generateCommand(prompt: string, options: GenerationOptions): Promise<void> {
  const { request, out } = generateRequest(prompt, options);
  reportWritten(await runLocalJob(await dataDirOf(options.dataDir), request, out));
}

export interface ExtendOptions extends GenerationOptions {
  source: string;
  at: "tail" | "head";
  prompt?: string;
  audio?: "none" | "extend";
}

export async function extendCommand(options: ExtendOptions): Promise<void> {
  const source = await resolveMediaPath(resolve(options.source), "video");
  const info = await probe(source);
  const fps = options.fps ?? info.fps;
  const frames = framesOf(options, fps, undefined);
  const size = options.size ?? { width: info.width - (info.width % 2), height: info.height - (info.height % 2) };
  const { out, fields } = common(options, fps, frames, size);
  // Without --prompt, carry on with the prompt that made the source (when it is a Tessera clip). The record reader
  // (exiftool) is loaded only here: `generate` starts about 70 ms sooner without it.
  const readRecord = async () => (await import("../media/metadata.js")).readRecord(source);
  const prompt = options.prompt ?? (await readRecord().catch(() => null))?.record.prompt ?? "the same shot, continuing";
  const range = { kind: "media" as const, path: source, inFrame: 0, outFrame: info.frames };
  const request = buildRequest({
    prompt,
    ...fields,
    workflow: "extend",
    conditioning: options.at === "head" ? { after: range } : { before: range },
    audio: options.audio ?? "extend",
  });
  reportWritten(await runLocalJob(await dataDirOf(options.dataDir), request, out));
}
