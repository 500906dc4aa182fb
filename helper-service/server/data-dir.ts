/**
 * The helper's data dir (default: the OS user config dir, e.g. ~/.config/tessera): token, job database, audit
 * log, logs, installed models, default output folder. Created user-only.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** Creates the data dir user-only; an existing folder keeps its permissions (it may be shared, like /tmp). */
export function ensureDataDir(dir: string): string {
  const path = resolve(dir);
  if (!existsSync(path)) mkdirSync(path, { recursive: true, mode: 0o700 });
  return path;
}

export const dataPaths = (dir: string) => ({
  db: join(dir, "tessera.db"),
  audit: join(dir, "audit.log"),
  policy: join(dir, "policy.json"),
  pairing: join(dir, "pairing.json"),
  instance: join(dir, "helper.json"),
  models: join(dir, "models"),
  media: join(dir, "media"),
});

/** The package version, read from package.json next to the code. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
  return pkg.version ?? "0.0.0";
}
