/**
 * The access token: 256 random bits, hex, one line in DATA_DIR/token with user-only permissions. It survives
 * restarts (a paired panel keeps working) and is never logged. Comparison hashes both sides first so that
 * timingSafeEqual sees equal lengths and the time taken says nothing about the token.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const TOKEN_FILE = "token";
const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

export function tokenPath(dataDir: string): string {
  return join(dataDir, TOKEN_FILE);
}

export function newToken(): string {
  return randomBytes(32).toString("hex");
}

/** Reads DATA_DIR/token, creating it (atomically, mode 0600) when absent or unreadable as a token. */
export function loadOrCreateToken(dataDir: string): string {
  const path = tokenPath(dataDir);
  if (existsSync(path)) {
    const text = readFileSync(path, "utf8").trim();
    if (TOKEN_PATTERN.test(text)) {
      chmodSync(path, 0o600);
      return text;
    }
  }
  const token = newToken();
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${token}\n`, { mode: 0o600 });
  renameSync(temp, path);
  chmodSync(path, 0o600);
  return token;
}

/** Reads the token without creating one (for commands that talk to a running helper). */
export function readToken(dataDir: string): string | undefined {
  const path = tokenPath(dataDir);
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, "utf8").trim();
  return TOKEN_PATTERN.test(text) ? text : undefined;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

export function tokensMatch(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}
