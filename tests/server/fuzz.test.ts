/**
 * Malformed and schema-fuzzed messages (fast-check) on one authenticated socket, pipelined: each one is answered
 * with exactly one `error`, the helper does not crash, and both that socket and a control client are still served.
 */
import fc from "fast-check";
import { ClientMessageSchema, type HelperMessageOf } from "../../shared/protocol.js";
import type { Helper } from "../../helper-service/server/helper.js";
import { baseRequest, eventually, startFakeHelper, stopHelper, TestClient } from "./support.js";

const TOTAL = 10_000;
const BATCH = 500;

let helper: Helper;
beforeAll(async () => {
  helper = await startFakeHelper();
});
afterAll(async () => {
  await stopHelper(helper);
});

const validMessages: Record<string, unknown>[] = [
  { type: "generate", requestId: "g", clientJobId: "c", request: baseRequest() },
  { type: "cancel", requestId: "x", jobId: "0b5d1d7e-6f7b-4a43-9a57-5e0f4c4f6f11" },
  { type: "history.query", requestId: "h", text: "car", limit: 10 },
  { type: "models.list", requestId: "m" },
  { type: "system.get", requestId: "s" },
  { type: "pair", code: "123456" },
];

/** A valid message with one field removed, replaced by junk, or nested junk added deep in the request. */
const mutated = fc
  .tuple(fc.constantFrom(...validMessages), fc.jsonValue(), fc.nat(), fc.constantFrom("drop", "replace", "deep"))
  .map(([template, junk, pick, how]) => {
    const message = structuredClone(template) as Record<string, unknown>;
    const keys = Object.keys(message);
    const key = keys[pick % keys.length]!;
    if (how === "drop") delete message[key];
    else if (how === "replace") message[key] = junk;
    else if (typeof message.request === "object" && message.request !== null) {
      const request = message.request as Record<string, unknown>;
      const field = Object.keys(request)[pick % Object.keys(request).length]!;
      request[field] = junk;
    } else message[key] = junk;
    return JSON.stringify(message);
  });

const malformed = fc
  .oneof(
    { arbitrary: fc.string({ maxLength: 200 }), weight: 2 },
    { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? "undefined"), weight: 3 },
    { arbitrary: mutated, weight: 5 },
    { arbitrary: fc.constantFrom("", "{", "[]", "null", "{\"type\":\"generate\"}", "{\"type\":\"__proto__\"}", "{\"__proto__\":{\"type\":\"system.get\"}}"), weight: 1 },
  )
  .filter((text) => {
    try {
      return !ClientMessageSchema.safeParse(JSON.parse(text)).success;
    } catch {
      return true;
    }
  });

test(`${TOTAL} malformed messages each get an error; the helper keeps serving`, async () => {
  const fuzzed = await TestClient.authed(helper);
  const control = await TestClient.authed(helper);
  const messages = fc.sample(malformed, { numRuns: TOTAL, seed: 20261125 });
  expect(messages.length).toBe(TOTAL);
  const before = fuzzed.messages.length;
  for (let start = 0; start < TOTAL; start += BATCH) {
    for (const text of messages.slice(start, start + BATCH)) fuzzed.ws.send(text);
    // A few binary frames too: only the helper sends those.
    fuzzed.ws.send(Buffer.from([1, 2, 3]));
    const expected = before + Math.min(start + BATCH, TOTAL) + (start / BATCH + 1);
    await fuzzed.waitFor(() => fuzzed.messages.length >= expected, 20_000);
    control.send({ type: "system.get", requestId: `control-${start}` });
    await control.waitFor((m) => m.type === "system.result" && m.requestId === `control-${start}`);
  }
  const replies = fuzzed.messages.slice(before);
  expect(replies.length).toBe(TOTAL + TOTAL / BATCH);
  expect(replies.every((m) => m.type === "error")).toBe(true);
  const codes = new Set(replies.map((m) => (m as HelperMessageOf<"error">).code));
  expect([...codes].every((c) => c === "E_BAD_MESSAGE" || c === "E_PROTOCOL_VERSION")).toBe(true);
  // A message with a usable requestId gets it echoed.
  const withId = replies.filter((m) => (m as HelperMessageOf<"error">).requestId !== undefined);
  expect(withId.length).toBeGreaterThan(1000);
  // Both sockets are still open and served.
  expect(fuzzed.closed).toBeUndefined();
  fuzzed.send({ type: "system.get", requestId: "after" });
  await fuzzed.waitFor((m) => m.type === "system.result" && m.requestId === "after");
  fuzzed.close();
  control.close();
}, 60_000);

test("before hello, anything but pairing and hello gets an error and the socket is closed", async () => {
  const samples = fc.sample(malformed, { numRuns: 40, seed: 7 });
  samples.push(JSON.stringify({ type: "system.get", requestId: "early" }), JSON.stringify({ type: "models.list", requestId: "m" }));
  for (const text of samples) {
    const client = await TestClient.connect(helper.port);
    client.ws.send(text);
    const closed = await client.waitClosed();
    expect(client.messages.length).toBe(1);
    expect(client.messages[0]!.type).toBe("error");
    expect(closed.code).toBe(1008);
  }
  await eventually(() => helper.sessions() === 0);
}, 30_000);
