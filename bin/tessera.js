#!/usr/bin/env node
// Runs the helper: the bundle in dist/helper (built by `npm install`'s prepare step or `npm run build`) while the
// helper sources are as they were when it was built, else the TypeScript sources through tsx. An edit takes
// effect at once, a fresh clone works right after `npm ci`, and the bundle saves tsx's start-up in both
// processes of a generate.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { currentBundle } from "./current-bundle.js";
import { runBundle } from "./standby-child.js";

const bundle = currentBundle(join(dirname(fileURLToPath(import.meta.url)), ".."));
if (bundle) {
  // a job's inference child starts loading now, alongside the command line (bin/standby-child.js)
  await runBundle(bundle, process.argv[2]);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../helper-service/cli.ts");
}
