/** The job database on a real SQLite file: transitions, journal, search, filters, paging, re-runs. */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { GenerationRequestSchema } from "../../shared/protocol.js";
import { openDb } from "../../helper-service/jobs/db.js";
import { ftsQuery, rerunRequest, searchHistory } from "../../helper-service/jobs/history.js";
import { IllegalTransition, JobStore } from "../../helper-service/jobs/store.js";
import { baseRequest, tempDir } from "../server/support.js";
import { PARTIAL_MARK } from "../../helper-service/media/encode.js";
import { PARTIAL_MARK as FAKE_PARTIAL_MARK } from "./fixtures/fake-generator.js";

let dir: string;
let store: JobStore;
let n = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`;

beforeEach(() => {
  dir = tempDir();
  store = new JobStore(openDb(join(dir, "tessera.db")));
});
afterEach(() => {
  store.db.close();
  rmSync(dir, { recursive: true, force: true });
});

function add(prompt: string, extra: Record<string, unknown> = {}) {
  const request = GenerationRequestSchema.parse({ ...baseRequest({ prompt }), ...extra });
  return store.create({ jobId: uuid(), clientJobId: `c-${n}`, request });
}

test("the database is in WAL mode and survives reopening", () => {
  expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
  const job = add("a fox");
  store.db.close();
  store = new JobStore(openDb(join(dir, "tessera.db")));
  expect(store.get(job.jobId)?.request.prompt).toBe("a fox");
});

test("transitions follow the life of a job and are journaled in order", () => {
  const job = add("a fox");
  store.transition(job.jobId, "running", { phase: "load" });
  store.transition(job.jobId, "running", { phase: "denoise", fraction: 0.4 });
  store.transition(job.jobId, "queued", { detail: "crashed" });
  store.transition(job.jobId, "running", { phase: "load" });
  const done = store.transition(job.jobId, "failed", { error: { code: "E_WORKER_CRASHED", message: "m", hint: "h" } });
  expect(done.state).toBe("failed");
  expect(done.attempts).toBe(2);
  expect(done.error?.code).toBe("E_WORKER_CRASHED");
  expect(store.events(job.jobId).map((e) => `${e.state}${e.phase ? `(${e.phase})` : ""}#${e.attempt}`)).toEqual([
    "queued#0", "running(load)#1", "running(denoise)#1", "queued#1", "running(load)#2", "failed#2",
  ]);
  expect(() => store.transition(job.jobId, "running")).toThrow(IllegalTransition);
  expect(() => store.transition(job.jobId, "done")).toThrow(IllegalTransition);
  expect(() => store.transition(uuid(), "running")).toThrow(IllegalTransition);
});

test("a clientJobId makes one job only", () => {
  const job = add("a fox");
  expect(store.byClientJobId(job.clientJobId)?.jobId).toBe(job.jobId);
  expect(() => store.create({ jobId: uuid(), clientJobId: job.clientJobId, request: job.request })).toThrow(/UNIQUE/);
});

test("history finds prompts by words and prefixes, ignoring accents, case and FTS syntax", () => {
  add("A red fox jumps over the café");
  add("Neon city at night, rain");
  add("Red sports car in the city");
  const prompts = (text: string) => searchHistory(store, { text }).map((j) => j.request.prompt);
  expect(prompts("red")).toEqual(["Red sports car in the city", "A red fox jumps over the café"]);
  expect(prompts("cit")).toEqual(["Red sports car in the city", "Neon city at night, rain"]);
  expect(prompts("RED city")).toEqual(["Red sports car in the city"]);
  expect(prompts("cafe")).toEqual(["A red fox jumps over the café"]);
  expect(prompts('"unbalanced OR NEAR( * -')).toEqual([]);
  expect(prompts("")).toEqual([]);
  expect(ftsQuery('say "hi"')).toBe('"say"* "hi"*');
});

test("history filters by project and sequence and pages backwards", async () => {
  add("one", { projectId: "p1", sequenceId: "s1" });
  add("two", { projectId: "p1", sequenceId: "s2" });
  await new Promise((r) => setTimeout(r, 5));
  const three = add("three", { projectId: "p2", sequenceId: "s1" });
  expect(searchHistory(store, { projectId: "p1" }).map((j) => j.request.prompt)).toEqual(["two", "one"]);
  expect(searchHistory(store, { sequenceId: "s1" }).map((j) => j.request.prompt)).toEqual(["three", "one"]);
  expect(searchHistory(store, { projectId: "p1", sequenceId: "s2" }).map((j) => j.request.prompt)).toEqual(["two"]);
  expect(searchHistory(store, { limit: 1 }).map((j) => j.request.prompt)).toEqual(["three"]);
  expect(searchHistory(store, { before: three.createdAt }).map((j) => j.request.prompt)).toEqual(["two", "one"]);
});

test("a record re-runs with the same seed or as a variant with a new one", () => {
  const job = add("a fox", { seed: 1234 });
  expect(rerunRequest(job, "same-seed")).toEqual(job.request);
  const seeds = [1234, 1234, 99];
  const variant = rerunRequest(job, "variant", () => seeds.shift()!);
  expect(variant.seed).toBe(99);
  expect({ ...variant, seed: 1234 }).toEqual(job.request);
});

test("the fake generator names its partial files like the real encoder", () => {
  expect(FAKE_PARTIAL_MARK).toBe(PARTIAL_MARK);
});

test("jobs recorded by the command line are finished on arrival", () => {
  const request = GenerationRequestSchema.parse(baseRequest({ prompt: "cli clip", workflow: "cli" }));
  const job = store.recordFinished({ jobId: uuid(), clientJobId: "cli-1", request, state: "cancelled", attempts: 1, startedAt: new Date().toISOString() });
  expect(job.state).toBe("cancelled");
  expect(store.active()).toEqual([]);
  expect(store.events(job.jobId).map((e) => e.state)).toEqual(["queued", "running", "cancelled"]);
});
