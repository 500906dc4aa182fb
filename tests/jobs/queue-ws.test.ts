/**
 * The job queue through a real WebSocket, with the scriptable fake generator running in the real child process
 * (see fixtures/fake-generator.ts for the prompt scripts).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { HelperMessage, HelperMessageOf } from "../../shared/protocol.js";
import type { Helper } from "../../helper-service/server/helper.js";
import { baseRequest, startFakeHelper, stopHelper, tempDir, TestClient } from "../server/support.js";

let helper: Helper;
let out: string;
let counter = 0;
beforeAll(async () => {
  helper = await startFakeHelper({ cancelGraceMs: 800 });
  out = tempDir("tessera-out-");
});
afterAll(async () => {
  await stopHelper(helper);
});

function submit(client: TestClient, prompt: string, clientJobId = `job-${++counter}`): string {
  const requestId = `req-${++counter}`;
  client.send({ type: "generate", requestId, clientJobId, request: baseRequest({ prompt, output: { format: "h264", folder: out } }) });
  return requestId;
}

async function accepted(client: TestClient, requestId: string): Promise<string> {
  const reply = await client.waitFor<HelperMessageOf<"job.accepted"> | HelperMessageOf<"error">>(
    (m) => (m.type === "job.accepted" || m.type === "error") && m.requestId === requestId,
  );
  if (reply.type === "error") throw new Error(`${reply.code}: ${reply.message}`);
  return reply.jobId;
}

const ended = (jobId: string) => (m: HelperMessage) =>
  (m.type === "job.done" || m.type === "job.failed" || m.type === "job.cancelled") && m.jobId === jobId;

const partials = () => readdirSync(out).filter((n) => n.includes(".tessera-partial-"));

test("a job runs to done: accepted, queued, started, progress, done, with previews", async () => {
  const client = await TestClient.authed(helper);
  const jobId = await accepted(client, submit(client, "harbour #steps:4"));
  const done = await client.waitFor<HelperMessageOf<"job.done">>(ended(jobId));
  expect(done.type).toBe("job.done");
  const events = client.jobEvents(jobId);
  expect(events.slice(0, 3).map((m) => m.type)).toEqual(["job.accepted", "job.queued", "job.started"]);
  const progress = events.filter((m): m is HelperMessageOf<"job.progress"> => m.type === "job.progress");
  expect(progress.map((p) => p.step)).toEqual([0, 1, 2, 3, 4, 4]);
  expect(readFileSync(done.output.path, "utf8")).toContain(`END ${jobId}`);
  expect(client.binary.length).toBeGreaterThan(0);
  client.close();
});

test("jobs run first in, first out, one at a time", async () => {
  const client = await TestClient.authed(helper);
  const ids: string[] = [];
  for (const name of ["first", "second", "third"]) ids.push(await accepted(client, submit(client, `${name} #steps:3`)));
  await client.waitFor(ended(ids[2]!));
  const order = client.messages
    .filter((m) => (m.type === "job.started" || m.type === "job.done") && ids.includes(m.jobId))
    .map((m) => `${m.type === "job.started" ? "start" : "done"} ${ids.indexOf((m as { jobId: string }).jobId)}`);
  expect(order).toEqual(["start 0", "done 0", "start 1", "done 1", "start 2", "done 2"]);
  const queued = client.messages.find((m) => m.type === "job.queued" && m.jobId === ids[2]) as HelperMessageOf<"job.queued">;
  expect(queued.position).toBeGreaterThanOrEqual(1);
  client.close();
});

test("cancel: a queued job never starts; a running one stops between steps within 2 s, leaving no file", async () => {
  const client = await TestClient.authed(helper);
  const running = await accepted(client, submit(client, "long one #steps:200 #ms:40"));
  const waiting = await accepted(client, submit(client, "waiting one"));
  await client.waitFor((m) => m.type === "job.progress" && m.jobId === running && m.step >= 2);
  client.send({ type: "cancel", requestId: "cancel-queued", jobId: waiting });
  const cancelledQueued = await client.waitFor<HelperMessageOf<"job.cancelled">>(ended(waiting));
  expect(cancelledQueued).toEqual({ type: "job.cancelled", jobId: waiting, requestId: "cancel-queued" });
  const asked = Date.now();
  client.send({ type: "cancel", requestId: "cancel-running", jobId: running });
  const cancelled = await client.waitFor<HelperMessageOf<"job.cancelled">>(ended(running));
  expect(Date.now() - asked).toBeLessThan(2000);
  expect(cancelled.requestId).toBe("cancel-running");
  expect(client.jobEvents(waiting).some((m) => m.type === "job.started")).toBe(false);
  expect(partials()).toEqual([]);
  // Cancelling a finished job says so.
  client.send({ type: "cancel", requestId: "again", jobId: running });
  const error = await client.waitFor<HelperMessageOf<"error">>((m) => m.type === "error" && m.requestId === "again");
  expect(error.code).toBe("E_JOB_NOT_FOUND");
  client.close();
});

test("a job that ignores cancel is ended by killing the generator process; the next job still runs", async () => {
  const client = await TestClient.authed(helper);
  const deaf = await accepted(client, submit(client, "deaf #deaf #steps:500 #ms:20"));
  await client.waitFor((m) => m.type === "job.progress" && m.jobId === deaf && m.step >= 2);
  const pid = helper.worker.pid;
  const asked = Date.now();
  client.send({ type: "cancel", requestId: "c", jobId: deaf });
  await client.waitFor((m) => m.type === "job.cancelled" && m.jobId === deaf);
  expect(Date.now() - asked).toBeLessThan(2000);
  const next = await accepted(client, submit(client, "after deaf #steps:2"));
  expect((await client.waitFor(ended(next))).type).toBe("job.done");
  expect(helper.worker.pid).not.toBe(pid);
  expect(partials()).toEqual([]);
  client.close();
});

test("a generator crash is retried once (then done), or fails with the reason when it crashes again", async () => {
  const client = await TestClient.authed(helper);
  const once = await accepted(client, submit(client, "crash once #crash1@2 #steps:3"));
  expect((await client.waitFor(ended(once), 20_000)).type).toBe("job.done");
  expect(client.jobEvents(once).filter((m) => m.type === "job.started").length).toBe(2);
  expect(client.messages.some((m) => m.type === "notice" && m.jobId === once && /Retrying once/.test(m.message))).toBe(true);

  const always = await accepted(client, submit(client, "crash always #crash@2 #steps:3"));
  const failed = await client.waitFor<HelperMessageOf<"job.failed">>(ended(always), 20_000);
  expect(failed.type).toBe("job.failed");
  expect(failed.code).toBe("E_WORKER_CRASHED");
  expect(failed.message).toContain("exit code 3");
  expect(helper.store.events(always).map((e) => e.state)).toEqual(["queued", "running", "running", "queued", "running", "running", "failed"]);
  expect(partials()).toEqual([]);
  client.close();
});

test("a clean failure is reported with its code, message and hint", async () => {
  const client = await TestClient.authed(helper);
  const jobId = await accepted(client, submit(client, "will fail #fail #steps:2"));
  const failed = await client.waitFor<HelperMessageOf<"job.failed">>(ended(jobId));
  expect(failed).toMatchObject({ type: "job.failed", code: "E_ENCODE", message: expect.stringContaining("told to fail"), hint: expect.any(String) });
  expect(client.jobEvents(jobId).filter((m) => m.type === "job.started").length).toBe(1);
  client.close();
});

test("a generate resent after a reconnect runs once; the new socket sees the queue in welcome", async () => {
  const first = await TestClient.authed(helper);
  const requestId = submit(first, "resent #steps:30 #ms:20", "resend-me");
  const jobId = await accepted(first, requestId);
  first.close();
  await first.waitClosed();
  const second = await TestClient.authed(helper);
  const welcome = second.messages[0] as HelperMessageOf<"welcome">;
  expect(welcome.queue.some((e) => e.jobId === jobId && e.clientJobId === "resend-me")).toBe(true);
  submit(second, "resent #steps:30 #ms:20", "resend-me");
  const again = await second.waitFor<HelperMessageOf<"job.accepted">>((m) => m.type === "job.accepted");
  expect(again.jobId).toBe(jobId);
  await second.waitFor(ended(jobId), 20_000);
  // And once more after it finished: the same job, its result replayed.
  const third = submit(second, "resent #steps:30 #ms:20", "resend-me");
  await second.waitFor((m) => m.type === "job.accepted" && m.requestId === third);
  const replay = await second.waitFor<HelperMessageOf<"job.done">>((m) => m.type === "job.done" && m.jobId === jobId, 5000, second.messages.findIndex((m) => m.type === "job.accepted" && m.requestId === third));
  expect(replay.output.path).toContain("resent");
  expect(helper.store.events(jobId).filter((e) => e.state === "running" && e.phase === "load").length).toBe(1);
  expect(readdirSync(out).filter((n) => n.startsWith("resent")).length).toBe(1);
  second.close();
});

test("a refused prompt gets E_POLICY, never reaches the queue, and is audited", async () => {
  const client = await TestClient.authed(helper);
  const requestId = submit(client, "a naked child on a beach", "refused-1");
  const error = await client.waitFor<HelperMessageOf<"error">>((m) => m.type === "error" && m.requestId === requestId);
  expect(error.code).toBe("E_POLICY");
  expect(error.message).toContain("minors-sexual");
  expect(helper.store.byClientJobId("refused-1")).toBeUndefined();
  const audit = readFileSync(join(helper.dataDir, "audit.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(audit.some((r) => r.event === "refused" && r.clientJobId === "refused-1" && r.code === "E_POLICY")).toBe(true);
  expect(audit.some((r) => r.event === "request" && r.clientJobId === "refused-1")).toBe(true);
  client.close();
});

test("URLs, relative and device paths are refused with E_PATH_REFUSED before queueing", async () => {
  const client = await TestClient.authed(helper);
  const cases = [
    { output: { format: "h264", folder: "relative/folder" } },
    { output: { format: "h264", folder: "/dev/shm" } },
    { conditioning: { before: { kind: "media", path: "https://example.com/clip.mp4", inFrame: 0, outFrame: 10 } } },
    { conditioning: { after: { kind: "frames", paths: ["/proc/self/environ"], fps: { num: 24, den: 1 } } } },
    // the footage named for its sound is checked like conditioning media
    {
      conditioning: { before: { kind: "frames", paths: ["/tmp/frame.png"], fps: { num: 24, den: 1 } } },
      audioSources: { before: { path: "http://example.com/room.wav", inFrame: 0, outFrame: 10 } },
    },
  ];
  for (const [i, extra] of cases.entries()) {
    client.send({ type: "generate", requestId: `path-${i}`, clientJobId: `path-${i}`, request: { ...baseRequest({ prompt: "a path" }), ...extra } });
    const error = await client.waitFor<HelperMessageOf<"error">>((m) => m.type === "error" && m.requestId === `path-${i}`);
    expect(error.code).toBe("E_PATH_REFUSED");
    expect(helper.store.byClientJobId(`path-${i}`)).toBeUndefined();
  }
  client.close();
});

test("history.query over the socket searches prompts", async () => {
  const client = await TestClient.authed(helper);
  client.send({ type: "history.query", requestId: "h1", text: "harbour" });
  const result = await client.waitFor<HelperMessageOf<"history.result">>((m) => m.type === "history.result");
  expect(result.items.map((i) => i.request.prompt)).toEqual(["harbour #steps:4"]);
  expect(result.items[0]!.state).toBe("done");
  expect(existsSync(result.items[0]!.output!.path)).toBe(true);
  client.send({ type: "models.list", requestId: "m1" });
  const models = await client.waitFor<HelperMessageOf<"models.result">>((m) => m.type === "models.result");
  expect(models.models[0]!.id).toBe("fake-model");
  client.close();
});

describe("a hung step", () => {
  let hung: Helper;
  beforeAll(async () => {
    hung = await startFakeHelper({ stepTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await stopHelper(hung);
  });

  test("is ended by killing the process: the job fails with E_TIMEOUT and the next one runs", async () => {
    const client = await TestClient.authed(hung);
    const a = await accepted(client, submit(client, "stuck #hang@2 #steps:4"));
    const b = await accepted(client, submit(client, "fine #steps:2"));
    const failed = await client.waitFor<HelperMessageOf<"job.failed">>(ended(a), 20_000);
    expect(failed.code).toBe("E_TIMEOUT");
    expect((await client.waitFor(ended(b), 20_000)).type).toBe("job.done");
    client.close();
  });
});

describe("a helper stopped while a job runs", () => {
  test("leaves the job to the next start, which runs it to done", async () => {
    const dataDir = tempDir();
    const first = await startFakeHelper({ dataDir });
    const client = await TestClient.authed(first);
    const jobId = await accepted(client, submit(client, "interrupted by a stop #steps:100 #ms:20"));
    await client.waitFor((m) => m.type === "job.progress" && m.jobId === jobId && m.step >= 2);
    await first.close();
    expect(first.store.db.open).toBe(false);
    const second = await startFakeHelper({ dataDir });
    const again = await TestClient.authed(second);
    const welcome = again.messages[0] as HelperMessageOf<"welcome">;
    expect(welcome.queue.map((e) => e.jobId)).toEqual([jobId]);
    const end = await again.waitFor(ended(jobId), 20_000);
    expect(end.type).toBe("job.done");
    expect(partials()).toEqual([]);
    again.close();
    await stopHelper(second);
  }, 30_000);
});
