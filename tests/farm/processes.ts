/**
 * Real processes for the farm tests and the farm benchmark: a redis-server on a free loopback port (AOF on,
 * fsync always, so a kill -9 loses nothing, as the deploy docs advise) and `tessera worker` processes running
 * the scripted generator. Paths are from the repository root (the working folder of jest and npm scripts).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const FAKE_GENERATOR_MODULE = resolve("tests/jobs/fixtures/fake-generator.ts");

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export const BIN = resolve("bin/tessera.js");

export function redisAvailable(): boolean {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** (tests/cli/support.ts has one too, but that module needs CommonJS's __dirname; this one also loads as ESM.) */
export function freePort(): Promise<number> {
  return new Promise((res) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => res(port));
    });
  });
}

/** Waits for `pattern` on the process's stdout (or stderr), or rejects when it exits first. */
function waitForLine(proc: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  let text = "";
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`timed out waiting for ${pattern}: ${text.slice(-2000)}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      const match = pattern.exec(text);
      if (match) {
        clearTimeout(timer);
        res(match[0]);
      }
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", onData);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      rej(new Error(`exited ${code} before ${pattern}: ${text.slice(-2000)}`));
    });
  });
}

interface RedisOptions {
  /** Server certificate, key and the CA that signed it: TLS only, no client certificates. */
  tls?: { cert: string; key: string; ca: string };
  password?: string;
}

export class RedisServer {
  proc: ChildProcess | undefined;
  readonly dir = tempDir("tessera-redis-");
  private constructor(
    readonly port: number,
    private readonly options: RedisOptions,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(options: RedisOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), options);
    await server.launch();
    return server;
  }

  async launch(): Promise<void> {
    const { tls, password } = this.options;
    const listen = tls
      ? ["--port", "0", "--tls-port", String(this.port), "--tls-cert-file", tls.cert, "--tls-key-file", tls.key, "--tls-ca-cert-file", tls.ca, "--tls-auth-clients", "no"]
      : ["--port", String(this.port)];
    const args = [...listen, ...(password ? ["--requirepass", password] : []), "--bind", "127.0.0.1", "--dir", this.dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no"];
    const proc = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    this.proc = proc;
    await waitForLine(proc, /Ready to accept connections/, 15_000);
  }

  async kill9(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGKILL");
    await exited;
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGTERM");
    await exited;
  }
}

export interface WorkerProcess {
  name: string;
  dataDir: string;
  proc: ChildProcess;
  output(): string;
}

/** `tessera worker` as a separate process, with the scripted generator and a short lock (quick stall pick-up). */
export async function startWorker(redis: RedisServer, options: { name: string; dataDir?: string; tokenFile?: string; sharedDir?: string; lockMs?: number; extraEnv?: Record<string, string>; extraArgs?: string[] }): Promise<WorkerProcess> {
  const dataDir = options.dataDir ?? tempDir("tessera-worker-");
  const args = [BIN, "worker", "--farm", redis.url, "--name", options.name, "--data-dir", dataDir];
  if (options.tokenFile) args.push("--farm-token-file", options.tokenFile);
  if (options.sharedDir) args.push("--shared-dir", options.sharedDir);
  args.push(...(options.extraArgs ?? []));
  const proc = spawn(process.execPath, args, {
    env: { ...process.env, TESSERA_GENERATOR_MODULE: FAKE_GENERATOR_MODULE, TESSERA_FARM_LOCK_MS: String(options.lockMs ?? 3000), ...options.extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: a kill -9 of the group takes its generator child too, as a dead machine would
  });
  let text = "";
  proc.stdout!.on("data", (c: Buffer) => (text += c.toString()));
  proc.stderr!.on("data", (c: Buffer) => (text += c.toString()));
  await waitForLine(proc, new RegExp(`tessera worker ${options.name} ready`), 60_000);
  return { name: options.name, proc, dataDir, output: () => text };
}

/** kill -9 of a worker and its generator process: a GPU box that lost power. */
export async function killWorker(worker: WorkerProcess): Promise<void> {
  const { proc } = worker;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once("exit", r));
  try {
    process.kill(-proc.pid!, "SIGKILL");
  } catch {
    proc.kill("SIGKILL");
  }
  await exited;
}

export async function stopWorker(worker: WorkerProcess): Promise<void> {
  const { proc } = worker;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGTERM");
  const timer = setTimeout(() => void killWorker(worker), 10_000);
  await exited;
  clearTimeout(timer);
}

