/** Running the real `tessera` command (bin/tessera.js) as a user would, in temp data dirs. */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";

export const ROOT = resolve(__dirname, "../..");
export const BIN = resolve(ROOT, "bin/tessera.js");
export const TINY = resolve(ROOT, "tests/fixtures/tiny-model");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs without the shipped reference model, so only what a test installs is there (and the tiny model is fast). */
export const NO_REFERENCE = { TESSERA_REFERENCE_DIR: "" };

export function tessera(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

export function freePort(): Promise<number> {
  return new Promise((res) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => res(port));
    });
  });
}

export interface Running {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when stdout has a line matching. */
  line(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<number>;
}

export function start(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; detached?: boolean } = {}): Running {
  const proc = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"], detached: options.detached });
  let out = "";
  let err = "";
  const waiters: (() => void)[] = [];
  proc.stdout!.on("data", (c: Buffer) => {
    out += c.toString();
    waiters.splice(0).forEach((w) => w());
  });
  proc.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number>((r) => proc.on("exit", (code, signal) => r(code ?? (signal ? 128 : 1))));
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    exited,
    async line(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = out.split("\n").map((l) => pattern.exec(l)).find((m) => m !== null);
        if (match) return match;
        if (Date.now() > deadline) throw new Error(`no line ${pattern} in:\n${out}\n${err}`);
        await Promise.race([new Promise<void>((r) => waiters.push(r)), new Promise((r) => setTimeout(r, 100)), exited]);
      }
    },
  };
}

export function serve(args: string[], env?: NodeJS.ProcessEnv): Running {
  return start(process.execPath, [BIN, "serve", ...args], { env });
}
