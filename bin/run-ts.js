#!/usr/bin/env node
// Runs a TypeScript entry point of this package: `node bin/run-ts.js bench/run.ts [args...]`.
import { register } from "tsx/esm/api";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node bin/run-ts.js FILE.ts [args...]");
  process.exit(2);
}
process.argv = [process.argv[0], resolve(entry), ...rest];
register();
await import(pathToFileURL(resolve(entry)).href);
