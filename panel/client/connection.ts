/**
 * The panel's WebSocket client. It finds the helper on the loopback ports, pairs when it has no token, says hello
 * with the stored token, reconnects with backoff when the helper goes away, matches replies to requests by
 * `requestId`, and turns every frame into a typed event (job events, previews, notices). Works on UXP's global
 * WebSocket, the browser's, and `ws` in tests: it only needs the `SocketLike` surface.
 */
import { describeIssues, parseHelperMessage } from "../../shared/parse.js";
import { decodePreview, type PreviewHeader } from "../../shared/preview-header.js";
import {
  ClientMessageSchema,
  PROTOCOL_VERSION,
  type ClientMessageInput,
  type GenerationRequestInput,
  type HelperMessage,
  type HelperMessageOf,
  type HistoryItem,
  type ModelInfo,
} from "../../shared/protocol.js";
import { Backoff, type BackoffOptions } from "./backoff.js";
import type { ConnectionState, Welcome } from "./connection-state.js";
import { Emitter } from "./emitter.js";
import { HelperError } from "./errors.js";
import { newId } from "./ids.js";
import { candidatePorts, helperUrl, HELPER_HOST, HELPER_PORTS } from "./ports.js";
import { Replies } from "./replies.js";
import { OPEN, openSocket, type SocketFactory, type SocketLike } from "./socket.js";
import type { TokenStore } from "./token-store.js";

export type { SocketFactory, SocketLike } from "./socket.js";

export type JobEvent = HelperMessageOf<
  "job.accepted" | "job.queued" | "job.started" | "job.progress" | "job.done" | "job.failed" | "job.cancelled"
>;
export interface Preview {
  header: PreviewHeader;
  image: Uint8Array;
}

export interface ConnectionEvents {
  state: (state: ConnectionState) => void;
  welcome: (welcome: Welcome) => void;
  job: (event: JobEvent) => void;
  preview: (preview: Preview) => void;
  notice: (notice: HelperMessageOf<"notice">) => void;
  /** An error reply that answers no request. */
  error: (error: HelperMessageOf<"error">) => void;
}

export interface ConnectionOptions {
  createSocket: SocketFactory;
  tokens: TokenStore;
  ports?: readonly number[];
  /** Tried first: the harness's port, or the one set in Settings. */
  preferredPort?: number | null;
  host?: string;
  client?: { name: string; version: string };
  openTimeoutMs?: number;
  replyTimeoutMs?: number;
  requestTimeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
}

const isArrayBuffer = (v: unknown): v is ArrayBuffer => Object.prototype.toString.call(v) === "[object ArrayBuffer]";

export class HelperConnection {
  readonly events = new Emitter<ConnectionEvents>();
  private state: ConnectionState = { kind: "idle" };
  private socket: SocketLike | null = null;
  private port: number | null = null;
  private stopped = true;
  private generation = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly replies = new Replies();
  private readonly backoff: Backoff;
  private readonly options: Required<Omit<ConnectionOptions, "preferredPort" | "backoff" | "client">> &
    Pick<ConnectionOptions, "preferredPort" | "client">;

  constructor(options: ConnectionOptions) {
    this.options = {
      ports: HELPER_PORTS,
      host: HELPER_HOST,
      openTimeoutMs: 1500,
      replyTimeoutMs: 4000,
      requestTimeoutMs: 15000,
      ...options,
    };
    this.backoff = new Backoff(options.backoff);
  }

  getState(): ConnectionState {
    return this.state;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect("hello");
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    this.clearRetry();
    this.dropSocket(new Error("The panel closed the connection."));
    this.setState({ kind: "idle" });
  }

  /** Try again now instead of waiting for the backoff (the "Retry" button). */
  retryNow(): void {
    this.stopped = false;
    this.backoff.reset();
    this.dropSocket(new Error("Reconnecting."));
    void this.connect("hello");
  }

  /** Use this port first from now on (Settings), and reconnect. */
  setPreferredPort(port: number | null): void {
    this.options.preferredPort = port;
    this.port = null;
    if (!this.stopped) this.retryNow();
  }

  // -- finding the helper and saying hello -------------------------------------------------------------------

  private async connect(mode: "hello" | "pair"): Promise<boolean> {
    this.clearRetry();
    const generation = ++this.generation;
    this.dropSocket(new Error("Reconnecting."));
    if (mode === "hello") this.setState({ kind: "searching" });
    const ports = candidatePorts(this.port ?? this.options.preferredPort, this.options.ports);
    for (const port of ports) {
      const socket = await this.open(port).catch(() => null);
      if (this.stopped || generation !== this.generation) {
        socket?.close();
        return false;
      }
      if (!socket) continue;
      this.adopt(socket, port, generation);
      if (mode === "hello") await this.authenticate(port);
      return true;
    }
    const retryInMs = this.backoff.next();
    this.setState({ kind: "unreachable", ports, retryInMs });
    this.scheduleRetry(retryInMs);
    return false;
  }

  private open(port: number): Promise<SocketLike> {
    return openSocket(this.options.createSocket, helperUrl(port, this.options.host), this.options.openTimeoutMs);
  }

  private adopt(socket: SocketLike, port: number, generation: number): void {
    this.socket = socket;
    this.port = port;
    socket.onmessage = (event) => {
      if (generation === this.generation) this.receive(event.data);
    };
    socket.onerror = () => undefined; // a close event always follows
    socket.onclose = () => {
      if (generation === this.generation) this.lost();
    };
  }

  private async authenticate(port: number): Promise<void> {
    const token = await this.options.tokens.get();
    if (!token) {
      this.setState({ kind: "needs-pairing", port, cause: "no-token" });
      return;
    }
    await this.hello(port, token);
  }

  private async hello(port: number, token: string): Promise<void> {
    this.setState({ kind: "connecting", port });
    const waiting = this.waitFor((m) => m.type === "welcome" || (m.type === "error" && !m.requestId));
    this.send({ type: "hello", protocol: PROTOCOL_VERSION, token, ...(this.options.client ? { client: this.options.client } : {}) });
    let reply: HelperMessage;
    try {
      reply = await waiting;
    } catch {
      if (this.state.kind === "connecting") this.lost();
      return;
    }
    if (reply.type === "welcome") {
      this.backoff.reset();
      this.setState({ kind: "connected", port, welcome: reply });
      this.events.emit("welcome", reply);
    } else if (reply.type === "error") {
      if (reply.code === "E_PROTOCOL_VERSION") {
        this.setState({ kind: "version-mismatch", port, helperProtocol: reply.helper?.protocol ?? null, helperVersion: reply.helper?.version ?? null });
      } else if (reply.code === "E_UNAUTHORIZED" || reply.code === "E_NOT_AUTHENTICATED") {
        this.setState({ kind: "needs-pairing", port, cause: "token-refused" });
      } else {
        this.setState({ kind: "failed", port, message: reply.message, hint: reply.hint });
      }
    }
  }

  // -- pairing -------------------------------------------------------------------------------------------------

  /** Asks the helper to show a fresh 6-digit code in its terminal. */
  async requestPairingCode(): Promise<void> {
    if (!this.isOpen() && !(await this.connect("pair"))) return;
    this.send({ type: "pair.request" });
    this.setState({ kind: "pairing", port: this.port ?? 0, error: null });
  }

  async submitPairingCode(code: string): Promise<void> {
    const digits = code.replace(/\s+/g, "");
    const port = this.port ?? 0;
    if (!/^\d{6}$/.test(digits)) {
      this.setState({ kind: "pairing", port, error: "Type the 6 digits the helper shows." });
      return;
    }
    if (!this.isOpen() && !(await this.connect("pair"))) return;
    const waiting = this.waitFor((m) => m.type === "paired" || (m.type === "error" && !m.requestId));
    this.send({ type: "pair", code: digits });
    let reply: HelperMessage;
    try {
      reply = await waiting;
    } catch {
      this.setState({ kind: "pairing", port, error: "The helper did not answer; check that it is still running." });
      return;
    }
    if (reply.type === "paired") {
      await this.options.tokens.set(reply.token);
      await this.hello(this.port ?? port, reply.token);
    } else if (reply.type === "error") {
      this.setState({ kind: "pairing", port, error: `${reply.message} ${reply.hint}` });
    }
  }

  /** Drops the stored token; the next connection pairs again. */
  async forgetPairing(): Promise<void> {
    await this.options.tokens.clear();
    this.retryNow();
  }

  // -- requests --------------------------------------------------------------------------------------------------

  generate(clientJobId: string, request: GenerationRequestInput): Promise<HelperMessageOf<"job.accepted">> {
    return this.request({ type: "generate", clientJobId, request }, "job.accepted");
  }

  cancel(jobId: string): Promise<HelperMessageOf<"job.cancelled">> {
    return this.request({ type: "cancel", jobId }, "job.cancelled");
  }

  async queryHistory(query: { text?: string; projectId?: string; limit?: number }): Promise<HistoryItem[]> {
    const reply = await this.request({ type: "history.query", limit: 50, ...query }, "history.result");
    return reply.items;
  }

  async listModels(): Promise<ModelInfo[]> {
    return (await this.request({ type: "models.list" }, "models.result")).models;
  }

  systemInfo(): Promise<HelperMessageOf<"system.result">> {
    return this.request({ type: "system.get" }, "system.result");
  }

  private request<T extends HelperMessage["type"]>(
    message: DistributiveOmit<Extract<ClientMessageInput, { requestId: string }>, "requestId">,
    expect: T,
  ): Promise<HelperMessageOf<T>> {
    if (this.state.kind !== "connected" || !this.isOpen()) {
      return Promise.reject(HelperError.of("E_HELPER_UNREACHABLE"));
    }
    const requestId = newId();
    const reply = this.replies.request(
      requestId,
      (m) => m.type === expect || m.type === "error",
      this.options.requestTimeoutMs,
      () => HelperError.of("E_TIMEOUT", "The helper did not answer the request."),
    );
    try {
      this.send({ ...message, requestId } as ClientMessageInput);
    } catch (error) {
      this.replies.cancelRequest(requestId);
      return Promise.reject(error as Error);
    }
    return reply.then((m) => {
      if (m.type === "error") throw new HelperError(m.code, m.message, m.hint);
      return m as HelperMessageOf<T>;
    });
  }

  private send(message: ClientMessageInput): void {
    const checked = ClientMessageSchema.safeParse(message);
    if (!checked.success) throw HelperError.of("E_BAD_REQUEST", describeIssues(checked.error));
    if (!this.socket || !this.isOpen()) throw HelperError.of("E_HELPER_UNREACHABLE");
    this.socket.send(JSON.stringify(checked.data));
  }

  private waitFor(accept: (m: HelperMessage) => boolean): Promise<HelperMessage> {
    return this.replies.step(accept, this.options.replyTimeoutMs);
  }

  // -- incoming ----------------------------------------------------------------------------------------------------

  private receive(data: unknown): void {
    if (typeof data === "string") {
      const parsed = parseHelperMessage(data);
      if (parsed.ok) this.dispatch(parsed.message);
      else this.unreadable(data);
      return;
    }
    const bytes = isArrayBuffer(data)
      ? new Uint8Array(data)
      : ArrayBuffer.isView(data)
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : null;
    if (!bytes) return;
    const preview = decodePreview(bytes);
    if (preview.ok) this.events.emit("preview", { header: preview.header, image: preview.image });
  }

  /** A welcome we cannot read is almost always another protocol version: say so instead of "bad message". */
  private unreadable(text: string): void {
    type Raw = { type?: unknown; protocol?: unknown; version?: unknown } | null;
    let raw: Raw;
    try {
      raw = JSON.parse(text) as Raw;
    } catch {
      return;
    }
    if (raw?.type === "welcome" && raw.protocol !== PROTOCOL_VERSION && this.port !== null) {
      this.setState({
        kind: "version-mismatch",
        port: this.port,
        helperProtocol: typeof raw.protocol === "number" ? raw.protocol : null,
        helperVersion: typeof raw.version === "string" ? raw.version : null,
      });
      this.replies.failSteps(new Error("protocol mismatch"));
    }
  }

  private dispatch(message: HelperMessage): void {
    const settled = this.replies.settle(message);
    if (settled.step) return;
    switch (message.type) {
      case "job.accepted":
      case "job.queued":
      case "job.started":
      case "job.progress":
      case "job.done":
      case "job.failed":
      case "job.cancelled":
        this.events.emit("job", message);
        break;
      case "notice":
        this.events.emit("notice", message);
        break;
      case "error":
        if (!settled.request) this.events.emit("error", message);
        break;
      default:
        break;
    }
  }

  // -- losing the connection -----------------------------------------------------------------------------------------

  private lost(): void {
    this.dropSocket(HelperError.of("E_HELPER_UNREACHABLE", "The connection to the helper closed."));
    if (this.stopped) return;
    const kind = this.state.kind;
    // pairing waits for the user; a version mismatch needs an update, not a retry loop
    if (kind === "needs-pairing" || kind === "pairing" || kind === "version-mismatch") return;
    const retryInMs = this.backoff.next();
    if (kind === "failed") {
      // keep the helper's reason on screen (e.g. too many sessions) and try again quietly
      this.scheduleRetry(retryInMs);
      return;
    }
    this.setState({ kind: "reconnecting", port: this.port ?? 0, retryInMs });
    this.scheduleRetry(retryInMs);
  }

  private dropSocket(reason: Error): void {
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onmessage = socket.onclose = socket.onerror = socket.onopen = null;
      if (socket.readyState <= OPEN) socket.close();
    }
    this.replies.failAll(reason);
  }

  private isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === OPEN;
  }

  private scheduleRetry(ms: number): void {
    this.clearRetry();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) void this.connect("hello");
    }, ms);
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.events.emit("state", state);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
