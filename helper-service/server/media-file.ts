/**
 * A video file over HTTP for the harness's program monitor: GET and HEAD with byte ranges (what <video> asks for
 * to start and to seek), only regular files with a video extension, never a listing. Which files may be served
 * is the caller's decision (a finished job's output, the harness's own sample clips).
 */
import { createReadStream, realpathSync, statSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { extname } from "node:path";

const VIDEO_TYPES: Readonly<Record<string, string>> = { ".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime" };

const HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
  "Accept-Ranges": "bytes",
};

/** The byte range a Range header asks for within `size` bytes: [start, end] inclusive, null for the whole file, "bad" when unsatisfiable. */
export function byteRange(header: string | undefined, size: number): { start: number; end: number } | null | "bad" {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return "bad";
  let start: number;
  let end: number;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "bad";
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  return start > end || start >= size ? "bad" : { start, end };
}

/** Streams `path` (a video file) with range support; false when it is not a servable video file. */
export function serveVideo(res: ServerResponse, path: string, rangeHeader: string | undefined): boolean {
  let real: string;
  let size: number;
  try {
    real = realpathSync(path);
    const info = statSync(real);
    if (!info.isFile()) return false;
    size = info.size;
  } catch {
    return false;
  }
  const type = VIDEO_TYPES[extname(real).toLowerCase()];
  if (!type) return false;
  const range = byteRange(rangeHeader, size);
  if (range === "bad") {
    res.writeHead(416, { ...HEADERS, "Content-Range": `bytes */${size}` });
    res.end();
    return true;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  res.writeHead(range ? 206 : 200, {
    ...HEADERS,
    "Content-Type": type,
    "Content-Length": String(size === 0 ? 0 : end - start + 1),
    ...(range ? { "Content-Range": `bytes ${start}-${end}/${size}` } : {}),
  });
  if (res.req.method === "HEAD" || size === 0) {
    res.end();
    return true;
  }
  const stream = createReadStream(real, { start, end });
  stream.on("error", () => res.destroy());
  stream.pipe(res);
  return true;
}
