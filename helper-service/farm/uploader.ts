/**
 * The worker's side of delivery: streams a finished file to the coordinator's farm endpoint, resuming from the
 * offset the coordinator reports after any break (a dropped link, a coordinator restart), and finishes with the
 * sha256 the coordinator checks. A checksum mismatch restarts the upload from zero once; other failures are
 * retried with growing pauses until `deadlineMs`, then reported so the queue can retry the job.
 */
import { createReadStream, readFileSync, statSync } from "node:fs";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Readable } from "node:stream";
import { TesseraError } from "../../shared/errors.js";

export interface UploadOptions {
  /** The job's upload URL: <farm endpoint>/farm/v1/uploads/<jobId>/<key>. */
  url: string;
  token: string;
  file: string;
  sha256: string;
  /** CA file for an https endpoint with the studio's own certificate. */
  caFile?: string;
  signal?: AbortSignal;
  deadlineMs?: number;
}

interface Answer {
  status: number;
  offset: number | undefined;
}

function send(options: UploadOptions, method: string, path: string, headers: Record<string, string | number>, body?: Readable | string): Promise<Answer> {
  const base = options.url.replace(/\/+$/, "");
  const url = new URL(path ? `${base}/${path}` : base);
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<Answer>((resolveAnswer, rejectAnswer) => {
    const req = request(
      url,
      {
        method,
        headers: { Authorization: `Bearer ${options.token}`, ...headers },
        signal: options.signal,
        ...(options.caFile ? { ca: readFileSync(options.caFile) } : {}),
      },
      (res: IncomingMessage) => {
        res.resume();
        res.on("end", () => {
          const offset = res.headers["upload-offset"];
          resolveAnswer({ status: res.statusCode ?? 0, offset: offset === undefined ? undefined : Number(offset) });
        });
        res.on("error", rejectAnswer);
      },
    );
    req.on("error", rejectAnswer);
    if (body === undefined) req.end();
    else if (typeof body === "string") req.end(body);
    else {
      body.on("error", (error) => req.destroy(error));
      body.pipe(req);
    }
  });
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolveSleep) => {
    const timer = setTimeout(resolveSleep, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolveSleep();
    });
  });

export async function uploadFile(options: UploadOptions): Promise<void> {
  const bytes = statSync(options.file).size;
  const deadline = Date.now() + (options.deadlineMs ?? 10 * 60_000);
  let pause = 250;
  let restarts = 0;
  let lastError = "";
  while (Date.now() < deadline) {
    if (options.signal?.aborted) throw new TesseraError("E_CANCELLED");
    try {
      const head = await send(options, "HEAD", "", {});
      if (head.status === 401) throw new TesseraError("E_FARM_DELIVERY", "The coordinator refused this worker's farm token.", { hint: "Give the worker the token file of the helper it works for (--farm-token-file)." });
      // 404: the helper is restarting and has not found the job again yet, or gave it up; retried until the deadline
      if (head.status === 404) throw new Error("the helper is not waiting for this job (yet)");
      if (head.status !== 200 || head.offset === undefined) throw new Error(`HEAD answered ${head.status}`);
      let offset = head.offset;
      if (offset > bytes) {
        await send(options, "DELETE", "", {});
        offset = 0;
      }
      if (offset < bytes) {
        const body = createReadStream(options.file, { start: offset });
        const patch = await send(options, "PATCH", "", { "Upload-Offset": offset, "Content-Length": bytes - offset, "Content-Type": "application/octet-stream" }, body);
        if (patch.status !== 204) throw new Error(`PATCH answered ${patch.status}`);
        if (patch.offset !== bytes) throw new Error(`the coordinator has ${patch.offset ?? "?"} of ${bytes} bytes`);
      }
      const finish = await send(options, "POST", "finish", { "Content-Type": "application/json" }, JSON.stringify({ sha256: options.sha256, bytes }));
      if (finish.status === 200) return;
      if (finish.status === 422 && restarts++ === 0) continue; // damaged on the way: the coordinator dropped it; once more from zero
      if (finish.status === 422) throw new TesseraError("E_FARM_DELIVERY", "The file failed its sha256 check twice.");
      throw new Error(`finish answered ${finish.status}`);
    } catch (error) {
      if (error instanceof TesseraError) throw error;
      if (options.signal?.aborted) throw new TesseraError("E_CANCELLED");
      lastError = (error as Error).message;
      await sleep(pause, options.signal);
      pause = Math.min(pause * 2, 5000);
    }
  }
  throw new TesseraError("E_FARM_DELIVERY", `Could not reach the coordinator to deliver the file: ${lastError}.`);
}
