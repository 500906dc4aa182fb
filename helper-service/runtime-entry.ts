/**
 * Where the helper's other entry points are. bin/tessera.js runs either the TypeScript sources through tsx or,
 * when it is up to date, the bundle in dist/helper (plain .mjs files side by side, built by scripts/build.mjs).
 * A module knows which from its own URL.
 */
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

/** True in dist/helper/*.mjs. */
export function bundled(moduleUrl: string): boolean {
  return moduleUrl.endsWith(".mjs");
}

/** The entry `name` (e.g. "child") as a file URL: `./NAME.mjs` in the bundle, else `sourcePath` (relative). */
export function entryUrl(moduleUrl: string, name: string, sourcePath: string): URL {
  return new URL(bundled(moduleUrl) ? `./${name}.mjs` : sourcePath, moduleUrl);
}

/**
 * How to start a child process on that entry: the bundle needs plain node, the sources need tsx, and so does a
 * bundled child that will import a TypeScript module (a generator module given by path, as tests do).
 */
export function childEntry(moduleUrl: string, name: string, sourcePath: string, imports: string[] = []): { file: string; execArgv: string[] } {
  const file = fileURLToPath(entryUrl(moduleUrl, name, sourcePath));
  const needsTsx = !bundled(moduleUrl) || imports.some((path) => /\.[cm]?tsx?$/.test(path));
  return { file, execArgv: needsTsx ? ["--import", pathToFileURL(createRequire(moduleUrl).resolve("tsx")).href] : [] };
}
