#!/usr/bin/env node
// Builds what ships and what the helper serves:
//   dist/panel/    the UXP panel: one IIFE bundle (premierepro, uxp and fs stay external: UXP provides them),
//                  its stylesheet, index.html, manifest.json and icons. `npm run package` zips this folder.
//   dist/harness/  the browser harness the helper serves with --harness (index.html keeps <!--TESSERA_BOOT-->),
//                  plus sample clips made with ffmpeg so Extend and Fill have media to read (skipped without ffmpeg).
//   dist/tessera-aftereffects/  the same panel as a CEP extension for After Effects (scripts/package-cep.mjs).
//   dist/helper/   the helper (CLI, inference child, generator) bundled with its packages external. bin/tessera.js
//                  runs it while the helper sources are as it recorded them, which saves tsx's start-up in both
//                  processes of a `tessera generate`; otherwise it runs the sources through tsx.
// `--panel` (npm's prepare step) builds all three quickly and never fails the install for a missing optional
// piece (esbuild, ffmpeg); a full build fails loudly. `--harness` builds only the harness (the browser tests), and
// `--out DIR` writes somewhere other than dist/.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, copyFileSync, writeFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { SOURCES_RECORD, sourceStamps } from "../bin/current-bundle.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const defaultDist = join(root, "dist");
const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;

const log = (line) => process.stdout.write(`build: ${line}\n`);

export function copy(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

export function copyIcons(into) {
  for (const name of readdirSync(join(root, "icons"))) {
    if (name.endsWith(".png")) copy(join(root, "icons", name), join(into, "icons", name));
  }
}

async function loadEsbuild() {
  return (await import("esbuild")).default;
}

export const common = {
  bundle: true,
  format: "iife",
  platform: "browser",
  // UXP 7+ runs a modern V8; bigint literals need ES2020
  target: ["es2020"],
  jsx: "automatic",
  logLevel: "warning",
  legalComments: "none",
  define: {
    "process.env.NODE_ENV": '"production"',
    __TESSERA_VERSION__: JSON.stringify(version),
  },
};

/** The UXP panel folder (what the .ccx holds). */
export async function buildPanel(esbuild, dist = defaultDist) {
  const out = join(dist, "panel");
  rmSync(out, { recursive: true, force: true });
  await esbuild.build({
    ...common,
    entryPoints: { index: join(root, "panel/index.tsx") },
    outdir: out,
    external: ["premierepro", "uxp", "fs"],
    minify: true,
  });
  await esbuild.build({ ...common, entryPoints: { index: join(root, "panel/ui/panel.css") }, outdir: out, minify: true });
  copy(join(root, "panel/index.html"), join(out, "index.html"));
  copy(join(root, "manifest.json"), join(out, "manifest.json"));
  copyIcons(out);
  log(`panel -> ${out}`);
  return out;
}

export async function buildHarness(esbuild, dist = defaultDist) {
  const out = join(dist, "harness");
  mkdirSync(out, { recursive: true });
  await esbuild.build({ ...common, entryPoints: { harness: join(root, "panel/harness/main.tsx") }, outdir: out });
  const styles = { harness: join(root, "panel/harness/harness.css"), "ae-harness": join(root, "panel/harness/ae/ae-harness.css") };
  await esbuild.build({ ...common, entryPoints: styles, outdir: out });
  const page = readFileSync(join(root, "panel/harness/index.html"), "utf8");
  if (!page.includes("<!--TESSERA_BOOT-->")) throw new Error("panel/harness/index.html lost its <!--TESSERA_BOOT--> placeholder");
  writeFileSync(join(out, "index.html"), page);
  // the After Effects view (index.html?host=aftereffects) runs the real ExtendScript against a simulated comp
  copy(join(root, "panel/host/aftereffects/host.jsx"), join(out, "host.jsx"));
  copyIcons(out);
  log(`harness -> ${out}`);
  return out;
}

function ffmpegPath() {
  const onPath = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" });
  if (onPath.status === 0) return "ffmpeg";
  try {
    const installer = join(root, "node_modules/@ffmpeg-installer/ffmpeg/index.js");
    if (existsSync(installer)) {
      const text = spawnSync(process.execPath, ["-e", `process.stdout.write(require(${JSON.stringify(installer)}).path)`]);
      const path = text.stdout.toString();
      if (path && existsSync(path)) return path;
    }
  } catch {
    // no bundled ffmpeg either
  }
  return null;
}

// 5 s sample shots at the harness sequence's 23.976 fps, small enough to make in about a second each.
// The street and harbour shots carry room tone (pink noise and a low hum), so extending them continues sound.
const ROOM_TONE = "anoisesrc=color=pink:amplitude=0.06:sample_rate=48000:seed=5";
const SAMPLES = [
  { key: "interview", source: "testsrc2=size=640x360:rate=24000/1001" },
  { key: "street", source: "smptehdbars=size=640x360:rate=24000/1001", sound: ROOM_TONE },
  { key: "harbour", source: "mandelbrot=size=640x360:rate=24000/1001", sound: ROOM_TONE },
];
const SAMPLE_FRAMES = 120;

/** Sample clips for the harness's V1; kept between builds. Without ffmpeg the harness runs without them. */
export function buildHarnessMedia(out) {
  const folder = join(out, "media");
  mkdirSync(folder, { recursive: true });
  const ffmpeg = ffmpegPath();
  const clips = [];
  for (const sample of SAMPLES) {
    const file = join(folder, `${sample.key}${sample.sound ? "-sound" : ""}.mp4`);
    if (!existsSync(file) || statSync(file).size === 0) {
      if (!ffmpeg) {
        log("harness media skipped: ffmpeg not found (Extend and Fill in the harness need it)");
        return null;
      }
      const args = ["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", sample.source];
      if (sample.sound) args.push("-f", "lavfi", "-i", sample.sound, "-c:a", "aac", "-ac", "2", "-shortest");
      args.push("-frames:v", String(SAMPLE_FRAMES));
      args.push("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-colorspace", "bt709", file);
      const run = spawnSync(ffmpeg, args, { stdio: ["ignore", "ignore", "pipe"], timeout: 60_000 });
      if (run.status !== 0) {
        rmSync(file, { force: true });
        log(`harness media skipped: ffmpeg failed (${run.stderr?.toString().trim().split("\n").pop() ?? run.error})`);
        return null;
      }
    }
    clips.push({ key: sample.key, path: file, fps: { num: 24000, den: 1001 }, frames: SAMPLE_FRAMES, audio: Boolean(sample.sound) });
  }
  writeFileSync(join(out, "media.json"), `${JSON.stringify({ clips }, null, 2)}\n`);
  log(`harness media -> ${folder}`);
  return clips;
}

/** Bundles the helper's entry points with their packages external; shared code goes into common chunks. */
export async function buildHelper(esbuild, dist = defaultDist) {
  const entry = join(root, "helper-service/cli.ts");
  if (!existsSync(entry)) {
    log("helper skipped: helper-service/cli.ts does not exist yet");
    return null;
  }
  const out = join(dist, "helper");
  // Built beside, then swapped in: bin/tessera.js must never see half a bundle.
  const temp = `${out}.partial`;
  rmSync(temp, { recursive: true, force: true });
  // taken before bundling: a source saved during the build then makes the bundle stale, never current
  const files = sourceStamps(root);
  await esbuild.build({
    entryPoints: {
      cli: entry,
      child: join(root, "helper-service/render/child.ts"),
      "pipeline-generator": join(root, "helper-service/render/pipeline-generator.ts"),
    },
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: ["node20"],
    packages: "external",
    outdir: temp,
    // .mjs tells the helper's modules they run bundled (see helper-service/runtime-entry.ts)
    outExtension: { ".js": ".mjs" },
    logLevel: "warning",
  });
  // what bin/current-bundle.js compares with the sources before it runs this bundle
  writeFileSync(join(temp, SOURCES_RECORD), `${JSON.stringify({ files })}\n`);
  rmSync(out, { recursive: true, force: true });
  renameSync(temp, out);
  log(`helper -> ${out}`);
  return out;
}

async function main(argv) {
  const panelOnly = argv.includes("--panel");
  const harnessOnly = argv.includes("--harness");
  const outAt = argv.indexOf("--out");
  const dist = outAt >= 0 && argv[outAt + 1] ? resolve(argv[outAt + 1]) : defaultDist;
  const lenient = panelOnly;
  let esbuild;
  try {
    esbuild = await loadEsbuild();
  } catch (error) {
    if (lenient) {
      log(`skipped: esbuild is not installed (${error.message}); run \`npm run build\` after installing dev dependencies`);
      return;
    }
    throw error;
  }
  try {
    if (!harnessOnly) await buildPanel(esbuild, dist);
    const harness = await buildHarness(esbuild, dist);
    buildHarnessMedia(harness);
    if (!harnessOnly) await buildHelper(esbuild, dist);
    if (!harnessOnly) await (await import("./package-cep.mjs")).buildCep(esbuild, dist);
  } catch (error) {
    if (!lenient) throw error;
    // an install must not fail because a panel source is mid-edit; `npm run build` reports it properly
    process.stderr.write(`build: panel build failed: ${error.message}\n`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`build failed: ${error.stack ?? error}\n`);
    process.exitCode = 1;
  });
}
