/**
 * A scriptable helper on a real loopback WebSocket (ws), speaking the protocol from shared/protocol.ts: pairing,
 * hello with a token, generate (idempotent by clientJobId), cancel, history, models. Every message it sends is
 * validated by the same zod schemas the real helper uses, so the panel is tested against valid traffic only.
 * Tests drive job events by hand (`progress`, `done`, ...).
 */
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { parseClientMessage } from "../../../shared/parse.js";
import { encodePreview } from "../../../shared/preview-header.js";
import {
  HelperMessageSchema,
  type ClientMessage,
  type HelperMessage,
  type HistoryItem,
  type JobOutput,
  type ModelInfo,
  type QueueEntry,
} from "../../../shared/protocol.js";
import { model } from "../support.js";

export interface FakeJob {
  jobId: string;
  clientJobId: string;
  message: Extract<ClientMessage, { type: "generate" }>;
}

export class FakeHelper {
  readonly received: ClientMessage[] = [];
  readonly jobs: FakeJob[] = [];
  token = "tok_0123456789abcdefghijklmnopqrstuvwxyzABCD";
  pairingCode = "482913";
  models: ModelInfo[] = [model()];
  queue: QueueEntry[] = [];
  history: HistoryItem[] = [];
  welcomeProtocol = 1;
  /** When set, hello is refused the way a helper of another protocol refuses it (with its own version). */
  refuseHelloAs: { version: string; protocol: number } | null = null;
  device = "cpu";
  version = "0.1.0";
  /** When set, generate is answered by this instead of job.accepted. */
  refuseGenerate: { code: "E_QUEUE_FULL" | "E_POLICY"; message: string; hint: string } | null = null;
  /** Delay answers to history.query by this many ms, per request in order (to test correlation). */
  historyDelays: number[] = [];
  private readonly sockets = new Set<WebSocket>();
  private readonly authed = new WeakSet<WebSocket>();

  private constructor(
    private readonly server: WebSocketServer,
    readonly port: number,
  ) {
    server.on("connection", (socket) => this.accept(socket));
  }

  static async start(port = 0): Promise<FakeHelper> {
    const server = new WebSocketServer({ host: "127.0.0.1", port, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      server.once("listening", resolve);
      server.once("error", reject);
    });
    return new FakeHelper(server, (server.address() as AddressInfo).port);
  }

  /** Stops listening and drops every connection (a crash, as the panel sees it). */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  connections(): number {
    return [...this.sockets].filter((s) => this.authed.has(s)).length;
  }

  sent(type: ClientMessage["type"]): ClientMessage[] {
    return this.received.filter((m) => m.type === type);
  }

  private accept(socket: WebSocket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => undefined);
    socket.on("message", (data, isBinary) => {
      if (isBinary) return;
      const parsed = parseClientMessage(data.toString());
      if (!parsed.ok) return this.send(socket, parsed.error);
      this.received.push(parsed.message);
      this.handle(socket, parsed.message);
    });
  }

  private handle(socket: WebSocket, m: ClientMessage): void {
    if (!this.authed.has(socket)) {
      if (m.type === "pair.request") return;
      if (m.type === "pair") {
        if (m.code === this.pairingCode) return this.send(socket, { type: "paired", token: this.token });
        return this.send(socket, { type: "error", code: "E_PAIRING_CODE", message: "That pairing code is wrong or has expired.", hint: "Ask for a new code." });
      }
      if (m.type === "hello") {
        if (this.refuseHelloAs) {
          const helper = this.refuseHelloAs;
          this.send(socket, { type: "error", code: "E_PROTOCOL_VERSION", message: "The panel and the helper speak different protocol versions.", hint: "Update.", helper });
          return void socket.close(1008);
        }
        if (m.token !== this.token) {
          return this.send(socket, { type: "error", code: "E_UNAUTHORIZED", message: "The helper refused the access token.", hint: "Pair again." });
        }
        this.authed.add(socket);
        const welcome = { type: "welcome", version: this.version, protocol: this.welcomeProtocol, device: this.device, models: this.models, queue: this.queue };
        if (this.welcomeProtocol !== 1) return void socket.send(JSON.stringify(welcome));
        return this.send(socket, welcome as HelperMessage);
      }
      this.send(socket, { type: "error", code: "E_NOT_AUTHENTICATED", message: "Say hello first.", hint: "Pair." });
      return void socket.close();
    }
    switch (m.type) {
      case "generate": {
        if (this.refuseGenerate) return this.send(socket, { type: "error", requestId: m.requestId, ...this.refuseGenerate });
        let job = this.jobs.find((j) => j.clientJobId === m.clientJobId);
        if (!job) {
          job = { jobId: randomUUID(), clientJobId: m.clientJobId, message: m };
          this.jobs.push(job);
        }
        return this.send(socket, { type: "job.accepted", requestId: m.requestId, jobId: job.jobId, clientJobId: m.clientJobId });
      }
      case "cancel":
        return this.broadcast({ type: "job.cancelled", jobId: m.jobId, requestId: m.requestId });
      case "history.query": {
        const delay = this.historyDelays.shift() ?? 0;
        const items = m.text ? this.history.filter((h) => h.request.prompt.includes(m.text ?? "")) : this.history;
        setTimeout(() => this.send(socket, { type: "history.result", requestId: m.requestId, items }), delay);
        return;
      }
      case "models.list":
        return this.send(socket, { type: "models.result", requestId: m.requestId, models: this.models });
      case "system.get":
        return this.send(socket, { type: "system.result", requestId: m.requestId, version: this.version, device: this.device, threads: 2, platform: "linux", queueLength: 0 });
      default:
        return;
    }
  }

  send(socket: WebSocket, message: HelperMessage): void {
    const checked = HelperMessageSchema.parse(message); // the fake only ever sends valid messages
    socket.send(JSON.stringify(checked));
  }

  broadcast(message: HelperMessage): void {
    for (const socket of this.sockets) if (this.authed.has(socket)) this.send(socket, message);
  }

  lastJob(): FakeJob {
    const job = this.jobs.at(-1);
    if (!job) throw new Error("no job yet");
    return job;
  }

  progress(jobId: string, fraction: number, phase: "denoise" | "encode-video" = "denoise"): void {
    this.broadcast({ type: "job.started", jobId });
    this.broadcast({ type: "job.progress", jobId, phase, window: { index: 0, count: 2 }, step: 3, steps: 20, fraction, etaSeconds: 12 });
  }

  preview(jobId: string, image = new Uint8Array([0xff, 0xd8, 0xff, 0xd9])): void {
    const frame = encodePreview({ jobId, frameIndex: 0, width: 64, height: 32, format: "jpeg" }, image);
    for (const socket of this.sockets) if (this.authed.has(socket)) socket.send(frame);
  }

  done(jobId: string, output: JobOutput): void {
    this.broadcast({ type: "job.done", jobId, output });
  }

  /** A job as the queue snapshot lists it after a restart. */
  entry(job: FakeJob, state: QueueEntry["state"], output?: JobOutput): QueueEntry {
    return {
      jobId: job.jobId,
      clientJobId: job.clientJobId,
      state,
      fraction: state === "done" ? 1 : 0.3,
      prompt: job.message.request.prompt,
      workflow: job.message.request.workflow,
      ...(output ? { output } : {}),
    };
  }
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const helper = await FakeHelper.start();
  const port = helper.port;
  await helper.stop();
  return port;
}
