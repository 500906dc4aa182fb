// Decides whether bin/tessera.js may run the helper bundle in dist/helper instead of the TypeScript sources.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** What the bundle is built from: an edit to any of these makes it stale. */
export const BUNDLE_SOURCES = ["helper-service", "shared", "package.json"];

/** The record of the sources a bundle was built from, written beside its entry files. */
export const SOURCES_RECORD = "sources.json";

function stamp(root, path, into) {
  const full = join(root, path);
  const info = statSync(full);
  if (!info.isDirectory()) {
    into[path] = `${info.size}:${info.mtimeMs}`;
    return;
  }
  for (const name of readdirSync(full).sort()) stamp(root, `${path}/${name}`, into);
}

/**
 * Size and modification time of every source file, by path relative to `root`. A bundle is current while these
 * are exactly what they were at build time: any edit, added or removed file, or file put back from an older copy
 * (which "newer than the bundle" would miss) changes them.
 */
export function sourceStamps(root) {
  const stamps = {};
  for (const source of BUNDLE_SOURCES) if (existsSync(join(root, source))) stamp(root, source, stamps);
  return stamps;
}

function recorded(folder) {
  try {
    const record = JSON.parse(readFileSync(join(folder, SOURCES_RECORD), "utf8"));
    return record && typeof record.files === "object" && record.files !== null ? record.files : null;
  } catch {
    return null;
  }
}

/**
 * The bundle's entry file when it exists and was built from the sources under `root` as they are now, else null
 * (run the sources). `env.TESSERA_FROM_SOURCE=1` always answers null.
 */
export function currentBundle(root, env = process.env) {
  const folder = join(root, "dist", "helper");
  const bundle = join(folder, "cli.mjs");
  if (env.TESSERA_FROM_SOURCE === "1" || !existsSync(bundle)) return null;
  const then = recorded(folder);
  if (!then) return null;
  const now = sourceStamps(root);
  const paths = Object.keys(now);
  const same = paths.length === Object.keys(then).length && paths.every((path) => then[path] === now[path]);
  return same ? bundle : null;
}
