#!/usr/bin/env node
// Builds the panel and zips it into dist/tessera.ccx (a .ccx is a zip of the plugin folder with manifest.json at
// its root), then opens the archive again and checks it: the manifest is the repository's, its entry page and
// script are there, every icon it names exists at 1x and 2x, and nothing else rides along.
import AdmZip from "adm-zip";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildPanel } from "./build.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function filesUnder(folder) {
  const out = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

/** Every icon path the manifest names, with the @2x file its `scale: [1, 2]` implies. */
function iconFiles(manifest) {
  const icons = [...(manifest.icons ?? []), ...(manifest.entrypoints ?? []).flatMap((e) => e.icons ?? [])];
  const files = new Set();
  for (const icon of icons) {
    files.add(icon.path);
    if ((icon.scale ?? [1]).includes(2)) files.add(icon.path.replace(/(\.[a-z]+)$/i, "@2x$1"));
  }
  return [...files];
}

/** Problems with the archive at `ccxPath`; empty when it is good. */
export function verifyCcx(ccxPath) {
  const problems = [];
  const zip = new AdmZip(ccxPath);
  const entries = zip.getEntries().filter((e) => !e.isDirectory).map((e) => e.entryName);
  const manifestEntry = zip.getEntry("manifest.json");
  if (!manifestEntry) return ["manifest.json is not at the root of the archive"];
  let manifest;
  try {
    manifest = JSON.parse(manifestEntry.getData().toString("utf8"));
  } catch (error) {
    return [`manifest.json does not parse: ${error.message}`];
  }
  const source = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8"));
  if (JSON.stringify(manifest) !== JSON.stringify(source)) problems.push("manifest.json differs from the repository's");
  const wanted = [manifest.main, "index.js", "index.css", ...iconFiles(manifest)];
  for (const file of wanted) if (!entries.includes(file)) problems.push(`${file} is missing`);
  const extra = entries.filter((e) => !wanted.includes(e) && e !== "manifest.json" && !/^icons\/[\w@.-]+\.png$/.test(e));
  if (extra.length) problems.push(`unexpected files: ${extra.join(", ")}`);
  const script = zip.getEntry("index.js")?.getData().toString("utf8") ?? "";
  for (const external of ["premierepro", "uxp"]) {
    if (!script.includes(`"${external}"`)) problems.push(`index.js does not load "${external}" at run time`);
  }
  return problems;
}

/** Builds DIST/panel and zips it into DIST/tessera.ccx (`npm run dist` builds its own copy for the archives). */
export async function packageCcx(dist = join(root, "dist")) {
  const esbuild = (await import("esbuild")).default;
  const folder = await buildPanel(esbuild, dist);
  const out = join(dist, "tessera.ccx");
  rmSync(out, { force: true });
  const zip = new AdmZip();
  for (const file of filesUnder(folder)) {
    zip.addFile(relative(folder, file).split(sep).join("/"), readFileSync(file));
  }
  zip.writeZip(out);
  const problems = verifyCcx(out);
  if (problems.length) throw new Error(`dist/tessera.ccx is not right:\n  ${problems.join("\n  ")}`);
  const count = zip.getEntries().length;
  process.stdout.write(`package: ${relative(root, out)} (${count} files, ${statSync(out).size} bytes) verified\n`);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  packageCcx().catch((error) => {
    process.stderr.write(`package failed: ${error.message}\n`);
    process.exitCode = 1;
  });
}
