/**
 * The coordinator's farm endpoint: workers stream finished files here over HTTP(S), authenticated by the farm
 * token. Uploads are resumable (HEAD tells how many bytes arrived; PATCH appends from exactly that offset) and
 * end with a sha256 check, so a dropped connection costs only the bytes in flight and a damaged file is never
 * taken. Files land under a partial name in the job's output folder; publishing them is the coordinator's job.
 * The endpoint accepts files only for jobs the coordinator is waiting for, under names it chooses itself.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createReadStream, createWriteStream, rmSync, statSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import { z } from "zod";

/** Larger than any clip the helper makes (a 10-minute ProRes 4K file stays below this). */
export const MAX_UPLOAD_BYTES = 64 * 1024 ** 3;
const PATH_PATTERN = /^\/farm\/v1\/uploads\/([0-9a-f-]{36})\/([a-zA-Z0-9_-]{1,64})(\/finish)?$/;

const FinishSchema = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().min(0) });

export interface ReceiverOptions {
  token: string;
  host: string;
  port: number;
  tls?: { certFile: string; keyFile: string };
  /** Where an upload of this job under this key goes, or undefined when the job is not expected. */
  target(jobId: string, key: string): string | undefined;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export interface Receiver {
  port: number;
  close(): Promise<void>;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

function reply(res: ServerResponse, status: number, body?: object, headers: Record<string, string | number> = {}): void {
  const text = body ? JSON.stringify(body) : "";
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readJson(req: IncomingMessage, limit = 4096): Promise<unknown> {
  let text = "";
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > limit) throw new Error("body too large");
  }
  return JSON.parse(text);
}

export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer ") || !sameSecret(auth.slice(7), options.token)) {
      options.log?.warn({ remote: req.socket.remoteAddress }, "farm upload refused: wrong or missing token");
      req.resume();
      return reply(res, 401, { error: "wrong or missing farm token" });
    }
    const match = PATH_PATTERN.exec(req.url ?? "");
    const target = match ? options.target(match[1]!, match[2]!) : undefined;
    if (!match || !target) {
      req.resume();
      return reply(res, 404, { error: "no such job is waiting for a file" });
    }
    const offset = sizeOf(target);
    if (req.method === "HEAD" && !match[3]) return reply(res, 200, undefined, { "Upload-Offset": offset });
    if (req.method === "DELETE" && !match[3]) {
      rmSync(target, { force: true });
      return reply(res, 204);
    }
    if (req.method === "PATCH" && !match[3]) {
      const from = Number(req.headers["upload-offset"]);
      const length = Number(req.headers["content-length"]);
      if (!Number.isInteger(from) || from !== offset) {
        req.resume();
        return reply(res, 409, { error: "offset mismatch", offset }, { "Upload-Offset": offset });
      }
      if (!Number.isInteger(length) || from + length > MAX_UPLOAD_BYTES) {
        req.resume();
        return reply(res, 413, { error: "missing length or file too large" });
      }
      // An interrupted PATCH keeps the bytes that arrived: the next HEAD resumes from there.
      await pipeline(req, createWriteStream(target, { flags: "a" })).catch(() => undefined);
      return reply(res, 204, undefined, { "Upload-Offset": sizeOf(target) });
    }
    if (req.method === "POST" && match[3]) {
      const parsed = FinishSchema.safeParse(await readJson(req).catch(() => undefined));
      if (!parsed.success) return reply(res, 400, { error: "expected {sha256, bytes}" });
      if (offset !== parsed.data.bytes) return reply(res, 409, { error: "incomplete", offset }, { "Upload-Offset": offset });
      const actual = await sha256File(target);
      if (actual !== parsed.data.sha256) {
        options.log?.warn({ jobId: match[1] }, "farm upload failed its sha256 check; discarded");
        rmSync(target, { force: true });
        return reply(res, 422, { error: "sha256 mismatch", sha256: actual });
      }
      return reply(res, 200, { ok: true, sha256: actual });
    }
    req.resume();
    return reply(res, 405, { error: "method not allowed" });
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      options.log?.warn({ err: (error as Error).message }, "farm upload error");
      if (!res.headersSent) reply(res, 500, { error: "upload failed" });
      else res.destroy();
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) }, listener)
    : createHttpServer(listener);
  server.requestTimeout = 0; // a 500 MB upload on a slow link is not an attack
  server.headersTimeout = 30_000;
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once("error", rejectListen);
    server.listen(options.port, options.host, () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}
