/**
 * One prompt on a ComfyUI server, from submit to the saved files: the event socket opened first (events go only
 * to the socket whose client_id the prompt carries), POST /prompt with our own prompt_id, progress and previews
 * relayed, and the end read from /history (the authoritative outputs). A dropped socket is reopened and /history
 * read; a prompt the server forgot (it restarted) is submitted once more; a cancel deletes it from the queue or
 * interrupts it and returns at once.
 */
import { randomUUID } from "node:crypto";
import type WebSocket from "ws";
import { TesseraError } from "../../../shared/errors.js";
import { parseBinaryFrame, WsMessageSchema, type BinaryPreview, type HistoryEntry, type SavedFile } from "./api.js";
import type { ComfyClient } from "./client.js";
import type { Graph } from "./object-info.js";

export interface PromptHooks {
  signal: AbortSignal;
  /** A node starts running (its class tells the phase). */
  onNode(classType: string): void;
  onStep(step: number, steps: number): void;
  onPreview(preview: BinaryPreview): void;
  onNotice(message: string): void;
}

export interface PromptResult {
  promptId: string;
  files: SavedFile[];
}

/** How long a dropped socket may take to come back before the job fails. */
const RECONNECT_WINDOW_MS = 20_000;
const PING_EVERY_MS = 15_000;
const VIDEO_EXTENSIONS = /\.(mp4|m4v|mov|webm|mkv)$/i;

/** The saved files of the output node (core savers list them as `images`, VideoHelperSuite as `gifs`). */
export function outputFiles(entry: HistoryEntry, outputNode: string): SavedFile[] {
  const out = entry.outputs[outputNode];
  return out ? [...(out.images ?? []), ...(out.gifs ?? []), ...(out.videos ?? [])] : [];
}

export function pickVideo(files: SavedFile[], engineName: string): SavedFile {
  const video = files.find((f) => VIDEO_EXTENSIONS.test(f.filename));
  if (video) return video;
  if (files.length === 0) throw new TesseraError("E_ENGINE_FAILED", `${engineName}: the workflow finished but its output node saved nothing.`);
  throw new TesseraError("E_ENGINE_FAILED", `${engineName}: the workflow's output is not a video (${files.map((f) => f.filename).join(", ")}).`, {
    hint: "The template's output node must save a video (SaveVideo, SaveWEBM or VHS_VideoCombine), not images.",
  });
}

function failureOf(entry: HistoryEntry, engineName: string): TesseraError | null {
  if (entry.status?.status_str !== "error") return null;
  const messages = entry.status.messages;
  if (messages.some(([name]) => name === "execution_interrupted")) {
    return new TesseraError("E_ENGINE_FAILED", `${engineName}: the job was interrupted on the server.`, { hint: "Someone stopped it in ComfyUI; generate again." });
  }
  const error = messages.find(([name]) => name === "execution_error")?.[1] as { node_type?: string; node_id?: string; exception_message?: string } | undefined;
  return executionError(engineName, error ?? {});
}

function executionError(engineName: string, e: { node_type?: string; node_id?: string | number; exception_message?: string; exception_type?: string }): TesseraError {
  const where = e.node_type ? ` in node ${e.node_id ?? "?"} (${e.node_type})` : "";
  const oom = /out of memory|OutOfMemory/i.test(`${e.exception_type ?? ""} ${e.exception_message ?? ""}`);
  return new TesseraError("E_ENGINE_FAILED", `${engineName} failed${where}: ${(e.exception_message ?? "unknown error").trim()}`, {
    ...(oom ? { hint: "The server's GPU ran out of memory: ask for a smaller size or a shorter clip, or free the GPU." } : {}),
  });
}

function openSocket(client: ComfyClient, clientId: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = client.openSocket(clientId);
    const fail = (error: Error): void => {
      ws.removeAllListeners();
      ws.on("error", () => undefined);
      ws.terminate();
      reject(new TesseraError("E_ENGINE_UNREACHABLE", `${client.engine.name}: the event socket at ${client.origin}/ws could not be opened (${error.message}).`));
    };
    ws.once("error", fail);
    ws.once("unexpected-response", (_req, res) => fail(new Error(`HTTP ${res.statusCode}`)));
    ws.once("open", () => {
      ws.off("error", fail);
      // ask for type-4 previews, which name their prompt
      ws.send(JSON.stringify({ type: "feature_flags", data: { supports_preview_metadata: true } }));
      resolve(ws);
    });
  });
}

export async function runPrompt(client: ComfyClient, graph: Graph, outputNode: string, hooks: PromptHooks): Promise<PromptResult> {
  const name = client.engine.name;
  const clientId = randomUUID();
  const nodeClass = (id: unknown): string => graph[String(id)]?.class_type ?? "";
  let ws = await openSocket(client, clientId);
  let promptId = randomUUID();
  let resubmitted = false;

  const submit = async (): Promise<void> => {
    const { nodeErrors } = await client.submit(graph, promptId, clientId, hooks.signal);
    if (nodeErrors[outputNode]) throw new TesseraError("E_ENGINE_TEMPLATE", `${name} refused the output node ${outputNode}.`);
  };

  try {
    return await new Promise<PromptResult>((resolve, reject) => {
      let settled = false;
      let started = false;
      let queueNoticed = false;
      // a running prompt that says nothing for stallSeconds is stuck: stop it there and say so (waiting in the
      // queue behind others does not count)
      let lastWord = Date.now();
      const stallMs = client.engine.stallSeconds * 1000;
      const watchdog = setInterval(() => {
        if (!started || settled || Date.now() - lastWord < stallMs) return;
        const stalled = new TesseraError("E_ENGINE_FAILED", `${name}: no progress from the server for ${client.engine.stallSeconds} s; the job was stopped there.`, {
          hint: "The server may be stuck (see its console), or the job needs longer: raise stallSeconds for this engine in engines.json.",
        });
        const stop = (): void => finish(stalled);
        client.cancel(promptId).then(stop, stop);
      }, Math.min(5000, stallMs / 4));
      watchdog.unref();
      const finish = (result: PromptResult | Error): void => {
        // after a cancel only the cancel ends the job (the server's "interrupted" may arrive first)
        if (settled || (hooks.signal.aborted && !(result instanceof TesseraError && result.code === "E_CANCELLED"))) return;
        settled = true;
        clearInterval(watchdog);
        hooks.signal.removeEventListener("abort", onAbort);
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      const fromHistory = async (): Promise<boolean> => {
        const entry = await client.history(promptId, hooks.signal);
        if (!entry) return false;
        const failure = failureOf(entry, name);
        if (failure) finish(failure);
        else finish({ promptId, files: outputFiles(entry, outputNode) });
        return true;
      };

      const onText = (text: string): void => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          return;
        }
        const parsed = WsMessageSchema.safeParse(json);
        if (!parsed.success) return; // other message types (progress_state, crystools...) are not ours to read
        const message = parsed.data;
        if ("prompt_id" in message.data && message.data.prompt_id !== undefined && message.data.prompt_id !== promptId) return;
        if (message.type !== "status") lastWord = Date.now();
        switch (message.type) {
          case "status": {
            // a shared GPU box: say once that the job waits behind others (pending + running, ours included)
            const remaining = message.data.status?.exec_info.queue_remaining ?? 0;
            if (!started && !queueNoticed && remaining > 1) {
              queueNoticed = true;
              hooks.onNotice(`${name} is busy: the job waits behind ${remaining - 1} other job${remaining > 2 ? "s" : ""} in its queue.`);
            }
            break;
          }
          case "execution_start":
            started = true;
            lastWord = Date.now();
            break;
          case "executing":
            if (message.data.node === null) {
              if (message.data.prompt_id === promptId) fromHistory().catch((e: unknown) => finish(e as Error));
            } else hooks.onNode(nodeClass(message.data.node));
            break;
          case "progress":
            hooks.onStep(message.data.value, message.data.max);
            break;
          case "execution_error":
            finish(executionError(name, message.data));
            break;
          case "execution_interrupted":
            if (!hooks.signal.aborted) finish(new TesseraError("E_ENGINE_FAILED", `${name}: the job was interrupted on the server.`, { hint: "Someone stopped it in ComfyUI; generate again." }));
            break;
          default:
            break;
        }
      };

      const attach = (socket: WebSocket): void => {
        socket.on("message", (data: WebSocket.RawData, binary: boolean) => {
          const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
          if (!binary) return onText(bytes.toString("utf8"));
          lastWord = Date.now();
          const preview = parseBinaryFrame(bytes);
          if (preview && (preview.promptId === undefined || preview.promptId === promptId)) hooks.onPreview(preview);
        });
        socket.on("error", () => undefined);
        // a connection that died without a close (a sleeping laptop, a dropped VPN) is found by its missing pong
        let alive = true;
        socket.on("pong", () => (alive = true));
        const heartbeat = setInterval(() => {
          if (!alive) return socket.terminate();
          alive = false;
          socket.ping();
        }, PING_EVERY_MS);
        heartbeat.unref();
        socket.once("close", () => {
          clearInterval(heartbeat);
          if (!settled) void reconnect();
        });
      };

      const reconnect = async (): Promise<void> => {
        const deadline = Date.now() + RECONNECT_WINDOW_MS;
        let wait = 250;
        for (;;) {
          if (settled) return;
          try {
            ws = await openSocket(client, clientId);
            if (settled) return void ws.close();
            attach(ws);
            break;
          } catch (error) {
            if (Date.now() > deadline) {
              return finish(new TesseraError("E_ENGINE_UNREACHABLE", `${name}: the connection to ${client.origin} was lost during the job and did not come back (${(error as Error).message}).`));
            }
            await new Promise((r) => setTimeout(r, wait));
            wait = Math.min(2000, wait * 2);
          }
        }
        // events sent while we were away are lost: the history and the queue say where the prompt is
        try {
          if (await fromHistory()) return;
          const state = await client.queueState(promptId, hooks.signal);
          if (state !== "absent") return;
          // the server forgot the prompt (a restart): nothing was published, so submitting again is safe, once
          if (resubmitted) throw new TesseraError("E_ENGINE_FAILED", `${name} lost the job twice (did the server restart?).`);
          resubmitted = true;
          hooks.onNotice(`${name} restarted during the job; it was submitted again.`);
          promptId = randomUUID();
          await submit();
        } catch (error) {
          finish(error as Error);
        }
      };

      const onAbort = (): void => {
        // the server is told to drop or interrupt it (each request bounded to 2 s) before the job ends: a process
        // that exits right after a cancel must not leave the prompt running on someone's GPU
        const cancelled = (): void => finish(new TesseraError("E_CANCELLED"));
        client.cancel(promptId).then(cancelled, cancelled);
      };
      if (hooks.signal.aborted) return onAbort();
      hooks.signal.addEventListener("abort", onAbort, { once: true });
      // listening before submitting: the first events can arrive before the reply to POST /prompt
      attach(ws);
      submit().catch((error: unknown) => finish(error as Error));
    });
  } finally {
    // settled by now, so its close handler only stops the heartbeat
    ws.close();
  }
}
