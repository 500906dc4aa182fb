import WebSocket from "ws";
import { Backoff } from "../../panel/client/backoff.js";
import type { ConnectionState } from "../../panel/client/connection-state.js";
import { HelperConnection, type Preview, type SocketLike } from "../../panel/client/connection.js";
import { HelperError } from "../../panel/client/errors.js";
import { candidatePorts, HELPER_PORTS } from "../../panel/client/ports.js";
import { memoryTokenStore, secureTokenStore, storageTokenStore } from "../../panel/client/token-store.js";
import type { GenerationRequestInput } from "../../shared/protocol.js";
import { closedPort, FakeHelper } from "./fakes/fake-helper.js";
import { memoryStore } from "./support.js";

const createSocket = (url: string) => new WebSocket(url) as unknown as SocketLike;
const fast = { openTimeoutMs: 500, replyTimeoutMs: 1000, requestTimeoutMs: 2000, backoff: { baseMs: 30, maxMs: 200, jitter: 0 } };

let helpers: FakeHelper[] = [];
let connections: HelperConnection[] = [];

async function helper(port?: number): Promise<FakeHelper> {
  const h = await FakeHelper.start(port);
  helpers.push(h);
  return h;
}

function connect(ports: number[], token: string | null) {
  const tokens = memoryTokenStore(token);
  const connection = new HelperConnection({ createSocket, tokens, ports, ...fast });
  connections.push(connection);
  const states: ConnectionState[] = [];
  connection.events.on("state", (s) => states.push(s));
  return { connection, tokens, states };
}

function until<T>(connection: HelperConnection, test: (s: ConnectionState) => T | false | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`state stayed ${connection.getState().kind}`)), 5000);
    const check = (s: ConnectionState) => {
      const v = test(s);
      if (v) {
        clearTimeout(timer);
        off();
        resolve(v);
      }
    };
    const off = connection.events.on("state", check);
    check(connection.getState());
  });
}
async function eventually(check: () => void, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
const kind =
  <K extends ConnectionState["kind"]>(k: K) =>
  (s: ConnectionState): Extract<ConnectionState, { kind: K }> | false =>
    s.kind === k ? (s as Extract<ConnectionState, { kind: K }>) : false;

afterEach(async () => {
  for (const c of connections) c.stop();
  for (const h of helpers) await h.stop().catch(() => undefined);
  helpers = [];
  connections = [];
});

const request: GenerationRequestInput = { prompt: "harbour", seed: 1, frames: 24, fps: { num: 24, den: 1 }, width: 1920, height: 1080 };

describe("finding and joining the helper", () => {
  test("tries the ports in order and says hello with the stored token", async () => {
    const dead = await closedPort();
    const h = await helper();
    const { connection, states } = connect([dead, h.port], h.token);
    connection.start();
    const connected = await until(connection, kind("connected"));
    expect(connected.port).toBe(h.port);
    expect(connected.welcome.models[0]?.id).toBe("tessera-reference");
    expect(states.map((s) => s.kind)).toEqual(["searching", "connecting", "connected"]);
    expect(h.sent("hello")[0]).toMatchObject({ type: "hello", protocol: 1, token: h.token });
  });

  test("no port answers: unreachable with the ports tried, then retries and connects when the helper appears", async () => {
    const port = await closedPort();
    const { connection } = connect([port], "x");
    connection.start();
    const unreachable = await until(connection, kind("unreachable"));
    expect(unreachable.ports).toEqual([port]);
    expect(unreachable.retryInMs).toBe(30);
    const h = await helper(port);
    h.token = "x";
    await until(connection, kind("connected"));
  });

  test("the default ports are exactly 48750-48753, the preferred one first", () => {
    expect(HELPER_PORTS).toEqual([48750, 48751, 48752, 48753]);
    expect(candidatePorts(48752)).toEqual([48752, 48750, 48751, 48753]);
    expect(candidatePorts(49000)).toEqual([49000, 48750, 48751, 48752, 48753]);
  });
});

describe("pairing", () => {
  test("no token: asks for a code, a wrong code says so, the right one stores the token and connects", async () => {
    const h = await helper();
    const { connection, tokens } = connect([h.port], null);
    connection.start();
    const needs = await until(connection, kind("needs-pairing"));
    expect(needs.cause).toBe("no-token");
    await connection.requestPairingCode();
    await eventually(() => expect(h.sent("pair.request")).toHaveLength(1));
    expect(connection.getState()).toMatchObject({ kind: "pairing", error: null });
    await connection.submitPairingCode("12345");
    expect(connection.getState()).toMatchObject({ kind: "pairing", error: "Type the 6 digits the helper shows." });
    await connection.submitPairingCode("000000");
    expect(connection.getState()).toMatchObject({ kind: "pairing", error: expect.stringContaining("wrong or has expired") });
    await connection.submitPairingCode("482 913");
    await until(connection, kind("connected"));
    expect(await tokens.get()).toBe(h.token);
  });

  test("a refused token asks for pairing again", async () => {
    const h = await helper();
    const { connection } = connect([h.port], "stale");
    connection.start();
    expect((await until(connection, kind("needs-pairing"))).cause).toBe("token-refused");
  });

  test("a helper speaking another protocol is a version mismatch, not a bad message", async () => {
    const h = await helper();
    h.welcomeProtocol = 2;
    h.version = "2.0.0";
    const { connection } = connect([h.port], h.token);
    connection.start();
    expect(await until(connection, kind("version-mismatch"))).toMatchObject({ helperProtocol: 2, helperVersion: "2.0.0" });
  });

  test("a helper refusing the hello for its protocol says which protocol and version it has", async () => {
    const h = await helper();
    h.refuseHelloAs = { version: "0.0.9", protocol: 0 };
    const { connection } = connect([h.port], h.token);
    connection.start();
    expect(await until(connection, kind("version-mismatch"))).toMatchObject({ helperProtocol: 0, helperVersion: "0.0.9" });
  });
});

describe("requests and events", () => {
  async function connected() {
    const h = await helper();
    const c = connect([h.port], h.token);
    c.connection.start();
    await until(c.connection, kind("connected"));
    return { h, ...c };
  }

  test("replies find their request by requestId even out of order", async () => {
    const { h, connection } = await connected();
    h.history = [];
    h.historyDelays = [150, 0];
    const slow = connection.queryHistory({ text: "slow" });
    const quick = connection.queryHistory({ text: "quick" });
    const order: string[] = [];
    await Promise.all([slow.then(() => order.push("slow")), quick.then(() => order.push("quick"))]);
    expect(order).toEqual(["quick", "slow"]);
    const ids = h.sent("history.query").map((m) => (m as { requestId: string }).requestId);
    expect(new Set(ids).size).toBe(2);
  });

  test("generate sends the clientJobId; the same id twice gets the same job", async () => {
    const { h, connection } = await connected();
    const a = await connection.generate("client-job-1", request);
    const b = await connection.generate("client-job-1", request);
    expect(a.jobId).toBe(b.jobId);
    expect(h.sent("generate")[0]).toMatchObject({ clientJobId: "client-job-1", request: { prompt: "harbour", frames: 24 } });
  });

  test("an error reply rejects the request with code, message and hint", async () => {
    const { h, connection } = await connected();
    h.refuseGenerate = { code: "E_QUEUE_FULL", message: "The queue is full.", hint: "Wait." };
    const error = await connection.generate("c2", request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HelperError);
    expect(error).toMatchObject({ code: "E_QUEUE_FULL", message: "The queue is full.", hint: "Wait." });
  });

  test("a request the schema refuses never leaves the panel", async () => {
    const { h, connection } = await connected();
    await expect(connection.generate("c3", { ...request, frames: 0 })).rejects.toMatchObject({ code: "E_BAD_REQUEST" });
    expect(h.sent("generate")).toHaveLength(0);
  });

  test("job events and binary previews arrive typed", async () => {
    const { h, connection } = await connected();
    const accepted = await connection.generate("c4", request);
    const events: string[] = [];
    const previews: Preview[] = [];
    connection.events.on("job", (e) => events.push(e.type));
    connection.events.on("preview", (p) => previews.push(p));
    h.progress(accepted.jobId, 0.4);
    h.preview(accepted.jobId);
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toEqual(["job.started", "job.progress"]);
    expect(previews[0]?.header).toMatchObject({ jobId: accepted.jobId, width: 64, height: 32, format: "jpeg" });
    expect([...(previews[0]?.image ?? [])]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
  });

  test("while disconnected a request fails at once with 'helper not running'", async () => {
    const { connection } = connect([await closedPort()], "x");
    await expect(connection.generate("c5", request)).rejects.toMatchObject({ code: "E_HELPER_UNREACHABLE" });
  });
});

describe("losing the helper", () => {
  test("reconnects with backoff after a restart on the same port and welcomes again", async () => {
    const h = await helper();
    const { connection } = connect([h.port], h.token);
    let welcomes = 0;
    connection.events.on("welcome", () => welcomes++);
    connection.start();
    await until(connection, kind("connected"));
    const port = h.port;
    await h.stop();
    const lost = await until(connection, kind("reconnecting"));
    expect(lost.port).toBe(port);
    const again = await helper(port);
    again.token = h.token;
    await until(connection, kind("connected"));
    expect(welcomes).toBe(2);
  });

  test("backoff doubles to its cap and resets", () => {
    const b = new Backoff({ baseMs: 100, maxMs: 1000, jitter: 0.5, random: () => 0 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
    expect(new Backoff({ baseMs: 100, jitter: 0.5, random: () => 1 }).next()).toBe(50);
  });
});

describe("token stores", () => {
  test("UXP secure storage answers bytes; a missing key rejects; both read as text or null", async () => {
    const bytes = new Map<string, Uint8Array>();
    const secure = {
      async getItem(key: string) {
        const v = bytes.get(key);
        if (!v) throw new Error("not found");
        return v;
      },
      async setItem(key: string, value: string) {
        bytes.set(key, Uint8Array.from(value, (c) => c.charCodeAt(0)));
      },
      async removeItem(key: string) {
        if (!bytes.delete(key)) throw new Error("not found");
      },
    };
    const store = secureTokenStore(secure);
    expect(await store.get()).toBeNull();
    await store.set("tok_abc-123");
    expect(await store.get()).toBe("tok_abc-123");
    await store.clear();
    await store.clear();
    expect(await store.get()).toBeNull();
  });

  test("localStorage in the harness", async () => {
    const storage = memoryStore();
    const store = storageTokenStore(storage);
    await store.set("t1");
    expect(storage.getItem("tessera.token")).toBe("t1");
    await store.clear();
    expect(await store.get()).toBeNull();
  });
});
