/**
 * The two files a ComfyUI job moves: conditioning frames sent as a short H.264 clip (LoadVideo reads it on the
 * server), and the server's output clip decoded back into RGB frames at the model size for the encoder. Both go
 * through the media layer's guarded ffmpeg runs (argument arrays, file/pipe protocols only, SIGKILL on abort).
 */
import { TesseraError } from "../../../shared/errors.js";
import type { Rational } from "../../../shared/time.js";
import type { RgbFrame } from "../../inference/frames.js";
import { ffmpegBase, fileArg, fileInput, rawRgbInput, rawRgbOutput } from "../../media/args.js";
import { locateMediaTools } from "../../media/binaries.js";
import { scaleFilters, type FitMode, type FrameSize } from "../../media/conform.js";
import { probe } from "../../media/probe.js";
import { lastErrorLine, startTool } from "../../media/process.js";

/** Writes frames (all the same size) as a near-lossless H.264 clip at `fps`. */
export async function writeClip(frames: readonly RgbFrame[], fps: Rational, out: string, signal: AbortSignal): Promise<void> {
  const first = frames[0];
  if (!first) throw new TesseraError("E_INTERNAL", "No conditioning frames to send.");
  const args = [
    ...ffmpegBase(),
    ...rawRgbInput(first, fps),
    "-c:v", "libx264", "-preset", "veryfast", "-crf", "10", "-pix_fmt", "yuv420p", "-movflags", "+faststart",
    fileArg(out),
  ];
  const tool = startTool(locateMediaTools().ffmpeg.path, args, { timeoutMs: 60_000, signal, stdin: "pipe" });
  for (const frame of frames) {
    if (!tool.stdin?.write(frame.data)) await new Promise((r) => tool.stdin?.once("drain", r));
  }
  tool.stdin?.end();
  const result = await tool.done;
  if (result.aborted) throw new TesseraError("E_CANCELLED");
  if (result.code !== 0) throw new TesseraError("E_ENCODE", `The conditioning clip could not be written: ${lastErrorLine(result.stderr)}`);
}

export interface DecodedClip extends FrameSize {
  /** Frames the file holds. */
  frames: number;
  fps: Rational;
}

/**
 * Decodes `path` (a file the server made: untrusted) at `size`, skipping `skip` frames and handing the next
 * `count` to `onFrame` in order. Fails when the file is not a video or has too few frames.
 */
export async function decodeClip(
  path: string,
  size: FrameSize,
  fit: FitMode,
  range: { skip: number; count: number },
  onFrame: (frame: Uint8Array, index: number) => Promise<void>,
  signal: AbortSignal,
): Promise<DecodedClip> {
  const tools = locateMediaTools();
  const info = await probe(path, { kind: "video", tools, signal }).catch((error: unknown) => {
    if (signal.aborted) throw new TesseraError("E_CANCELLED");
    throw new TesseraError("E_ENGINE_FAILED", `The server's output is not a video Tessera can read (${(error as Error).message}).`);
  });
  if (info.frames < range.skip + range.count) {
    throw new TesseraError("E_ENGINE_FAILED", `The server's output has ${info.frames} frames; ${range.skip + range.count} were asked for.`, {
      hint: "The template may not use the length it was given: check its manifest's `length` targets.",
    });
  }
  const frameBytes = size.width * size.height * 3;
  const filters = [...scaleFilters(info, size, fit, info.pixelAspect), "format=rgb24"];
  const args = [...ffmpegBase(), ...fileInput(path, "video"), "-vf", filters.join(","), "-frames:v", String(range.skip + range.count), ...rawRgbOutput()];
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  let chain = Promise.resolve();
  let failure: unknown;
  const tool = startTool(tools.ffmpeg.path, args, {
    timeoutMs: 120_000 + 100 * info.frames,
    signal,
    onStdout: (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= frameBytes) {
        const frame = new Uint8Array(pending.subarray(0, frameBytes));
        pending = pending.subarray(frameBytes);
        const at = index++;
        if (at >= range.skip && at < range.skip + range.count) {
          chain = chain.then(() => (failure ? undefined : onFrame(frame, at - range.skip))).catch((error: unknown) => {
            failure ??= error;
            tool.kill();
          });
        }
      }
    },
  });
  const result = await tool.done;
  await chain;
  if (failure) throw failure;
  if (result.aborted || signal.aborted) throw new TesseraError("E_CANCELLED");
  if (result.code !== 0 || index < range.skip + range.count) {
    throw new TesseraError("E_ENGINE_FAILED", `The server's output could not be decoded: ${lastErrorLine(result.stderr) || `${index} frames`}`);
  }
  return { width: info.width, height: info.height, frames: info.frames, fps: info.fps };
}
