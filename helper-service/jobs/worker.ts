/**
 * The helper's side of the inference child process: starts it (render/child.ts through tsx, or the bundle's
 * child.mjs), hands it one job at a time, relays progress and previews, and ends it when it must: a cancel the
 * child does not honour within the grace period, or a step that stops reporting for longer than the step timeout
 * (a hung native call), is ended with SIGKILL and the child is started again. A child that dies on its own is
 * reported as a crash with its exit status and last stderr lines, so the queue can retry the job once.
 */
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { ERRORS, TesseraError, type ErrorBody } from "../../shared/errors.js";
import { describeIssues } from "../../shared/parse.js";
import type { JobOutput } from "../../shared/protocol.js";
import type { GeneratorConfig, GeneratorInfo, PreviewImage, Progress, RenderJob } from "../render/generator.js";
import { FromChildSchema, type ChildArgs, type FromChild, type ToChild } from "../render/ipc.js";
import { childForkOptions, takeStandbyChild } from "../../bin/standby-child.js";
import { childEntry } from "../runtime-entry.js";

export type Outcome =
  | { kind: "done"; output: JobOutput }
  | { kind: "failed"; error: ErrorBody }
  | { kind: "cancelled" }
  /** The child died while running the job (not by our hand): the job may be retried. */
  | { kind: "crashed"; reason: string };

export interface RunHooks {
  onProgress(progress: Progress): void;
  onPreview(preview: PreviewImage): void;
  onNotice(level: "info" | "warning", message: string): void;
  /** The job now runs somewhere else than this machine (a farm worker), or moved there after a retry. */
  onPlacement?(where: string): void;
  /** A line for the job's journal: what happened to a run elsewhere (a retry on the farm, a refusal). */
  onRecord?(detail: string): void;
}

/** What the queue needs from whatever runs jobs; the child-process host is the real one. */
export interface Runner {
  run(job: RenderJob, hooks: RunHooks): Promise<Outcome>;
  cancel(jobId: string): void;
}

export interface WorkerOptions {
  config: GeneratorConfig;
  /** A module whose default export is a GeneratorFactory (tests); the real pipeline when absent. */
  generatorModule?: string;
  /** No message from a running job for this long means a hung step (default 10 minutes). */
  stepTimeoutMs?: number;
  /** How long a cancelled job may take to stop between steps before the process is killed (default 1.5 s). */
  cancelGraceMs?: number;
  /** How long the child may take to load before it counts as failed (default 2 minutes). */
  startTimeoutMs?: number;
  onSpawn?: (pid: number) => void;
  log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

interface Running {
  job: RenderJob;
  hooks: RunHooks;
  resolve(outcome: Outcome): void;
  cancelRequested: boolean;
  killedFor?: "cancel" | "timeout";
  watchdog?: NodeJS.Timeout;
  grace?: NodeJS.Timeout;
}

export class WorkerHost extends EventEmitter<{ ready: [GeneratorInfo]; fatal: [ErrorBody] }> implements Runner {
  private child: ChildProcess | undefined;
  private readyChild: ChildProcess | undefined;
  private ready: Promise<GeneratorInfo> | undefined;
  private running: Running | undefined;
  private stderrTail = "";
  private stopped = false;
  private restarts = 0;
  info: GeneratorInfo | undefined;

  constructor(private readonly options: WorkerOptions) {
    super();
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the child (if not running) and resolves with its device and models once it has loaded. */
  start(): Promise<GeneratorInfo> {
    if (this.ready) return this.ready;
    const args: ChildArgs = { config: this.options.config, generatorModule: this.options.generatorModule };
    const entry = childEntry(import.meta.url, "child", "../render/child.ts", args.generatorModule ? [args.generatorModule] : []);
    // a child bin/tessera.js started in standby for this run (real pipeline, same entry) is configured, not forked
    const standby = args.generatorModule || entry.execArgv.length > 0 ? undefined : takeStandbyChild(entry.file);
    const child = standby ?? fork(entry.file, [JSON.stringify(args)], childForkOptions(entry.execArgv));
    if (standby) {
      standby.send({ type: "configure", config: this.options.config } satisfies ToChild);
      this.options.log?.info({ childPid: standby.pid }, "generator process taken from standby");
    }
    this.child = child;
    this.stderrTail = "";
    if (child.pid !== undefined) this.options.onSpawn?.(child.pid);
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-2000);
    });
    this.ready = new Promise<GeneratorInfo>((resolveReady, rejectReady) => {
      const timer = setTimeout(() => {
        rejectReady(new TesseraError("E_WORKER_CRASHED", "The generator did not finish loading in time."));
        killTree(child);
      }, this.options.startTimeoutMs ?? 120_000);
      child.on("message", (raw: unknown) => {
        const parsed = FromChildSchema.safeParse(raw);
        if (!parsed.success) {
          this.options.log?.warn({ issues: describeIssues(parsed.error) }, "bad message from the generator process");
          return;
        }
        const message = parsed.data;
        if (message.type === "ready") {
          clearTimeout(timer);
          this.info = message.info;
          this.readyChild = child;
          this.restarts = 0;
          this.emit("ready", message.info);
          resolveReady(message.info);
        } else if (message.type === "fatal") {
          clearTimeout(timer);
          this.emit("fatal", message.error);
          rejectReady(new TesseraError(message.error.code, message.error.message.replace(ERRORS[message.error.code].message, "").trim() || undefined, { hint: message.error.hint }));
        } else if (message.type === "info") {
          this.info = message.info;
          this.infoWaiters.splice(0).forEach((w) => w());
        } else this.onJobMessage(message);
      });
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        rejectReady(new TesseraError("E_WORKER_CRASHED", `It exited while loading (${exitText(code, signal)}). ${this.tail()}`));
        this.onExit(child, code, signal);
      });
      child.on("error", (error) => this.options.log?.warn({ err: error.message }, "generator process error"));
    });
    // A rejection nobody awaits yet must not crash the helper; run() reports it per job.
    this.ready.catch(() => undefined);
    return this.ready;
  }

  private tail(): string {
    const lines = this.stderrTail.trim().split("\n").slice(-3).join(" | ");
    return lines ? `Last output: ${lines}` : "";
  }

  async run(job: RenderJob, hooks: RunHooks): Promise<Outcome> {
    if (this.running) throw new Error("the worker already runs a job");
    return new Promise<Outcome>((resolveOutcome) => {
      const running: Running = { job, hooks, resolve: resolveOutcome, cancelRequested: false };
      this.running = running;
      this.start().then(
        () => {
          if (this.running !== running) return;
          if (running.cancelRequested) return this.finish({ kind: "cancelled" });
          this.armWatchdog();
          if (this.child) this.post(this.child, { type: "run", job });
        },
        (error: unknown) => {
          if (this.running !== running) return;
          const e = error instanceof TesseraError ? error : new TesseraError("E_WORKER_CRASHED", String(error));
          this.finish({ kind: "failed", error: bodyOf(e) });
        },
      );
    });
  }

  cancel(jobId: string): void {
    const running = this.running;
    if (!running || running.job.jobId !== jobId || running.cancelRequested) return;
    running.cancelRequested = true;
    if (!this.child || this.readyChild !== this.child) return; // still loading: run() sees the flag once the child is ready
    this.post(this.child, { type: "cancel", jobId });
    running.grace = setTimeout(() => this.kill("cancel"), this.options.cancelGraceMs ?? 1500);
  }

  private post(child: ChildProcess, message: ToChild): void {
    if (child.connected) child.send(message);
  }

  private armWatchdog(): void {
    const running = this.running;
    if (!running) return;
    clearTimeout(running.watchdog);
    running.watchdog = setTimeout(() => this.kill("timeout"), this.options.stepTimeoutMs ?? 600_000);
  }

  private kill(reason: "cancel" | "timeout"): void {
    if (!this.running || !this.child) return;
    this.running.killedFor = reason;
    this.options.log?.warn({ jobId: this.running.job.jobId, reason }, "ending the generator process");
    killTree(this.child);
  }

  private readonly infoWaiters: (() => void)[] = [];

  /** Asks the child to list the models again; resolves with the fresh info, or what is known after `timeoutMs`. */
  async refreshInfo(timeoutMs = 2000): Promise<GeneratorInfo | undefined> {
    const child = this.child;
    if (!child || this.readyChild !== child) return this.info;
    await new Promise<void>((resolveInfo) => {
      const timer = setTimeout(resolveInfo, timeoutMs);
      this.infoWaiters.push(() => {
        clearTimeout(timer);
        resolveInfo();
      });
      this.post(child, { type: "info" });
    });
    return this.info;
  }

  /** Resolves when the child has loaded, or after `timeoutMs` (whichever is first). */
  async whenReady(timeoutMs: number): Promise<void> {
    if (this.readyChild && this.readyChild === this.child) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.start().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  private onJobMessage(message: Exclude<FromChild, { type: "ready" | "fatal" | "info" }>): void {
    const running = this.running;
    if (!running || ("jobId" in message && message.jobId !== undefined && message.jobId !== running.job.jobId)) return;
    this.armWatchdog();
    switch (message.type) {
      case "progress":
        running.hooks.onProgress(message.progress);
        return;
      case "preview":
        running.hooks.onPreview(message);
        return;
      case "notice":
        running.hooks.onNotice(message.level, message.message);
        return;
      case "done":
        return this.finish({ kind: "done", output: message.output });
      case "failed":
        return this.finish(running.cancelRequested && message.error.code === "E_CANCELLED" ? { kind: "cancelled" } : { kind: "failed", error: message.error });
      case "cancelled":
        return this.finish({ kind: "cancelled" });
    }
  }

  private finish(outcome: Outcome): void {
    const running = this.running;
    if (!running) return;
    clearTimeout(running.watchdog);
    clearTimeout(running.grace);
    this.running = undefined;
    running.resolve(outcome);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.ready = undefined;
    const running = this.running;
    if (running) {
      if (running.killedFor === "cancel" || (running.cancelRequested && running.killedFor === undefined)) {
        this.finish({ kind: "cancelled" });
      } else if (running.killedFor === "timeout") {
        const seconds = Math.round((this.options.stepTimeoutMs ?? 600_000) / 1000);
        this.finish({ kind: "failed", error: bodyOf(new TesseraError("E_TIMEOUT", `No progress for ${seconds} s.`)) });
      } else {
        this.finish({ kind: "crashed", reason: `The generator process stopped (${exitText(code, signal)}). ${this.tail()}`.trim() });
      }
    }
    if (this.stopped) return;
    // Start again so the next job finds a loaded generator; back off if it keeps dying on start.
    const delay = Math.min(30_000, this.restarts === 0 ? 0 : 500 * 2 ** this.restarts);
    this.restarts++;
    setTimeout(() => {
      if (!this.stopped && !this.child) this.start();
    }, delay).unref();
  }

  /** Lets the child abort and clean up (closing IPC tells it to), then kills it if it lingers. */
  /**
   * Lets the child go after the last job without waiting for it: the channel closes, the child closes its
   * generator (sessions, exiftool) and exits by itself (render/child.ts, with its own time limit), and this
   * process no longer keeps running for it. The command line uses it once its file is written.
   */
  release(): void {
    this.stopped = true;
    const child = this.child;
    if (!child || exited(child)) return;
    if (!child.connected) {
      killTree(child);
      return;
    }
    child.disconnect();
    child.stderr?.destroy();
    child.unref();
  }

  async stop(graceMs = 3000): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (!child || exited(child)) return;
    await new Promise<void>((resolveStop) => {
      const timer = setTimeout(() => killTree(child), graceMs);
      child.once("exit", () => {
        clearTimeout(timer);
        resolveStop();
      });
      if (child.connected) child.disconnect();
      else killTree(child);
    });
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGKILL for the child and everything it started (its process group on POSIX, the tree on Windows). */
export function killTree(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  try {
    if (process.platform === "win32") {
      execFileSync("taskkill", ["/pid", String(pid), "/T", "/F"], { stdio: "ignore" });
    } else process.kill(-pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `exit code ${code ?? "?"}`;
}

function bodyOf(error: TesseraError): ErrorBody {
  return { code: error.code, message: error.message, hint: error.hint };
}
