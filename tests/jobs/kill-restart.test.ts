/**
 * kill -9 of the helper (`tessera serve`, a separate process) in the middle of jobs, 20 times, restarting it each
 * time on the same data dir. A job killed once is retried and finishes; a job killed on both attempts fails with
 * the reason. No partial file is ever left in the output folder, the history stays whole, and no generator
 * process outlives its helper for long.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { openSqlite } from "../../helper-service/jobs/sqlite.js";
import type { HelperMessageOf } from "../../shared/protocol.js";
import { isAlive, readInstance } from "../../helper-service/server/instance.js";
import { baseRequest, eventually, FAKE_GENERATOR, tempDir, TestClient } from "../server/support.js";

const BIN = resolve(__dirname, "../../bin/tessera.js");
const KILLS = 20;

function freePort(): Promise<number> {
  return new Promise((res) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => res(port));
    });
  });
}

async function startServe(dataDir: string, port: number): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [BIN, "serve", "--data-dir", dataDir, "--port", String(port)], {
    env: { ...process.env, TESSERA_GENERATOR_MODULE: FAKE_GENERATOR },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  proc.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  await new Promise<void>((res, rej) => {
    proc.stdout!.on("data", (c: Buffer) => {
      stdout += c.toString();
      if (stdout.includes(`tessera listening on ws://127.0.0.1:${port}`)) res();
    });
    proc.on("exit", (code) => rej(new Error(`serve exited ${code}: ${stderr}`)));
  });
  return proc;
}

async function kill9(proc: ChildProcess): Promise<void> {
  const exited = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGKILL");
  await exited;
}

interface Job {
  jobId: string;
  plan: "once" | "twice";
}

test(`kill -9 of the helper mid-job, ${KILLS} times: retried once or failed, no partial file, history intact`, async () => {
  const dataDir = tempDir();
  const out = tempDir("tessera-out-");
  const port = await freePort();
  const jobs: Job[] = [];
  const workerPids = new Set<number>();
  let current: Job | undefined;
  let kills = 0;
  const alive = new Set<ChildProcess>();
  const launch = async (): Promise<ChildProcess> => {
    const proc = await startServe(dataDir, port);
    alive.add(proc);
    proc.once("exit", () => alive.delete(proc));
    return proc;
  };

  const connect = async (): Promise<TestClient> => {
    const token = readFileSync(join(dataDir, "token"), "utf8").trim();
    const client = await TestClient.connect(port);
    client.send({ type: "hello", protocol: 1, token });
    await client.waitFor((m) => m.type === "welcome");
    return client;
  };
  const midJob = (client: TestClient, jobId: string, from = 0) =>
    client.waitFor((m) => m.type === "job.progress" && m.jobId === jobId && m.step >= 2, 20_000, from);

  try {
    while (kills < KILLS) {
      const serve = await launch();
      const client = await connect();
      const welcome = client.messages.find((m) => m.type === "welcome") as HelperMessageOf<"welcome">;
      const instance = readInstance(join(dataDir, "helper.json"));
      if (instance?.workerPid) workerPids.add(instance.workerPid);
      if (current) {
        // The interrupted job is back for its second attempt.
        expect(welcome.queue.map((e) => e.jobId)).toContain(current.jobId);
        await midJob(client, current.jobId);
        if (current.plan === "twice") {
          await kill9(serve);
          kills++;
          current = undefined;
          continue;
        }
        const end = await client.waitFor((m) => (m.type === "job.done" || m.type === "job.failed") && m.jobId === current!.jobId, 20_000);
        expect(end.type).toBe("job.done");
        current = undefined;
      }
      const plan = jobs.length % 2 === 0 ? "twice" : "once";
      const requestId = `r${jobs.length}`;
      client.send({
        type: "generate",
        requestId,
        clientJobId: `kill-${jobs.length}`,
        request: baseRequest({ prompt: `take ${jobs.length} ${plan} #steps:40 #ms:15`, output: { format: "h264", folder: out } }),
      });
      const accepted = await client.waitFor<HelperMessageOf<"job.accepted">>((m) => m.type === "job.accepted" && m.requestId === requestId);
      current = { jobId: accepted.jobId, plan };
      jobs.push(current);
      await midJob(client, current.jobId);
      expect(readdirSync(out).some((n) => n.includes(".tessera-partial-"))).toBe(true);
      await kill9(serve);
      kills++;
    }

    // A last start settles the last job; then everything is checked.
    const serve = await launch();
    const client = await connect();
    if (current?.plan === "once") {
      await client.waitFor((m) => m.type === "job.done" && m.jobId === current!.jobId, 20_000);
    }
    client.send({ type: "history.query", requestId: "all", limit: 200 });
    const history = await client.waitFor<HelperMessageOf<"history.result">>((m) => m.type === "history.result");
    client.close();
    const stopped = new Promise((r) => serve.once("exit", r));
    serve.kill("SIGTERM");
    await stopped;

    expect(kills).toBe(KILLS);
    expect(history.items.length).toBe(jobs.length);
    const files = readdirSync(out);
    expect(files.filter((n) => n.includes(".tessera-partial-"))).toEqual([]);
    const db = openSqlite(join(dataDir, "tessera.db"), { readonly: true });
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    for (const job of jobs) {
      const item = history.items.find((i) => i.jobId === job.jobId)!;
      const states = (db.prepare("SELECT state FROM job_events WHERE job_id = ? ORDER BY id").all(job.jobId) as { state: string }[]).map((r) => r.state);
      const attempts = (db.prepare("SELECT attempts FROM jobs WHERE job_id = ?").get(job.jobId) as { attempts: number }).attempts;
      expect(attempts).toBe(2);
      expect(states[0]).toBe("queued");
      expect(states.filter((s) => s === "queued").length).toBe(2);
      if (job.plan === "twice") {
        expect(item.state).toBe("failed");
        expect(item.error?.code).toBe("E_WORKER_CRASHED");
        expect(states.at(-1)).toBe("failed");
        expect(files.some((n) => n.includes(job.jobId.slice(0, 8)))).toBe(false);
      } else {
        expect(item.state).toBe("done");
        expect(states.at(-1)).toBe("done");
        expect(readFileSync(item.output!.path, "utf8").trimEnd().endsWith(`END ${job.jobId}`)).toBe(true);
      }
    }
    db.close();
    // The generator processes of killed helpers are gone too.
    await eventually(() => [...workerPids].every((pid) => !isAlive(pid)), 10_000);
  } finally {
    for (const proc of alive) proc.kill("SIGKILL");
  }
}, 120_000);
