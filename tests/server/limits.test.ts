/** Limits that keep one client from hurting the helper: payload size, sessions, slow readers, versions. */
import { EventEmitter } from "node:events";
import type { WebSocket } from "ws";
import type { HelperMessageOf } from "../../shared/protocol.js";
import type { Helper } from "../../helper-service/server/helper.js";
import type { HelperContext } from "../../helper-service/server/context.js";
import { MAX_BUFFERED_BYTES, PREVIEW_BUFFER_LIMIT, Session } from "../../helper-service/server/session.js";
import { silentLogger } from "../../helper-service/server/log.js";
import { eventually, startFakeHelper, stopHelper, TestClient } from "./support.js";

let helper: Helper;
beforeAll(async () => {
  helper = await startFakeHelper();
});
afterAll(async () => {
  await stopHelper(helper);
});

test("a message over 1 MiB closes that socket (1009) and nothing else", async () => {
  const big = await TestClient.authed(helper);
  const control = await TestClient.authed(helper);
  big.ws.send("x".repeat(1024 * 1024 + 1));
  expect((await big.waitClosed()).code).toBe(1009);
  control.send({ type: "system.get", requestId: "still-there" });
  await control.waitFor((m) => m.type === "system.result");
  control.close();
});

test("at most 4 sessions; the fifth is told why and closed; a freed slot can be used", async () => {
  const clients = await Promise.all([0, 1, 2, 3].map(() => TestClient.authed(helper)));
  const fifth = await TestClient.connect(helper.port);
  const error = await fifth.waitFor<HelperMessageOf<"error">>((m) => m.type === "error");
  expect(error.code).toBe("E_TOO_MANY_SESSIONS");
  await fifth.waitClosed();
  clients[0]!.close();
  await eventually(() => helper.sessions() === 3);
  const again = await TestClient.authed(helper);
  expect(again.messages[0]!.type).toBe("welcome");
  for (const c of [...clients.slice(1), again]) c.close();
  await eventually(() => helper.sessions() === 0);
});

test("hello is answered with welcome within a second; a wrong token is refused at once", async () => {
  const client = await TestClient.connect(helper.port);
  const started = Date.now();
  client.send({ type: "hello", protocol: 1, token: helper.token });
  const welcome = await client.waitFor<HelperMessageOf<"welcome">>((m) => m.type === "welcome");
  expect(Date.now() - started).toBeLessThan(1000);
  expect(welcome.protocol).toBe(1);
  expect(welcome.device).toBe("fake-cpu");
  expect(welcome.models.map((m) => m.id)).toEqual(["fake-model"]);
  client.close();

  const bad = await TestClient.connect(helper.port);
  bad.send({ type: "hello", protocol: 1, token: "f".repeat(64) });
  const error = await bad.waitFor<HelperMessageOf<"error">>((m) => m.type === "error");
  expect(error.code).toBe("E_UNAUTHORIZED");
  expect((await bad.waitClosed()).code).toBe(1008);
});

test("another protocol version is told to update, not 'malformed'", async () => {
  const client = await TestClient.connect(helper.port);
  client.send({ type: "hello", protocol: 2, token: helper.token });
  const error = await client.waitFor<HelperMessageOf<"error">>((m) => m.type === "error");
  expect(error.code).toBe("E_PROTOCOL_VERSION");
  // a newer panel: the helper is the one to update, and says its own version
  expect(error.helper).toEqual({ version: "0.1.0", protocol: 1 });
  expect(error.message).toContain("client speaks protocol 2, helper (Tessera 0.1.0) speaks 1");
  expect(error.hint).toMatch(/^The helper is older: update it/);
  await client.waitClosed();
});

test("an older panel's hello is told the panel is the one to update", async () => {
  const client = await TestClient.connect(helper.port);
  client.send({ type: "hello", protocol: 0, token: helper.token });
  const error = await client.waitFor<HelperMessageOf<"error">>((m) => m.type === "error");
  expect(error.hint).toBe("The panel is older: update it to Tessera 0.1.0 (install the tessera.ccx that comes with the helper).");
  await client.waitClosed();
});

test("a WebSocket on another path or with a subprotocol is refused", async () => {
  const WebSocketCtor = (await import("ws")).default;
  const other = new WebSocketCtor(`ws://127.0.0.1:${helper.port}/other`);
  const status = await new Promise<number>((res) => other.on("unexpected-response", (_q, r) => res(r.statusCode ?? 0)));
  expect(status).toBe(404);
  const withProtocol = new WebSocketCtor(`ws://127.0.0.1:${helper.port}/`, "tessera.v1");
  const failure = await new Promise<string>((res) => withProtocol.on("error", (e) => res(e.message)));
  expect(failure).toMatch(/subprotocol/i);
});

/** A stand-in socket whose send buffer we control, to see what a slow reader is sent. */
class SlowSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  sent: { data: unknown; binary: boolean }[] = [];
  closedWith: number | undefined;
  send(data: unknown, options?: { binary?: boolean }): void {
    this.sent.push({ data, binary: options?.binary ?? false });
  }
  close(code: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
}

test("a slow reader loses previews first, and is disconnected when far behind", () => {
  const ws = new SlowSocket();
  const ctx = { log: silentLogger() } as unknown as HelperContext;
  const session = new Session(ws as unknown as WebSocket, ctx, undefined);
  session.authenticated = true;
  const preview = new Uint8Array(100);
  session.sendPreview(preview);
  session.send({ type: "job.started", jobId: "0b5d1d7e-6f7b-4a43-9a57-5e0f4c4f6f11" });
  expect(ws.sent.map((s) => s.binary)).toEqual([true, false]);

  ws.bufferedAmount = PREVIEW_BUFFER_LIMIT + 1;
  session.sendPreview(preview);
  session.send({ type: "job.started", jobId: "0b5d1d7e-6f7b-4a43-9a57-5e0f4c4f6f11" });
  expect(ws.sent.map((s) => s.binary)).toEqual([true, false, false]);
  expect(session.droppedPreviews).toBe(1);

  ws.bufferedAmount = MAX_BUFFERED_BYTES + 1;
  session.send({ type: "job.started", jobId: "0b5d1d7e-6f7b-4a43-9a57-5e0f4c4f6f11" });
  expect(ws.sent.length).toBe(3);
  expect(ws.closedWith).toBe(1013);
  ws.emit("close");
});
