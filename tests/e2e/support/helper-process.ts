// The real helper for browser tests: `tessera serve --harness` in its own process group (so a kill takes its
// generator child with it), with the lines it prints collected for waiting on.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { join } from "node:path";

export const ROOT = join(__dirname, "..", "..", "..");

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  server.close();
  await once(server, "close");
  return port;
}

export interface HelperOptions {
  port: number;
  dataDir: string;
  model: string;
}

export class HelperProcess {
  private output = "";
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(options: HelperOptions, timeoutMs = 60_000): Promise<HelperProcess> {
    const args = ["bin/tessera.js", "serve", "--harness", "--port", String(options.port), "--data-dir", options.dataDir, "--model", options.model];
    const child = spawn(process.execPath, args, { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    let exited = false;
    child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (text += d.toString()));
    child.once("exit", () => (exited = true));
    const deadline = Date.now() + timeoutMs;
    // ready = the harness address is printed and the generator has loaded the model
    while (!/panel harness at (http:\/\/127\.0\.0\.1:\d+\/)[\s\S]*\nmodel \S+/.test(text)) {
      if (exited) throw new Error(`the helper exited while starting:\n${text.slice(-2000)}`);
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`the helper did not get ready in ${timeoutMs} ms:\n${text.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const url = /panel harness at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text)?.[1] ?? "";
    const helper = new HelperProcess(child, url);
    helper.output = text;
    child.stdout?.on("data", (d: Buffer) => (helper.output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (helper.output += d.toString()));
    child.once("exit", () => (helper.exited = true));
    return helper;
  }

  log(): string {
    return this.output;
  }

  /** A crash: SIGKILL to the whole process group, generator included. */
  async kill(): Promise<void> {
    await this.signal("SIGKILL");
  }

  async stop(): Promise<void> {
    await this.signal("SIGTERM", 5000);
    if (!this.exited) await this.signal("SIGKILL");
  }

  private async signal(signal: NodeJS.Signals, waitMs = 10_000): Promise<void> {
    if (this.exited || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      return; // already gone
    }
    const deadline = Date.now() + waitMs;
    while (!this.exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
}
