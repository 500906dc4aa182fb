/**
 * Plain HTTP on the helper's port: GET /health (version, device, models; nothing secret) and, with --harness,
 * the browser harness from dist/harness/ with this helper's token and port written into the page. Every request
 * passes the Host check first, which is what keeps a DNS-rebinding page from reading the harness's token; the
 * page also refuses to be framed.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, relative, resolve, sep, isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";
import type { ModelInfo } from "../../shared/protocol.js";
import { checkHost } from "./host-origin.js";
import { serveVideo } from "./media-file.js";
import type { Logger } from "./log.js";

export const BOOT_PLACEHOLDER = "<!--TESSERA_BOOT-->";
export const DEFAULT_HARNESS_DIR = fileURLToPath(new URL("../../dist/harness/", import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".mp4": "video/mp4",
};

const VIDEO_EXTENSION = /\.(mp4|m4v|mov)$/i;

const SAFE_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Content-Security-Policy": "frame-ancestors 'none'",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Resource-Policy": "same-origin",
};

export interface HttpOptions {
  port: () => number;
  version: string;
  log: Logger;
  system: () => { device: string; models: ModelInfo[] };
  /** Serve the harness from this folder (absent: no harness). */
  harness?: { dir: string; token: string };
  /** The file of a finished job, for the harness's program monitor (GET /clip/JOBID); undefined: not one. */
  clip?: (jobId: string) => string | undefined;
}

const CLIP_PATH = /^\/clip\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function bootScript(token: string, port: number): string {
  // JSON inside <script>: escape "<" so no value can close the tag.
  const json = JSON.stringify({ token, port }).replace(/</g, "\\u003c");
  return `<script>window.__TESSERA_BOOT__=${json}</script>`;
}

function reply(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", ...SAFE_HEADERS, ...extra });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

const MISSING_HARNESS = `<!doctype html><meta charset="utf-8"><title>Tessera harness not built</title>
<h1>The panel harness is not built yet</h1>
<p>Run <code>npm run build</code> in the Tessera folder, then reload this page.</p>`;

export function createHttpHandler(options: HttpOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const host = checkHost(req.headers.host, options.port());
    if (!host.ok) {
      options.log.warn({ reason: host.reason, path: req.url?.slice(0, 100) }, `refused HTTP: ${host.reason}`);
      return reply(res, 421, "text/plain; charset=utf-8", "Misdirected request: use http://127.0.0.1:PORT/\n");
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      return reply(res, 405, "text/plain; charset=utf-8", "Only GET\n", { Allow: "GET, HEAD" });
    }
    const path = decodePath(req.url ?? "/");
    if (path === undefined) return reply(res, 400, "text/plain; charset=utf-8", "Bad path\n");
    if (path === "/health") {
      const { device, models } = options.system();
      const body = { name: "tessera", version: options.version, device, models: models.map((m) => ({ id: m.id, version: m.version })) };
      return reply(res, 200, "application/json; charset=utf-8", JSON.stringify(body));
    }
    if (!options.harness) return reply(res, 404, "text/plain; charset=utf-8", "Not found. The panel harness is off (start with --harness).\n");
    // Finished clips by job id (an unguessable UUID the page learnt over its authenticated socket), and the
    // harness's sample clips, as video with byte ranges so the program monitor can play and seek them.
    const clip = CLIP_PATH.exec(path);
    if (clip) {
      const file = options.clip?.(clip[1]!);
      if (file && serveVideo(res, file, req.headers.range)) return;
      return reply(res, 404, "text/plain; charset=utf-8", "No finished clip with that id\n");
    }
    if (VIDEO_EXTENSION.test(path)) {
      const file = existsSync(join(options.harness.dir, "index.html")) ? safeFile(options.harness.dir, path) : undefined;
      if (file && serveVideo(res, file, req.headers.range)) return;
    }
    return serveHarness(res, options.harness, path, options.port());
  };
}

function decodePath(url: string): string | undefined {
  try {
    const pathname = new URL(url, "http://127.0.0.1").pathname;
    const decoded = decodeURIComponent(pathname);
    return decoded.includes("\0") ? undefined : decoded;
  } catch {
    return undefined;
  }
}

function serveHarness(res: ServerResponse, harness: { dir: string; token: string }, path: string, port: number): void {
  const index = join(harness.dir, "index.html");
  if (!existsSync(index)) return reply(res, 503, "text/html; charset=utf-8", MISSING_HARNESS);
  if (path === "/" || path === "/index.html") {
    const html = readFileSync(index, "utf8");
    const page = html.includes(BOOT_PLACEHOLDER) ? html.replace(BOOT_PLACEHOLDER, bootScript(harness.token, port)) : html;
    return reply(res, 200, TYPES[".html"]!, page);
  }
  const file = safeFile(harness.dir, path);
  if (!file) return reply(res, 404, "text/plain; charset=utf-8", "Not found\n");
  return reply(res, 200, TYPES[extname(file).toLowerCase()] ?? "application/octet-stream", readFileSync(file));
}

/** A regular file inside `root` (after resolving links), or undefined for anything that escapes or is not one. */
export function safeFile(root: string, urlPath: string): string | undefined {
  const base = realpathSync(root);
  const candidate = resolve(base, `.${urlPath}`);
  const rel = relative(base, candidate);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel) || rel.split(sep).some((p) => p.startsWith("."))) return undefined;
  if (!existsSync(candidate)) return undefined;
  const real = realpathSync(candidate);
  const realRel = relative(base, real);
  if (realRel.startsWith("..") || isAbsolute(realRel)) return undefined;
  return statSync(real).isFile() ? real : undefined;
}
