/** Test support: a helper in a temp data dir (fake or real generator) and a WebSocket client that records. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import WebSocket from "ws";
import { parseHelperMessage } from "../../shared/parse.js";
import type { ClientMessageInput, HelperMessage, GenerationRequestInput } from "../../shared/protocol.js";
import { createHelper, type Helper, type HelperOptions } from "../../helper-service/server/helper.js";
import { createLogger, silentLogger } from "../../helper-service/server/log.js";

export const FAKE_GENERATOR = resolve(__dirname, "../jobs/fixtures/fake-generator.ts");

export function tempDir(prefix = "tessera-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A helper on a free port with the fake generator; `fileLog` keeps the real log file (DATA_DIR/logs). */
export async function startFakeHelper(options: Partial<HelperOptions> & { fileLog?: boolean } = {}): Promise<Helper> {
  const { fileLog, ...rest } = options;
  const dataDir = options.dataDir ?? tempDir();
  const helper = await createHelper({
    dataDir,
    port: 0,
    generatorModule: FAKE_GENERATOR,
    log: fileLog ? createLogger(dataDir, { stderr: false }) : silentLogger(),
    ...rest,
  });
  await helper.ready;
  return helper;
}

export async function stopHelper(helper: Helper, removeDir = true): Promise<void> {
  await helper.close();
  if (removeDir) rmSync(helper.dataDir, { recursive: true, force: true });
}

export function baseRequest(overrides: Partial<GenerationRequestInput> = {}): GenerationRequestInput {
  return {
    prompt: "a lighthouse at dusk",
    seed: 7,
    frames: 12,
    fps: { num: 24, den: 1 },
    width: 64,
    height: 32,
    ...overrides,
  };
}

export class TestClient {
  readonly messages: HelperMessage[] = [];
  readonly binary: Buffer[] = [];
  closed: { code: number; reason: string } | undefined;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data, isBinary) => {
      if (isBinary) this.binary.push(data as Buffer);
      else {
        const parsed = parseHelperMessage(data.toString());
        if (!parsed.ok) throw new Error(`helper sent an invalid message: ${parsed.error.message}`);
        this.messages.push(parsed.message);
      }
      this.wake();
    });
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on("error", () => this.wake());
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  static async connect(port: number, options: WebSocket.ClientOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, options);
    const client = new TestClient(ws);
    await new Promise<void>((res, rej) => {
      ws.once("open", () => res());
      ws.once("error", rej);
      ws.once("unexpected-response", (_req, resp) => rej(new Error(`HTTP ${resp.statusCode}`)));
    });
    return client;
  }

  static async authed(helper: Helper): Promise<TestClient> {
    const client = await TestClient.connect(helper.port);
    client.send({ type: "hello", protocol: 1, token: helper.token, client: { name: "test", version: "1" } });
    await client.waitFor((m) => m.type === "welcome");
    return client;
  }

  send(message: ClientMessageInput | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Resolves with the first recorded message (from `from` on) matching, or rejects after `timeoutMs`. */
  async waitFor<T extends HelperMessage>(
    predicate: (m: HelperMessage) => boolean,
    timeoutMs = 15_000,
    from = 0,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(from).find(predicate);
      if (found) return found as T;
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(this.messages.slice(-5))}`);
      await new Promise<void>((res) => {
        const timer = setTimeout(res, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          res();
        });
      });
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error("socket did not close");
      await new Promise<void>((res) => {
        const timer = setTimeout(res, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          res();
        });
      });
    }
    return this.closed;
  }

  jobEvents(jobId: string): HelperMessage[] {
    return this.messages.filter((m) => "jobId" in m && m.jobId === jobId);
  }

  close(): void {
    this.ws.close();
  }
}

/** Waits until `check` holds (the server side of a close lands a moment after the client's). */
export async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
