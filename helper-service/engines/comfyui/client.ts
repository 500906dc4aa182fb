/**
 * HTTP and WebSocket access to one ComfyUI server. Only the engine's own bearer token is ever sent (never the
 * helper's); redirects are followed only within the server's origin; every reply is parsed with its schema; a
 * server that cannot be reached, refuses the token or answers garbage is one clear TesseraError.
 */
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import WebSocket from "ws";
import type { z } from "zod";
import { TesseraError } from "../../../shared/errors.js";
import { describeIssues } from "../../../shared/parse.js";
import type { ComfyEngine } from "../config.js";
import {
  HistorySchema,
  ObjectInfoSchema,
  PromptAcceptedSchema,
  PromptRejectedSchema,
  QueueSchema,
  SystemStatsSchema,
  UploadReplySchema,
  type HistoryEntry,
  type NodeErrors,
  type ObjectInfo,
  type SavedFile,
  type SystemStats,
} from "./api.js";
import type { Graph } from "./object-info.js";

const MAX_REDIRECTS = 3;
const DEFAULT_TIMEOUT_MS = 15_000;

interface RequestOptions {
  method?: "GET" | "POST";
  json?: unknown;
  body?: FormData;
  query?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** `node 5 (CLIPLoader) input "clip_name": Value not in list ...` for each error the server listed. */
export function describeNodeErrors(errors: NodeErrors): string[] {
  const lines: string[] = [];
  for (const [nodeId, entry] of Object.entries(errors)) {
    for (const e of entry.errors) {
      const input = e.extra_info?.input_name ? ` input "${e.extra_info.input_name}"` : "";
      lines.push(`node ${nodeId} (${entry.class_type ?? "?"})${input}: ${e.message}${e.details ? `: ${e.details}` : ""}`);
    }
  }
  return lines;
}

export class ComfyClient {
  constructor(readonly engine: ComfyEngine) {}

  /** The server's address for logs and messages (the token is not part of it). */
  get origin(): string {
    return this.engine.url;
  }

  url(path: string, query?: Record<string, string>): URL {
    const url = new URL(this.engine.url.replace(/\/?$/, "/") + path.replace(/^\//, ""));
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    return url;
  }

  private headers(json: boolean): Record<string, string> {
    return { ...(json ? { "content-type": "application/json" } : {}), ...(this.engine.token ? { authorization: `Bearer ${this.engine.token}` } : {}) };
  }

  async request(path: string, options: RequestOptions = {}): Promise<Response> {
    let url = this.url(path, options.query);
    const origin = url.origin;
    const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    for (let hop = 0; ; hop++) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: options.method ?? "GET",
          headers: this.headers(options.json !== undefined),
          body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
          redirect: "manual",
          signal,
        });
      } catch (error) {
        // a caller's own time limit (AbortSignal.timeout) is the server not answering, not a cancel
        const timedOut = timeout.aborted || (options.signal?.reason as Error | undefined)?.name === "TimeoutError";
        if (options.signal?.aborted && !timedOut) throw new TesseraError("E_CANCELLED");
        const reason = timedOut ? "no answer in time" : ((error as Error & { cause?: Error }).cause?.message ?? (error as Error).message);
        throw new TesseraError("E_ENGINE_UNREACHABLE", `${this.engine.name} at ${this.origin}: ${reason}.`);
      }
      if (response.status >= 300 && response.status < 400 && response.headers.get("location")) {
        const next = new URL(response.headers.get("location")!, url);
        await response.body?.cancel();
        if (next.origin !== origin) {
          throw new TesseraError("E_ENGINE_UNREACHABLE", `${this.engine.name} redirected ${url.pathname} to another host (${next.origin}); Tessera does not follow it.`, {
            hint: "Point the engine at the server's final address: `tessera engines add comfyui URL --name NAME`.",
          });
        }
        if (hop >= MAX_REDIRECTS) throw new TesseraError("E_ENGINE_UNREACHABLE", `${this.engine.name}: too many redirects from ${path}.`);
        url = next;
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        await response.body?.cancel();
        throw new TesseraError("E_ENGINE_UNREACHABLE", `${this.engine.name} refused the request (HTTP ${response.status}).`, {
          hint: this.engine.token
            ? "The engine's token was not accepted: add the engine again with the right --token."
            : "The server wants a token: add the engine again with --token TOKEN.",
        });
      }
      return response;
    }
  }

  async json<S extends z.ZodType>(path: string, schema: S, options: RequestOptions = {}): Promise<z.infer<S>> {
    const response = await this.request(path, options);
    const text = await response.text();
    if (!response.ok) throw new TesseraError("E_ENGINE_FAILED", `${this.engine.name}: ${path} answered HTTP ${response.status}${text ? `: ${text.slice(0, 300)}` : ""}.`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new TesseraError("E_ENGINE_UNREACHABLE", `${this.engine.name} at ${this.origin} answered ${path} with something other than JSON: is it a ComfyUI server?`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new TesseraError("E_ENGINE_FAILED", `${this.engine.name}: unexpected reply to ${path}: ${describeIssues(parsed.error)}`);
    return parsed.data;
  }

  systemStats(signal?: AbortSignal): Promise<SystemStats> {
    return this.json("/system_stats", SystemStatsSchema, { signal });
  }

  objectInfo(signal?: AbortSignal): Promise<ObjectInfo> {
    return this.json("/object_info", ObjectInfoSchema, { signal, timeoutMs: 60_000 });
  }

  /**
   * The node infos of just these classes (GET /object_info/{class} each, side by side): a server with many node
   * packs answers the full /object_info with megabytes. A class the server lacks is simply absent.
   */
  async objectInfoFor(classes: Iterable<string>, signal?: AbortSignal): Promise<ObjectInfo> {
    const parts = await Promise.all([...new Set(classes)].map((name) => this.json(`/object_info/${encodeURIComponent(name)}`, ObjectInfoSchema, { signal })));
    return Object.assign({}, ...parts) as ObjectInfo;
  }

  /** POST /prompt with our prompt_id and the socket's client_id (events go only to that socket). */
  async submit(graph: Graph, promptId: string, clientId: string, signal?: AbortSignal): Promise<{ promptId: string; nodeErrors: NodeErrors }> {
    const response = await this.request("/prompt", { method: "POST", json: { prompt: graph, prompt_id: promptId, client_id: clientId }, signal });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new TesseraError("E_ENGINE_FAILED", `${this.engine.name}: /prompt answered HTTP ${response.status} without JSON.`);
    }
    if (!response.ok) {
      const rejected = PromptRejectedSchema.safeParse(json);
      if (!rejected.success) throw new TesseraError("E_ENGINE_FAILED", `${this.engine.name}: /prompt answered HTTP ${response.status}.`);
      const { error, node_errors } = rejected.data;
      const summary = typeof error === "string" ? error : `${error.message}${error.details ? ` ${error.details}` : ""}`;
      const lines = describeNodeErrors(node_errors);
      throw new TesseraError("E_ENGINE_TEMPLATE", `${this.engine.name} refused the workflow: ${summary}${lines.length ? ` ${lines.join("; ")}` : ""}`);
    }
    const accepted = PromptAcceptedSchema.safeParse(json);
    if (!accepted.success) throw new TesseraError("E_ENGINE_FAILED", `${this.engine.name}: unexpected reply to /prompt: ${describeIssues(accepted.error)}`);
    if (accepted.data.prompt_id !== promptId) {
      throw new TesseraError("E_ENGINE_FAILED", `${this.engine.name} gave the job another id (${accepted.data.prompt_id}).`, {
        hint: "Update ComfyUI to 0.3.45 or later (it keeps the prompt_id a client sends).",
      });
    }
    return { promptId, nodeErrors: accepted.data.node_errors };
  }

  /** POST /upload/image (any bytes; the reply's `name` may differ from ours when a file of that name exists). */
  async upload(bytes: Uint8Array, name: string, signal?: AbortSignal): Promise<string> {
    const form = new FormData();
    form.set("image", new Blob([new Uint8Array(bytes)]), name);
    form.set("type", "input");
    form.set("subfolder", "tessera");
    form.set("overwrite", "true");
    const reply = await this.json("/upload/image", UploadReplySchema, { method: "POST", body: form, signal, timeoutMs: 120_000 });
    return reply.subfolder ? `${reply.subfolder}/${reply.name}` : reply.name;
  }

  /** The finished entry, or null while queued, running, or unknown (the server answers `{}` for all three). */
  async history(promptId: string, signal?: AbortSignal): Promise<HistoryEntry | null> {
    const all = await this.json(`/history/${encodeURIComponent(promptId)}`, HistorySchema, { signal });
    return all[promptId] ?? null;
  }

  async queueState(promptId: string, signal?: AbortSignal): Promise<"running" | "pending" | "absent"> {
    const queue = await this.json("/queue", QueueSchema, { signal });
    if (queue.queue_running.some((item) => item[1] === promptId)) return "running";
    if (queue.queue_pending.some((item) => item[1] === promptId)) return "pending";
    return "absent";
  }

  /** Stops the prompt: a queue delete if it waits, an interrupt (only of that prompt) if it runs. */
  async cancel(promptId: string): Promise<void> {
    await Promise.all([
      this.request("/queue", { method: "POST", json: { delete: [promptId] }, timeoutMs: 2000 }).then((r) => r.body?.cancel()),
      this.request("/interrupt", { method: "POST", json: { prompt_id: promptId }, timeoutMs: 2000 }).then((r) => r.body?.cancel()),
    ]);
  }

  /**
   * Streams a saved file (GET /view with the item's own filename, subfolder and type) into `dest`, refusing more
   * than `maxBytes`. The server's file name only goes into the query, never into a local path. A partial `dest`
   * is removed on any failure.
   */
  async download(file: SavedFile, dest: string, maxBytes: number, signal?: AbortSignal): Promise<number> {
    const query = { filename: file.filename, subfolder: file.subfolder, type: file.type };
    const response = await this.request("/view", { query, signal, timeoutMs: 30 * 60_000 });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new TesseraError("E_ENGINE_FAILED", `${this.engine.name}: the output ${file.filename} could not be downloaded (HTTP ${response.status}).`);
    }
    const declared = Number(response.headers.get("content-length") ?? NaN);
    if (declared > maxBytes) {
      await response.body.cancel();
      throw new TesseraError("E_ENGINE_FAILED", `${this.engine.name}: the output is ${declared} bytes, more than the ${maxBytes} allowed.`, {
        hint: "Ask for a shorter or smaller clip, or raise maxDownloadBytes for this engine in engines.json.",
      });
    }
    let received = 0;
    const cap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        if (received > maxBytes) done(new TesseraError("E_ENGINE_FAILED", `the output is larger than the ${maxBytes} bytes allowed.`));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), cap, createWriteStream(dest, { mode: 0o600 }), { signal });
    } catch (error) {
      await rm(dest, { force: true });
      if (signal?.aborted) throw new TesseraError("E_CANCELLED");
      if (error instanceof TesseraError) throw error;
      throw new TesseraError("E_ENGINE_FAILED", `${this.engine.name}: the download of ${file.filename} stopped after ${received} bytes (${(error as Error).message}).`);
    }
    if (Number.isFinite(declared) && received !== declared) {
      await rm(dest, { force: true });
      throw new TesseraError("E_ENGINE_FAILED", `${this.engine.name}: the download of ${file.filename} stopped after ${received} of ${declared} bytes.`);
    }
    return received;
  }

  /** The event socket; the server sends a job's events only to the socket whose clientId the job carries. */
  openSocket(clientId: string): WebSocket {
    const url = this.url("/ws", { clientId });
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    return new WebSocket(url, { headers: this.headers(false), maxPayload: 64 * 1024 * 1024, followRedirects: false, handshakeTimeout: 10_000 });
  }
}
