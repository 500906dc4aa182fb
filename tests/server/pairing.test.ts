/**
 * Pairing over a real socket with an injected clock: a fresh code per request, shown in DATA_DIR/pairing.json
 * and the log; the right code within two minutes returns the token (once); an expired code is refused; five
 * wrong codes pause pairing for ten minutes, whatever new codes are asked for meanwhile.
 */
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { HelperMessageOf } from "../../shared/protocol.js";
import type { Helper } from "../../helper-service/server/helper.js";
import { CODE_LIFETIME_MS, LOCKOUT_MS, Pairing } from "../../helper-service/server/pairing.js";
import { startFakeHelper, stopHelper, TestClient } from "./support.js";

let now = 1_000_000;
const clock = () => now;
let helper: Helper;
const shown: string[] = [];

beforeAll(async () => {
  helper = await startFakeHelper({ clock, fileLog: true, onPairingCode: (c) => shown.push(c.code) });
});
afterAll(async () => {
  await stopHelper(helper);
});

function codeFile(): { code: string; expiresAt: number } {
  return JSON.parse(readFileSync(join(helper.dataDir, "pairing.json"), "utf8")) as { code: string; expiresAt: number };
}

async function requestCode(client: TestClient): Promise<string> {
  const before = shown.length;
  client.send({ type: "pair.request" });
  const deadline = Date.now() + 5000;
  while (shown.length === before) {
    if (Date.now() > deadline) throw new Error("no code shown");
    await new Promise((r) => setTimeout(r, 10));
  }
  return shown.at(-1)!;
}

function wrongCode(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, "0");
}

test("the shown code pairs once and returns the token; then hello works", async () => {
  const client = await TestClient.connect(helper.port);
  const code = await requestCode(client);
  expect(code).toMatch(/^\d{6}$/);
  expect(codeFile()).toEqual({ code, expiresAt: now + CODE_LIFETIME_MS });
  client.send({ type: "pair", code });
  const paired = await client.waitFor<HelperMessageOf<"paired">>((m) => m.type === "paired");
  expect(paired.token).toBe(helper.token);
  expect(existsSync(join(helper.dataDir, "pairing.json"))).toBe(false);
  // The code was used up.
  client.send({ type: "pair", code });
  const error = await client.waitFor<HelperMessageOf<"error">>((m) => m.type === "error");
  expect(error.code).toBe("E_PAIRING_CODE");
  client.send({ type: "hello", protocol: 1, token: paired.token });
  await client.waitFor((m) => m.type === "welcome");
  client.close();
});

test("a code is refused after two minutes", async () => {
  const client = await TestClient.connect(helper.port);
  const code = await requestCode(client);
  now += CODE_LIFETIME_MS + 1;
  client.send({ type: "pair", code });
  const error = await client.waitFor<HelperMessageOf<"error">>((m) => m.type === "error");
  expect(error.code).toBe("E_PAIRING_CODE");
  expect(error.message).toContain("expired");
  expect(client.messages.some((m) => m.type === "paired")).toBe(false);
  client.close();
});

test("five wrong codes pause pairing for ten minutes, even with fresh codes", async () => {
  now += LOCKOUT_MS; // a clean slate after the previous test's wrong code
  const client = await TestClient.connect(helper.port);
  let code = await requestCode(client);
  for (let i = 0; i < 4; i++) {
    code = await requestCode(client); // fresh codes do not reset the count
    client.send({ type: "pair", code: wrongCode(code) });
    await client.waitFor((m) => m.type === "error" && m.code === "E_PAIRING_CODE", 5000, client.messages.length);
  }
  client.send({ type: "pair", code: wrongCode(code) });
  await client.waitFor((m) => m.type === "error" && m.code === "E_PAIRING_LOCKED", 5000, client.messages.length);
  // Locked: even the right code of a fresh request is refused, and no code is shown.
  const shownBefore = shown.length;
  client.send({ type: "pair.request" });
  await client.waitFor((m) => m.type === "error" && m.code === "E_PAIRING_LOCKED", 5000, client.messages.length);
  expect(shown.length).toBe(shownBefore);
  client.send({ type: "pair", code });
  await client.waitFor((m) => m.type === "error" && m.code === "E_PAIRING_LOCKED", 5000, client.messages.length);
  now += LOCKOUT_MS - 1000;
  client.send({ type: "pair.request" });
  await client.waitFor((m) => m.type === "error" && m.code === "E_PAIRING_LOCKED", 5000, client.messages.length);
  // Ten minutes later pairing works again.
  now += 1000;
  const fresh = await requestCode(client);
  client.send({ type: "pair", code: fresh });
  await client.waitFor((m) => m.type === "paired", 5000, client.messages.length);
  expect(client.messages.some((m) => m.type === "paired" && m.token === helper.token)).toBe(true);
  client.close();
});

test("the pairing code is in the log, the token never is", async () => {
  const logText = readFileSync(join(helper.dataDir, "logs", "helper.log"), "utf8");
  expect(logText).toContain(shown[0]!);
  expect(logText).not.toContain(helper.token);
  const audit = readFileSync(join(helper.dataDir, "audit.log"), "utf8");
  expect(audit).not.toContain(helper.token);
  expect(audit).toContain('"event":"paired"');
});

test("Pairing on its own: a code is six digits and dies with the clock", () => {
  let t = 0;
  const pairing = new Pairing(() => t);
  const { code, expiresAt } = pairing.request();
  expect(code).toMatch(/^\d{6}$/);
  expect(expiresAt).toBe(CODE_LIFETIME_MS);
  expect(pairing.active()?.code).toBe(code);
  t = CODE_LIFETIME_MS;
  expect(pairing.active()).toBeUndefined();
  expect(() => pairing.redeem(code)).toThrow(/expired/);
});
