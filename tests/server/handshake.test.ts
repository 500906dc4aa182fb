/**
 * Who gets in: every combination of Host header, Origin header and token, against a real helper on 127.0.0.1.
 * A connection counts as accepted only when `hello` is answered with `welcome`; every other outcome (HTTP refusal,
 * error + close) counts as refused. No bad combination may get in, and every good one must.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import type { Helper } from "../../helper-service/server/helper.js";
import { eventually, startFakeHelper, stopHelper } from "./support.js";

let helper: Helper;
beforeAll(async () => {
  helper = await startFakeHelper({ allowedOrigins: ["https://tools.example.com"], fileLog: true });
});
afterAll(async () => {
  await stopHelper(helper);
});

type Case = { value: string | undefined; good: boolean; label: string };

function hosts(port: number): Case[] {
  return [
    { label: "127.0.0.1:port", value: `127.0.0.1:${port}`, good: true },
    { label: "localhost:port", value: `localhost:${port}`, good: true },
    { label: "LOCALHOST:port", value: `LOCALHOST:${port}`, good: true },
    { label: "absent", value: undefined, good: false },
    { label: "other port", value: `127.0.0.1:${port + 1}`, good: false },
    { label: "no port", value: "localhost", good: false },
    { label: "rebinding name", value: `evil.example:${port}`, good: false },
    { label: "lookalike", value: `localhost.evil.example:${port}`, good: false },
    { label: "ipv6 loopback", value: `[::1]:${port}`, good: false },
    { label: "any address", value: `0.0.0.0:${port}`, good: false },
  ];
}

function origins(port: number): Case[] {
  return [
    { label: "absent", value: undefined, good: true },
    { label: "null", value: "null", good: true },
    { label: "own 127.0.0.1", value: `http://127.0.0.1:${port}`, good: true },
    { label: "own localhost", value: `http://localhost:${port}`, good: true },
    { label: "allow-listed", value: "https://tools.example.com", good: true },
    { label: "uxp scheme", value: "uxp://com.tessera.panel", good: true },
    { label: "file scheme", value: "file://", good: true },
    { label: "opaque text", value: "premierepro", good: true },
    { label: "foreign site", value: "http://evil.example", good: false },
    { label: "foreign https", value: "https://evil.example", good: false },
    { label: "own host, other port", value: `http://127.0.0.1:${port + 1}`, good: false },
    { label: "https own", value: `https://127.0.0.1:${port}`, good: false },
    { label: "lookalike", value: `http://localhost.evil.example:${port}`, good: false },
    { label: "chrome extension", value: "chrome-extension://abcdefghijklmnop", good: false },
    { label: "firefox extension", value: "moz-extension://1234-5678", good: false },
    { label: "safari extension", value: "safari-web-extension://ABC", good: false },
  ];
}

function tokens(token: string): Case[] {
  return [
    { label: "right", value: token, good: true },
    { label: "wrong", value: token.replace(/^./, (c) => (c === "a" ? "b" : "a")), good: false },
    { label: "other length", value: "0123456789abcdef", good: false },
    { label: "empty", value: "", good: false },
  ];
}

/** "accepted" only when hello was answered with welcome. */
function attempt(port: number, host: string | undefined, origin: string | undefined, token: string | undefined): Promise<"accepted" | "refused"> {
  return new Promise((resolvePromise) => {
    const headers: Record<string, string> = {};
    if (host !== undefined) headers.Host = host;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, {
      headers,
      ...(origin !== undefined ? { origin } : {}),
      // Without a Host header at all (node adds one unless told not to).
      ...(host === undefined ? { setHost: false } : {}),
    } as WebSocket.ClientOptions);
    let settled = false;
    const done = (result: "accepted" | "refused"): void => {
      if (settled) return;
      settled = true;
      ws.terminate();
      resolvePromise(result);
    };
    ws.on("unexpected-response", () => done("refused"));
    ws.on("error", () => done("refused"));
    ws.on("close", () => done("refused"));
    ws.on("open", () => ws.send(JSON.stringify({ type: "hello", protocol: 1, token })));
    ws.on("message", (data) => {
      const message = JSON.parse(data.toString()) as { type: string };
      done(message.type === "welcome" ? "accepted" : "refused");
    });
  });
}

test("the {Host x Origin x token} matrix lets in exactly the good combinations", async () => {
  const port = helper.port;
  const combos = hosts(port).flatMap((h) => origins(port).flatMap((o) => tokens(helper.token).map((t) => ({ h, o, t }))));
  expect(combos.length).toBeGreaterThanOrEqual(150);
  const wrong: string[] = [];
  let good = 0;
  for (const { h, o, t } of combos) {
    const expected = h.good && o.good && t.good ? "accepted" : "refused";
    if (expected === "accepted") good++;
    const got = await attempt(port, h.value, o.value, t.value === "" ? "" : t.value);
    if (got !== expected) wrong.push(`Host ${h.label} / Origin ${o.label} / token ${t.label}: ${got}, expected ${expected}`);
  }
  expect(wrong).toEqual([]);
  expect(good).toBe(3 * 8);
  // Every refusal is in the log with its reason (and the token never is).
  helper.log.flush();
  const log = readFileSync(join(helper.dataDir, "logs", "helper.log"), "utf8");
  const refusals = log.split("\n").filter((line) => line.includes('"msg":"refused'));
  expect(refusals.length).toBeGreaterThanOrEqual(combos.length - good);
  expect(log).toContain("browser-extension Origin");
  expect(log).toContain("is not 127.0.0.1:");
  expect(log).toContain("wrong token in hello");
  expect(log).not.toContain(helper.token);
  // Sessions were all closed again: the limit is not used up by refused or finished connections.
  await eventually(() => helper.sessions() === 0);
}, 60_000);
