// Typed builders for ffmpeg/ffprobe argument arrays. Every builder returns string[]; nothing is ever joined into a
// command line, and every user path goes through `fileArg` so ffmpeg never reads a protocol out of a file name.
import { formatFrameRate, type Rational } from "../../shared/time.js";

export type MediaKind = "video" | "image";

/** Extensions Tessera accepts as media, lowercase without the dot. */
export const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set([
  "mp4", "m4v", "mov", "qt", "mxf", "avi", "mkv", "webm", "mts", "m2ts", "ts", "mpg", "mpeg", "wmv", "asf", "flv",
  "dv", "ogv", "3gp", "3g2", "mj2", "y4m",
]);
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(["png", "jpg", "jpeg", "tif", "tiff", "bmp", "webp"]);

// Demuxers allowed to open a user's file (ffmpeg's -format_whitelist). Playlists (hls, concat), network formats
// and image demuxers are absent, so a renamed .m3u8 or ffconcat file cannot make ffmpeg fetch or read anything.
export const VIDEO_DEMUXERS = [
  "mov", "matroska", "avi", "mxf", "mpegts", "mpeg", "asf", "flv", "dv", "ogg", "yuv4mpegpipe",
] as const;
export const IMAGE_DEMUXERS = ["image2"] as const;

/** A user path as an ffmpeg input/output: the `file:` prefix stops "concat:…", "http:…" etc. being protocols. */
export function fileArg(path: string): string {
  return `file:${path}`;
}

/** Options every ffmpeg run starts with: quiet, never reads the terminal, overwrite without asking. */
export function ffmpegBase(logLevel: "error" | "info" = "error"): string[] {
  return ["-hide_banner", "-nostdin", "-loglevel", logLevel, "-y"];
}

// An image is read by the image2 demuxer as one file, never a pattern: "%d" or "*" in a name must not open its
// neighbours. (Forcing image2 also keeps -pattern_type meaningful: ffmpeg rejects options no demuxer uses.)
const SINGLE_IMAGE = ["-f", "image2", "-pattern_type", "none"];

/** Input options that confine what ffmpeg may open for this input. */
export function inputGuards(kind: MediaKind): string[] {
  const demuxers = kind === "video" ? VIDEO_DEMUXERS : IMAGE_DEMUXERS;
  return ["-protocol_whitelist", "file,pipe", "-format_whitelist", demuxers.join(","), ...(kind === "image" ? SINGLE_IMAGE : [])];
}

/** A media file as input. `seekSeconds` seeks accurately (ffmpeg decodes from the previous keyframe). */
export function fileInput(
  path: string,
  kind: MediaKind,
  range: { seekSeconds?: number; durationSeconds?: number } = {},
): string[] {
  const args = inputGuards(kind);
  if (range.seekSeconds !== undefined && range.seekSeconds > 0) args.push("-ss", range.seekSeconds.toFixed(6));
  if (range.durationSeconds !== undefined) args.push("-t", range.durationSeconds.toFixed(6));
  args.push("-i", fileArg(path));
  return args;
}

/** Raw RGB frames streamed on stdin. */
export function rawRgbInput(size: { width: number; height: number }, fps: Rational): string[] {
  return [
    "-protocol_whitelist", "file,pipe",
    "-f", "rawvideo", "-pix_fmt", "rgb24", "-video_size", `${size.width}x${size.height}`,
    "-framerate", formatFrameRate(fps),
    "-i", "pipe:0",
  ];
}

/** Raw RGB frames on stdout, one after another, with every decoded frame kept (no duplicates, no drops). */
export function rawRgbOutput(): string[] {
  return ["-map", "0:v:0", "-an", "-sn", "-dn", "-vsync", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"];
}

/** Y'CbCr formats Tessera writes, with their chroma subsampling (crop offsets must land on whole chroma samples). */
export const YCBCR_FORMATS = { yuv420p: { evenX: true, evenY: true }, yuv422p10le: { evenX: true, evenY: false } } as const;
export type YCbCrFormat = keyof typeof YCBCR_FORMATS;

/**
 * Scaler options for RGB -> Y'CbCr with the BT.709 matrix at limited range. ffmpeg's scaler would otherwise use
 * BT.601, which shifts saturated colours; full_chroma_int and accurate_rnd keep the conversion as exact as 8/10
 * bits allow. Resizing goes in the same scale (one pass from the small RGB frame), which is an order of
 * magnitude faster at 1080p than an RGB resize followed by a full-size conversion.
 */
export const BT709_SCALE = "out_color_matrix=bt709:out_range=tv";

/** Tags the frames themselves: newer ffmpeg lets untagged frames override the encoder's tag options. */
export const BT709_PARAMS = "setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709";

/** Tags that say what BT709_SCALE did, for the encoder's VUI/header and the container's colr atom. */
export function bt709Tags(): string[] {
  return ["-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709", "-color_range", "tv"];
}

export interface H264Quality {
  /** x264 constant rate factor (lower is better); 16 keeps upscaled detail for grading. */
  crf: number;
  preset: "ultrafast" | "superfast" | "veryfast" | "faster" | "fast" | "medium" | "slow";
}

// ultrafast: at CRF 16 every preset is far past visible loss, so the preset trades encode time against bitrate.
// On a 4 s 1080p clip of model output (PSNR against the unencoded frames, x264 CPU seconds, size): ultrafast
// 57.8 dB, 1.5 s, 3.9 MB; superfast 59.6 dB, 3.0 s, 5.5 MB; veryfast 57.5 dB, 5.4 s, 2.2 MB (with this conform's
// scaling in front, 2.0 s against 2.5 s for superfast). The encoder shares the CPU with the model, so its time is
// the clip's time; Baseline-style streams (no CABAC) also decode fastest when scrubbing.
export const DEFAULT_H264: H264Quality = { crf: 16, preset: "ultrafast" };

/** H.264 in MP4 (High at most; ultrafast writes Constrained Baseline), 4:2:0, one keyframe a second so scrubbing in Premiere stays smooth. */
export function h264Codec(fps: Rational, quality: H264Quality = DEFAULT_H264): string[] {
  const gop = Math.max(1, Math.round(fps.num / fps.den));
  return [
    "-c:v", "libx264", "-preset", quality.preset, "-crf", String(quality.crf), "-profile:v", "high",
    "-g", String(gop), "-pix_fmt", "yuv420p", ...bt709Tags(), "-tag:v", "avc1",
    "-movflags", "+faststart+write_colr", "-f", "mp4",
  ];
}

/** ProRes 422 HQ (profile 3), 10-bit 4:2:2, in a QuickTime MOV. */
export function proresCodec(): string[] {
  return [
    "-c:v", "prores_ks", "-profile:v", "3", "-vendor", "apl0", "-pix_fmt", "yuv422p10le", ...bt709Tags(),
    "-movflags", "+faststart+write_colr", "-f", "mov",
  ];
}

/** Numbered PNG frames (RGB, 8-bit), numbered from 0. */
export function pngCodec(): string[] {
  return ["-c:v", "png", "-pix_fmt", "rgb24", "-start_number", "0", "-f", "image2"];
}

/** ffprobe options that confine it the same way as ffmpeg inputs. */
export function probeGuards(kind: MediaKind): string[] {
  const demuxers = kind === "video" ? VIDEO_DEMUXERS : IMAGE_DEMUXERS;
  return ["-v", "error", "-protocol_whitelist", "file", "-format_whitelist", demuxers.join(","), ...(kind === "image" ? SINGLE_IMAGE : [])];
}
