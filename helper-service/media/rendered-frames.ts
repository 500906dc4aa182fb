// Conditioning frames the panel rendered from the sequence (so speed, reverse and effects are as the viewer sees
// them): still images in display order at the sequence fps. Picked and scaled exactly like media frames.
import { TesseraError } from "../../shared/errors.js";
import type { Rational } from "../../shared/time.js";
import { ffmpegBase, fileInput, rawRgbOutput } from "./args.js";
import { locateMediaTools, type MediaTools } from "./binaries.js";
import { scaleFilters, type FitMode, type FrameSize } from "./conform.js";
import { resolveMediaPath, type PathPolicy } from "./paths.js";
import { probe } from "./probe.js";
import { lastErrorLine, runTool } from "./process.js";
import { sourceFrameIndices, type Placement } from "./source-frames.js";

export interface RenderedFramesRequest extends FrameSize {
  /** Image files (PNG, JPEG, TIFF...) in display order. */
  paths: readonly string[];
  /** The rate the images were rendered at (the sequence fps). */
  sourceFps: Rational;
  at: Placement;
  count: number;
  /** The model's fps and size. */
  fps: Rational;
  fit?: FitMode;
  policy?: PathPolicy;
  tools?: MediaTools;
  signal?: AbortSignal;
}

export interface RenderedFrames extends FrameSize {
  frames: Uint8Array[];
  fps: Rational;
  /** Which image each frame came from (index into `paths`). */
  sourceFrames: number[];
}

async function decodeImage(path: string, size: FrameSize, fit: FitMode, tools: MediaTools, signal?: AbortSignal): Promise<Uint8Array> {
  const info = await probe(path, { kind: "image", tools, signal });
  const filters = [...scaleFilters(info, size, fit, info.pixelAspect), "format=rgb24"];
  const args = [...ffmpegBase(), ...fileInput(path, "image"), "-frames:v", "1", "-vf", filters.join(","), ...rawRgbOutput()];
  const frameBytes = size.width * size.height * 3;
  const result = await runTool(tools.ffmpeg.path, args, { timeoutMs: 10_000, signal, collectStdout: true, maxStdoutBytes: frameBytes });
  if (result.aborted) throw new TesseraError("E_CANCELLED");
  if (result.code !== 0 || result.stdout.length !== frameBytes) {
    throw new TesseraError("E_MEDIA_CORRUPT", `"${path}" could not be decoded: ${lastErrorLine(result.stderr) || "wrong size"}`);
  }
  return new Uint8Array(result.stdout);
}

export async function readRenderedFrames(request: RenderedFramesRequest): Promise<RenderedFrames> {
  if (request.paths.length === 0) throw new TesseraError("E_BAD_REQUEST", "No rendered frames were given.");
  const tools = request.tools ?? locateMediaTools();
  const indices = sourceFrameIndices(
    { inFrame: 0, outFrame: request.paths.length },
    request.at,
    request.count,
    request.fps,
    request.sourceFps,
  );
  const size = { width: request.width, height: request.height };
  const cache = new Map<number, Uint8Array>();
  const frames: Uint8Array[] = [];
  for (const index of indices) {
    let frame = cache.get(index);
    if (!frame) {
      const path = await resolveMediaPath(request.paths[index] as string, "image", request.policy);
      frame = await decodeImage(path, size, request.fit ?? "fill", tools, request.signal);
      cache.set(index, frame);
    }
    frames.push(frame);
  }
  return { frames, ...size, fps: request.fps, sourceFrames: indices };
}
