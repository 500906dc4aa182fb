/**
 * One WebSocket connection. Before `hello` it may only pair (pair.request, pair) or say hello; anything else,
 * and a wrong token, is answered with an `error` and the socket is closed. Outbound bytes are capped: previews
 * are dropped first when the client falls behind, and a client that cannot keep up even with job events is
 * disconnected (it reconnects and re-reads the queue from `welcome`).
 */
import type { WebSocket } from "ws";
import { updateAdvice } from "../../shared/compat.js";
import { ERRORS, TesseraError, toErrorBody, type ErrorCode } from "../../shared/errors.js";
import { parseClientMessage } from "../../shared/parse.js";
import { PROTOCOL_VERSION, type ClientMessage, type HelperMessage } from "../../shared/protocol.js";
import { tokensMatch } from "./token.js";
import type { HelperContext } from "./context.js";
import { handleRequest } from "./handlers.js";

/** Previews stop being sent while more than this is waiting in the socket. */
export const PREVIEW_BUFFER_LIMIT = 256 * 1024;
/** A client this far behind is disconnected. */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Time a connection may take to say hello (pairing included: the code lives two minutes). */
export const HELLO_TIMEOUT_MS = 150_000;

let nextId = 1;

export class Session {
  readonly id = nextId++;
  authenticated = false;
  client = "unknown";
  private helloTimer: NodeJS.Timeout | undefined;
  private inbox: Promise<void> = Promise.resolve();
  droppedPreviews = 0;

  constructor(
    readonly ws: WebSocket,
    private readonly ctx: HelperContext,
    readonly origin: string | undefined,
  ) {
    this.helloTimer = setTimeout(() => this.refuse("E_NOT_AUTHENTICATED", "no hello in time"), HELLO_TIMEOUT_MS);
    this.helloTimer.unref();
    ws.on("message", (data, isBinary) => {
      // One message at a time, in order: a reply never overtakes the reply to an earlier message.
      this.inbox = this.inbox.then(() =>
        isBinary
          ? this.reject(undefined, "Binary frames are only sent by the helper.")
          : this.onText(Array.isArray(data) ? Buffer.concat(data).toString("utf8") : data.toString("utf8")),
      ).catch((error: unknown) => this.ctx.log.error({ session: this.id, err: String(error) }, "message handling failed"));
    });
    ws.on("close", () => clearTimeout(this.helloTimer));
  }

  send(message: HelperMessage): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.ctx.log.warn({ session: this.id, buffered: this.ws.bufferedAmount }, "refused: client too slow, disconnecting");
      this.ws.close(1013, "too far behind; reconnect");
      return;
    }
    this.ws.send(JSON.stringify(message));
  }

  /** Sends a preview frame unless the client is behind (previews are the first thing to drop). */
  sendPreview(frame: Uint8Array): void {
    if (!this.authenticated || this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > PREVIEW_BUFFER_LIMIT) {
      this.droppedPreviews++;
      return;
    }
    this.ws.send(frame, { binary: true });
  }

  sendError(code: ErrorCode, detail?: string, requestId?: string): void {
    const error = new TesseraError(code, detail);
    this.send({ type: "error", ...(requestId ? { requestId } : {}), code, message: error.message, hint: error.hint });
  }

  /** Logs the refusal, answers with the error and closes the socket. */
  refuse(code: ErrorCode, reason: string, requestId?: string): void {
    this.ctx.log.warn({ session: this.id, code, reason, origin: this.origin }, `refused: ${reason}`);
    this.sendError(code, undefined, requestId);
    this.ws.close(1008, ERRORS[code].message.slice(0, 120));
  }

  /** A malformed message: an error reply; before hello the socket is also closed. */
  private reject(requestId: string | undefined, detail: string, body?: HelperMessage): void {
    if (body) this.send(body);
    else this.send({ type: "error", ...(requestId ? { requestId } : {}), code: "E_BAD_MESSAGE", message: `${ERRORS.E_BAD_MESSAGE.message} ${detail}`, hint: ERRORS.E_BAD_MESSAGE.hint });
    if (!this.authenticated) {
      this.ctx.log.warn({ session: this.id, reason: detail.slice(0, 200) }, "refused: malformed message before hello");
      this.ws.close(1008, "malformed message");
    }
  }

  private async onText(text: string): Promise<void> {
    const clientProtocol = protocolMismatch(text);
    if (clientProtocol !== undefined) return this.versionMismatch(clientProtocol);
    const parsed = parseClientMessage(text);
    if (!parsed.ok) return this.reject(parsed.error.requestId, "", parsed.error);
    const message = parsed.message;
    try {
      if (message.type === "hello") return await this.hello(message);
      if (message.type === "pair.request") return this.pairRequest();
      if (message.type === "pair") return this.pair(message.code);
      if (!this.authenticated) return this.refuse("E_NOT_AUTHENTICATED", `"${message.type}" before hello`);
      await handleRequest(this.ctx, this, message);
    } catch (error) {
      const body = toErrorBody(error);
      if (body.code === "E_INTERNAL") this.ctx.log.error({ session: this.id, err: (error as Error).stack }, "request failed");
      this.send({ type: "error", ...("requestId" in message ? { requestId: message.requestId } : {}), ...body });
    }
  }

  /** Says which side is older, with this helper's version; before hello the socket is also closed. */
  private versionMismatch(clientProtocol: number): void {
    const helper = { version: this.ctx.version, protocol: PROTOCOL_VERSION };
    const reason = `client speaks protocol ${clientProtocol}, helper (Tessera ${helper.version}) speaks ${PROTOCOL_VERSION}`;
    const hint = updateAdvice({ panel: { protocol: clientProtocol }, helper });
    this.send({ type: "error", code: "E_PROTOCOL_VERSION", message: `${ERRORS.E_PROTOCOL_VERSION.message} The ${reason}.`, hint, helper });
    if (this.authenticated) return;
    this.ctx.log.warn({ session: this.id, code: "E_PROTOCOL_VERSION", reason, origin: this.origin }, `refused: ${reason}`);
    this.ws.close(1008, ERRORS.E_PROTOCOL_VERSION.message.slice(0, 120));
  }

  private async hello(message: Extract<ClientMessage, { type: "hello" }>): Promise<void> {
    if (!tokensMatch(this.ctx.token, message.token)) {
      this.ctx.audit.write({ event: "auth-refused", client: message.client?.name, reason: "wrong token" });
      return this.refuse("E_UNAUTHORIZED", "wrong token in hello");
    }
    this.client = message.client ? `${message.client.name}/${message.client.version}` : "unknown";
    clearTimeout(this.helloTimer);
    this.ctx.log.info({ session: this.id, client: this.client }, "client said hello");
    // A helper that has just started is still loading the generator: wait a little for its device and models,
    // but answer within a second whatever happens.
    await this.ctx.whenReady(700);
    const { device, models } = this.ctx.system();
    // Job events start flowing only now, so `welcome` (with its queue snapshot) is the first thing this client hears.
    this.authenticated = true;
    this.send({ type: "welcome", version: this.ctx.version, protocol: PROTOCOL_VERSION, device, models, queue: this.ctx.queue.snapshot() });
  }

  private pairRequest(): void {
    try {
      this.ctx.pairing.request();
    } catch (error) {
      return this.sendPairingError(error);
    }
  }

  private pair(code: string): void {
    try {
      this.ctx.pairing.redeem(code);
    } catch (error) {
      return this.sendPairingError(error);
    }
    this.ctx.log.info({ session: this.id }, "paired a client");
    this.ctx.audit.write({ event: "paired" });
    this.send({ type: "paired", token: this.ctx.token });
  }

  private sendPairingError(error: unknown): void {
    const body = toErrorBody(error);
    this.ctx.log.warn({ session: this.id, code: body.code }, `refused: ${body.message}`);
    this.send({ type: "error", ...body });
  }
}

/** A hello with another protocol number deserves "update the panel" or "update the helper", not "malformed". */
function protocolMismatch(text: string): number | undefined {
  if (!text.includes('"hello"')) return undefined;
  try {
    const value = JSON.parse(text) as { type?: unknown; protocol?: unknown };
    if (value?.type === "hello" && typeof value.protocol === "number" && value.protocol !== PROTOCOL_VERSION) return value.protocol;
  } catch {
    return undefined;
  }
  return undefined;
}
