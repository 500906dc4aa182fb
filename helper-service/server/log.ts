/**
 * Logging: pino JSON lines to DATA_DIR/logs/helper.log (info and up) and a short human line on stderr for
 * warnings and errors. The token never reaches a log (redacted by key wherever it appears); prompts appear only
 * as length and hash at info level (see safety/audit.ts promptSummary).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import pino, { type Logger } from "pino";

export type { Logger };

const LEVEL_NAMES: Readonly<Record<number, string>> = { 30: "info", 40: "warning", 50: "error", 60: "fatal" };

/** Turns a pino JSON line into "tessera: warning: message (key=value ...)". */
function humanLine(line: string): string {
  try {
    const { level, msg, time: _t, pid: _p, hostname: _h, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const extras = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
      .join(" ");
    return `tessera: ${LEVEL_NAMES[level as number] ?? "log"}: ${String(msg)}${extras ? ` (${extras})` : ""}\n`;
  } catch {
    return line;
  }
}

export interface LoggerOptions {
  /** Also write warnings and errors to stderr (off in tests). */
  stderr?: boolean;
  /** File name inside DATA_DIR/logs. */
  file?: string;
}

export function createLogger(dataDir: string, options: LoggerOptions = {}): Logger {
  const dir = join(dataDir, "logs");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const streams: pino.StreamEntry[] = [
    { level: "info", stream: pino.destination({ dest: join(dir, options.file ?? "helper.log"), sync: true, mode: 0o600 }) },
  ];
  if (options.stderr !== false) {
    streams.push({ level: "warn", stream: { write: (line: string) => process.stderr.write(humanLine(line)) } });
  }
  return pino(
    {
      level: "info",
      base: { pid: process.pid },
      redact: { paths: ["token", "*.token", "headers.authorization", "req.headers.authorization"], censor: "[redacted]" },
    },
    pino.multistream(streams),
  );
}

/** A logger that drops everything (commands that must not create log files). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
