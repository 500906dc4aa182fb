// Decides whether bin/tessera.js may run the helper bundle in dist/helper instead of the TypeScript sources.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** What the bundle is built from: an edit to any of these makes it stale. */
export const BUNDLE_SOURCES = ["helper-service", "shared", "package.json"];

function newestMtime(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/**
 * The bundle's entry file when it exists and is newer than every source under `root`, else null (run the
 * sources). `env.TESSERA_FROM_SOURCE=1` always answers null.
 */
export function currentBundle(root, env = process.env) {
  const bundle = join(root, "dist", "helper", "cli.mjs");
  if (env.TESSERA_FROM_SOURCE === "1" || !existsSync(bundle)) return null;
  const built = statSync(bundle).mtimeMs;
  const fresh = BUNDLE_SOURCES.every((source) => !existsSync(join(root, source)) || newestMtime(join(root, source)) < built);
  return fresh ? bundle : null;
}
