// Runs ffmpeg/ffprobe: argument arrays only (never a shell), a wall-clock timeout, and SIGKILL on abort or
// timeout. SIGKILL rather than SIGTERM on purpose: ffmpeg answers SIGTERM by finishing the file, and a finished
// half file is exactly what must never appear. Every child is tracked so none outlives its caller.
import { spawn, type ChildProcess } from "node:child_process";
import type { Writable } from "node:stream";

export interface ToolRunOptions {
  /** Kill the child after this many milliseconds (wall clock); Infinity: the caller calls timeOut() itself. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** "pipe" to stream input (encoders); otherwise stdin is closed. */
  stdin?: "pipe" | "ignore";
  /** Called with every stdout chunk (decoders); stdout is dropped when absent and collectStdout is false. */
  onStdout?: (chunk: Buffer) => void;
  /** Keep stdout in memory, up to maxStdoutBytes (probe JSON). */
  collectStdout?: boolean;
  maxStdoutBytes?: number;
  /** Called with each complete stderr line (showinfo timestamps). */
  onStderrLine?: (line: string) => void;
}

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  /** The last few KB of stderr, for error messages. */
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  /** Set when stdout outgrew maxStdoutBytes and the child was killed. */
  overflow: boolean;
  /** The spawn itself failed (e.g. ENOENT). */
  spawnError?: Error;
}

export interface RunningTool {
  readonly child: ChildProcess;
  /** The child's stdin when options.stdin is "pipe". */
  readonly stdin: Writable | null;
  /** Resolves once the child has exited and its pipes have closed; never rejects. */
  readonly done: Promise<ToolResult>;
  /** SIGKILL the child (idempotent). */
  kill(): void;
  /** SIGKILL the child and report it as timed out. */
  timeOut(): void;
}

const STDERR_TAIL = 8 * 1024;
const live = new Set<ChildProcess>();

/** How many ffmpeg/ffprobe children this process has running right now (tests assert it drops to 0). */
export function runningToolCount(): number {
  return live.size;
}

// If the helper exits, its children go with it.
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export function startTool(command: string, args: readonly string[], options: ToolRunOptions): RunningTool {
  const child = spawn(command, [...args], {
    shell: false,
    windowsHide: true,
    stdio: [options.stdin === "pipe" ? "pipe" : "ignore", "pipe", "pipe"],
  });
  live.add(child);
  const stdoutChunks: Buffer[] = [];
  let stdoutBytes = 0;
  let stderr = "";
  let partialLine = "";
  let timedOut = false;
  let aborted = false;
  let overflow = false;
  let spawnError: Error | undefined;

  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  const timeout = (): void => {
    timedOut = true;
    kill();
  };
  // Infinity means "the caller times it" (an encoder waits on the pipeline, then times its own finish).
  const timer = Number.isFinite(options.timeoutMs) ? setTimeout(timeout, options.timeoutMs) : undefined;
  const onAbort = (): void => {
    aborted = true;
    kill();
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });

  child.stdout?.on("data", (chunk: Buffer) => {
    options.onStdout?.(chunk);
    if (!options.collectStdout) return;
    stdoutBytes += chunk.length;
    if (options.maxStdoutBytes !== undefined && stdoutBytes > options.maxStdoutBytes) {
      overflow = true;
      kill();
      return;
    }
    stdoutChunks.push(chunk);
  });
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL);
    if (!options.onStderrLine) return;
    const lines = (partialLine + text).split(/\r?\n|\r/);
    partialLine = lines.pop() ?? "";
    for (const line of lines) options.onStderrLine(line);
  });
  // A child that dies while we write to it raises EPIPE on stdin; the exit result reports the failure.
  child.stdin?.on("error", () => undefined);

  const done = new Promise<ToolResult>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      live.delete(child);
      if (partialLine && options.onStderrLine) options.onStderrLine(partialLine);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdoutChunks),
        stderr: stderr.trim(),
        timedOut,
        aborted,
        overflow,
        spawnError,
      });
    };
    child.once("error", (err) => {
      spawnError = err;
      // When spawn fails no "close" follows.
      if (child.pid === undefined) finish(null, null);
    });
    child.once("close", finish);
  });

  return { child, stdin: child.stdin, done, kill, timeOut: timeout };
}

/** Runs a tool to completion (stdin closed) and returns what it printed. */
export function runTool(command: string, args: readonly string[], options: ToolRunOptions): Promise<ToolResult> {
  return startTool(command, args, { ...options, stdin: "ignore" }).done;
}

/** The last meaningful line of stderr: ffmpeg puts the cause there. */
export function lastErrorLine(stderr: string): string {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return lines.slice(-2).join(" / ").slice(0, 500);
}
