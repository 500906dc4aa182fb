/**
 * The append-only audit log: one JSON line per request and per outcome, in DATA_DIR/audit.log. It records what
 * was asked, by which client and what came of it (including policy refusals). It never holds the access token or
 * a pairing code; prompts are recorded here (this file is the accountability record, readable only by the user),
 * while the normal log carries only their length and a short hash at info level.
 */
import { closeSync, fsyncSync, openSync, writeSync, chmodSync } from "node:fs";
import { createHash } from "node:crypto";

export type AuditEvent =
  | "request"
  | "refused"
  | "accepted"
  | "duplicate"
  | "started"
  | "done"
  | "failed"
  | "cancelled"
  | "retried"
  | "paired"
  | "auth-refused";

export interface AuditRecord {
  event: AuditEvent;
  jobId?: string;
  clientJobId?: string;
  client?: string;
  prompt?: string;
  negativePrompt?: string;
  seed?: number;
  modelId?: string;
  workflow?: string;
  projectId?: string;
  sequenceId?: string;
  code?: string;
  reason?: string;
  output?: string;
  sha256?: string;
}

/** Keys that must never reach the audit file, whatever a caller passes. */
const FORBIDDEN = new Set(["token", "code6", "pairingCode", "authorization"]);

export class AuditLog {
  private fd: number | undefined;

  constructor(readonly path: string) {
    // "a": O_APPEND, so each line lands at the end even with two writers; user-only permissions.
    this.fd = openSync(path, "a", 0o600);
    chmodSync(path, 0o600);
  }

  write(record: AuditRecord): void {
    if (this.fd === undefined) return;
    const clean: Record<string, unknown> = { at: new Date().toISOString() };
    for (const [key, value] of Object.entries(record)) if (!FORBIDDEN.has(key) && value !== undefined) clean[key] = value;
    writeSync(this.fd, `${JSON.stringify(clean)}\n`);
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

/** What the normal log may say about a prompt: its length and a short hash, never the text. */
export function promptSummary(prompt: string): { promptChars: number; promptHash: string } {
  return { promptChars: prompt.length, promptHash: createHash("sha256").update(prompt).digest("hex").slice(0, 12) };
}
