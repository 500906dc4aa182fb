/**
 * Where farm jobs go, and what the command line says about it: workers with different model sets each get the
 * jobs they can run, a worker driving a ComfyUI engine its engine's jobs, unless its server is down (a job for a
 * model no worker has is refused at once, naming the models the farm has); a worker of another farm protocol, or naming an engine it
 * does not have, says so and does not start; `tessera farm status` lists workers and counts; and a
 * coordinator killed with kill -9 mid-run finds its jobs on the farm again after a restart.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import type { HelperMessageOf } from "../../shared/protocol.js";
import { addEngine } from "../../helper-service/engines/config.js";
import { engineModels } from "../../helper-service/engines/comfyui/models.js";
import { FakeComfyUI } from "../engines/fake-comfyui/server.js";
import { baseRequest, stopHelper, tempDir, TestClient } from "../server/support.js";
import { BIN, freePort, leftovers, outputs, RedisServer, redisAvailable, startFarmHelper, startWorker, stopWorker, FAKE_GENERATOR_MODULE, type WorkerProcess } from "./support.js";

const run = redisAvailable() ? test : test.skip;
const exec = promisify(execFile);
const ENGINE_MODEL = "studio-gpu/ltx-video-2b";

run("workers with different models, one running a ComfyUI engine: each job runs where its model is; an unknown model fails at once; farm status lists them", async () => {
  const redis = await RedisServer.start();
  const fake = await FakeComfyUI.start({ stepMs: 40 });
  const { helper, tokenFile } = await startFarmHelper(redis);
  const workers: WorkerProcess[] = [];
  const out = tempDir("tessera-farm-out-");
  // a GPU box whose worker drives its ComfyUI server: the real pipeline, the engine added in its data dir
  const comfyData = tempDir("tessera-worker-");
  addEngine(comfyData, { kind: "comfyui", name: "studio-gpu", url: fake.url });
  // and one whose ComfyUI server is down: it leaves the engine's jobs to the other
  const downData = tempDir("tessera-worker-");
  addEngine(downData, { kind: "comfyui", name: "studio-gpu", url: `http://127.0.0.1:${await freePort()}` });
  // the real pipeline; with a model package (which an engine-only worker must not advertise) or, as on a box that
  // only drives ComfyUI, none at all
  const engineWorker = (name: string, dataDir: string, packages: string[]) =>
    startWorker(redis, { name, tokenFile, dataDir, extraEnv: { TESSERA_GENERATOR_MODULE: "", TESSERA_REFERENCE_DIR: "" }, extraArgs: ["--engine", "comfyui:studio-gpu", ...packages] });
  try {
    workers.push(
      ...(await Promise.all([
        startWorker(redis, { name: "has-a", tokenFile, extraEnv: { TESSERA_FAKE_MODEL_ID: "model-a" } }),
        startWorker(redis, { name: "has-b", tokenFile, extraEnv: { TESSERA_FAKE_MODEL_ID: "model-b" } }),
        engineWorker("comfy-down", downData, ["--model", "tests/fixtures/tiny-model"]),
      ])),
    );
    const client = await TestClient.authed(helper);
    const submit = async (i: number, modelId: string): Promise<string> => {
      client.send({ type: "generate", requestId: `r${i}`, clientJobId: `c${i}`, request: baseRequest({ prompt: `take ${i} #steps:4 #ms:40`, seed: i, modelId, output: { format: "h264", folder: out } }) });
      return (await client.waitFor<HelperMessageOf<"job.accepted">>((m) => m.type === "job.accepted" && m.requestId === `r${i}`)).jobId;
    };
    const jobs: [string, string][] = [];
    for (let i = 0; i < 6; i++) {
      const model = i % 2 ? "model-a" : "model-b";
      jobs.push([await submit(i, model), model]);
    }
    // the engine's model, run on the worker that drives it
    client.send({ type: "generate", requestId: "re", clientJobId: "ce", request: baseRequest({ prompt: "harbour at dawn", modelId: ENGINE_MODEL, frames: 24, width: 320, height: 180, steps: 6, output: { format: "h264", folder: out } }) });
    const engineJob = (await client.waitFor<HelperMessageOf<"job.accepted">>((m) => m.type === "job.accepted" && m.requestId === "re")).jobId;
    // the worker whose server is down has it alone until the other engine worker is up
    workers.push(await engineWorker("comfy", comfyData, []));
    for (const [jobId, model] of jobs) {
      const end = await client.waitFor((m) => (m.type === "job.done" || m.type === "job.failed") && m.jobId === jobId, 60_000);
      expect(end.type).toBe("job.done");
      const placed = client.jobEvents(jobId).filter((m): m is HelperMessageOf<"job.started"> => m.type === "job.started" && m.runsOn !== undefined);
      expect(placed.at(-1)!.runsOn).toBe(`farm worker has-${model.slice(-1)}`);
    }
    const engineEnd = await client.waitFor<HelperMessageOf<"job.done">>((m) => (m.type === "job.done" || m.type === "job.failed") && m.jobId === engineJob, 60_000);
    expect(engineEnd).toMatchObject({ type: "job.done", output: { frames: 24, record: { model: { id: ENGINE_MODEL }, engine: { kind: "comfyui", name: "studio-gpu", server: fake.url } } } });
    expect(createHash("sha256").update(readFileSync(engineEnd.output.path)).digest("hex")).toBe(engineEnd.output.sha256);
    expect(fake.promptIds.length).toBe(1);
    expect(engineEnd.output.record.machine).toEqual({ host: hostname(), worker: "comfy" });
    expect(client.jobEvents(engineJob).filter((m) => m.type === "job.started" && m.runsOn?.startsWith("farm worker")).map((m) => (m as HelperMessageOf<"job.started">).runsOn)).toEqual(["farm worker comfy"]);
    expect(helper.store.events(engineJob).map((e) => e.detail)).toContainEqual(expect.stringMatching(/^farm: comfy-down refused it: its engine server studio-gpu \(http:\/\/127\.0\.0\.1:\d+\) is not reachable/));
    // The farm's models are the union of the workers'; anything else is refused before it is queued.
    client.send({ type: "generate", requestId: "r9", clientJobId: "c9", request: baseRequest({ prompt: "nowhere", modelId: "model-z", output: { format: "h264", folder: out } }) });
    const refused = await client.waitFor<HelperMessageOf<"error">>((m) => m.type === "error" && m.requestId === "r9");
    expect(refused.code).toBe("E_MODEL_NOT_FOUND");
    expect(refused.message).toMatch(/model-a, model-b/);
    expect(outputs(out).length).toBe(7);
    expect(leftovers(out)).toEqual([]);

    const { stdout } = await exec(process.execPath, [BIN, "farm", "status", "--farm", redis.url, "--json"]);
    const status = JSON.parse(stdout) as { workers: { name: string; engine: string; engines?: { name: string; reachable: boolean }[]; models: { id: string }[] }[]; counts: Record<string, number> };
    const engineIds = engineModels(comfyData).models.map((m) => m.id);
    expect(status.workers.map((w) => [w.name, w.models.map((m) => m.id)])).toEqual([
      ["comfy", engineIds],
      ["comfy-down", engineIds],
      ["has-a", ["model-a"]],
      ["has-b", ["model-b"]],
    ]);
    expect(engineIds).toContain(ENGINE_MODEL);
    expect(status.workers[0]).toMatchObject({ engine: "comfyui:studio-gpu", engines: [{ name: "studio-gpu", reachable: true }] });
    expect(status.workers[1]).toMatchObject({ engines: [{ name: "studio-gpu", reachable: false }] });
    expect(status.workers[2]!.engine).toBe("onnx");
    expect(status.counts.completed).toBe(7);
    const text = await exec(process.execPath, [BIN, "farm", "status", "--farm", redis.url]);
    expect(text.stdout).toMatch(/workers: 4/);
    expect(text.stdout).toContain(`engine studio-gpu at ${fake.url}: ComfyUI`);
    expect(text.stdout).toMatch(/engine studio-gpu at http:\/\/127\.0\.0\.1:\d+: not reachable/);
    client.close();
  } finally {
    await Promise.all(workers.map(stopWorker));
    await stopHelper(helper);
    await redis.stop();
    await fake.close();
  }
}, 120_000);

run("a worker of another farm protocol says so and does not start; a bad --farm URL is refused with the fix", async () => {
  const redis = await RedisServer.start();
  const client = new Redis(redis.port, "127.0.0.1");
  try {
    await client.set("tessera:farm:coordinator", JSON.stringify({ version: "9.0.0", protocol: 99, seenAt: new Date().toISOString() }));
    const fail = (args: string[], env?: NodeJS.ProcessEnv) =>
      exec(process.execPath, [BIN, ...args], env ? { env } : {}).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
    const serve = async (args: string[]) => fail(["serve", "--data-dir", tempDir(), "--port", String(await freePort()), ...args]);
    // independent command lines, run side by side
    const [refused, noEngine, bad, unreachable, busy] = await Promise.all([
      fail(["worker", "--farm", redis.url, "--shared-dir", tempDir(), "--data-dir", tempDir()], { ...process.env, TESSERA_GENERATOR_MODULE: FAKE_GENERATOR_MODULE }),
      fail(["worker", "--farm", redis.url, "--shared-dir", tempDir(), "--data-dir", tempDir(), "--engine", "onnx,comfyui:nope"]),
      fail(["farm", "status", "--farm", "http://example.com"]),
      // serve --farm: a Redis that is not there, and a delivery port that is taken
      freePort().then((port) => serve(["--farm", `redis://127.0.0.1:${port}`])),
      serve(["--farm", redis.url, "--farm-listen", `127.0.0.1:${redis.port}`]),
    ]);
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toMatch(/farm protocol 1.*farm protocol 99/);
    expect(refused?.stderr).toMatch(/fix: Install the same Tessera version/);
    // an engine the worker's data dir does not have: named, with the command that adds it
    expect(noEngine?.code).toBe(2);
    expect(noEngine?.stderr).toMatch(/no ComfyUI engine named "nope" \(it has none\)[\s\S]*fix: .*tessera engines add comfyui/);
    expect(bad?.code).toBe(2);
    expect(bad?.stderr).toMatch(/redis:\/\/ or rediss:\/\//);
    expect(unreachable?.code).toBe(1);
    expect(unreachable?.stderr).toMatch(/Redis server cannot be reached.*ECONNREFUSED[\s\S]*fix: Check the --farm URL/);
    expect(busy?.code).toBe(2);
    expect(busy?.stderr).toMatch(/port \d+ is in use[\s\S]*--farm-listen/);
  } finally {
    client.disconnect();
    await redis.stop();
  }
}, 60_000);

async function startServe(dataDir: string, port: number, farmPort: number, url: string): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [BIN, "serve", "--data-dir", dataDir, "--port", String(port), "--farm", url, "--farm-listen", `127.0.0.1:${farmPort}`], {
    env: { ...process.env, TESSERA_GENERATOR_MODULE: FAKE_GENERATOR_MODULE },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  await new Promise<void>((res, rej) => {
    proc.stdout!.on("data", (c: Buffer) => {
      text += c.toString();
      if (text.includes("farm deliveries")) res();
    });
    proc.stderr!.on("data", (c: Buffer) => (text += c.toString()));
    proc.on("exit", (code) => rej(new Error(`serve exited ${code}: ${text}`)));
  });
  return proc;
}

run("the coordinator killed with kill -9 mid-run: restarted, it finds its jobs on the farm and publishes each once", async () => {
  const redis = await RedisServer.start();
  const dataDir = tempDir();
  const out = tempDir("tessera-farm-out-");
  const [port, farmPort] = [await freePort(), await freePort()];
  let serve = await startServe(dataDir, port, farmPort, redis.url);
  const workers: WorkerProcess[] = [];
  try {
    workers.push(await startWorker(redis, { name: "solo", tokenFile: join(dataDir, "farm-token") }));
    const token = readFileSync(join(dataDir, "token"), "utf8").trim();
    const connect = async (): Promise<TestClient> => {
      const c = await TestClient.connect(port);
      c.send({ type: "hello", protocol: 1, token });
      await c.waitFor((m) => m.type === "welcome");
      return c;
    };
    let client = await connect();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      client.send({ type: "generate", requestId: `r${i}`, clientJobId: `c${i}`, request: baseRequest({ prompt: `take ${i} #steps:20 #ms:50`, seed: i, output: { format: "h264", folder: out } }) });
      ids.push((await client.waitFor<HelperMessageOf<"job.accepted">>((m) => m.type === "job.accepted" && m.requestId === `r${i}`)).jobId);
    }
    await client.waitFor((m) => m.type === "job.progress" && m.jobId === ids[0] && m.step >= 5, 30_000);
    const exited = new Promise((r) => serve.once("exit", r));
    serve.kill("SIGKILL");
    await exited;
    await new Promise((r) => setTimeout(r, 1500)); // the worker finishes its job meanwhile and cannot deliver
    serve = await startServe(dataDir, port, farmPort, redis.url);
    client = await connect();
    const welcome = client.messages.find((m) => m.type === "welcome") as HelperMessageOf<"welcome">;
    expect(welcome.queue.map((e) => e.jobId).sort()).toEqual([...ids].sort());
    for (const jobId of ids) await client.waitFor((m) => (m.type === "job.done" || m.type === "job.failed") && m.jobId === jobId, 60_000);
    client.send({ type: "history.query", requestId: "h", limit: 10 });
    const history = await client.waitFor<HelperMessageOf<"history.result">>((m) => m.type === "history.result");
    expect(history.items.map((i) => i.state)).toEqual(["done", "done", "done"]);
    for (const item of history.items) expect(readFileSync(item.output!.path, "utf8").trimEnd().endsWith(`END ${item.jobId}`)).toBe(true);
    expect(outputs(out).length).toBe(3);
    expect(leftovers(out)).toEqual([]);
    client.close();
  } finally {
    await Promise.all(workers.map(stopWorker));
    const exited = new Promise((r) => serve.once("exit", r));
    serve.kill("SIGTERM");
    await exited;
    await redis.stop();
  }
}, 120_000);
