/**
 * `tessera doctor`: ffmpeg, device, models, port and token, each line `ok`, `warn` or `FAIL` with a fix under
 * every check that is not fine. Exits 1 when any check fails.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { inferenceChecks, type DoctorCheck } from "../inference/doctor.js";
import { doctorMedia } from "../media/index.js";
import { installedPackages } from "../render/pipeline-generator.js";
import { dataPaths } from "../server/data-dir.js";
import { runningHelper } from "../server/instance.js";
import { DEFAULT_PORTS, describePortHolder } from "../server/ports.js";
import { tokenPath } from "../server/token.js";
import { dataDirOf, EXIT_FAILED, NO_MODEL_FIX, referenceModelDirs } from "./common.js";

function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const server = createServer();
    server.once("error", () => res(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => res(true)));
  });
}

async function portCheck(dataDir: string): Promise<DoctorCheck> {
  const helper = runningHelper(dataPaths(dataDir).instance);
  if (helper) return { name: "port", status: "ok", detail: `the helper (pid ${helper.pid}) listens on ${helper.port}` };
  for (const port of DEFAULT_PORTS) {
    if (await portFree(port)) return { name: "port", status: "ok", detail: `${port} is free for the helper` };
  }
  const holders = await Promise.all(DEFAULT_PORTS.map(async (p) => `${p}: ${await describePortHolder(p)}`));
  return {
    name: "port",
    status: "fail",
    detail: `48750-48753 are all taken (${holders.join("; ")})`,
    fix: "Stop the program holding them, or start the helper with --port PORT (the panel must then use that port).",
  };
}

function tokenCheck(dataDir: string): DoctorCheck {
  const path = tokenPath(dataDir);
  if (!existsSync(path)) return { name: "token", status: "warn", detail: `no ${path} yet`, fix: "`tessera serve` creates it on first start." };
  const text = readFileSync(path, "utf8").trim();
  if (!/^[0-9a-f]{64}$/.test(text)) {
    return { name: "token", status: "fail", detail: `${path} does not hold a token`, fix: `Delete ${path}; the helper makes a new one (pair the panel again).` };
  }
  const mode = statSync(path).mode & 0o777;
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    return { name: "token", status: "fail", detail: `${path} is readable by others (mode ${mode.toString(8)})`, fix: `Run \`chmod 600 ${path}\`.` };
  }
  return { name: "token", status: "ok", detail: `${path} holds a 256-bit token, readable only by you` };
}

export async function doctorCommand(options: { dataDir?: string }): Promise<void> {
  const dataDir = await dataDirOf(options.dataDir);
  const checks: DoctorCheck[] = [];
  const media = await doctorMedia();
  for (const c of media.checks) {
    checks.push({ name: c.name, status: c.ok ? "ok" : c.optional ? "warn" : "fail", detail: c.detail, ...(c.fix && !c.ok ? { fix: c.fix } : {}) });
  }
  const { packages, problems } = await installedPackages({ dataDir, modelDirs: referenceModelDirs() });
  checks.push(
    packages.length > 0
      ? { name: "models", status: "ok", detail: packages.map((p) => `${p.id} ${p.version}`).join(", ") }
      : { name: "models", status: "fail", detail: "no model installed", fix: NO_MODEL_FIX },
  );
  for (const problem of problems) checks.push({ name: "models", status: "warn", detail: problem, fix: "Reinstall or remove that package folder." });
  checks.push(...(await inferenceChecks({ modelDir: packages[0]?.dir ?? null })));
  const { engineDoctorChecks } = await import("./engines.js");
  checks.push(...(await engineDoctorChecks(dataDir)));
  checks.push(await portCheck(dataDir));
  checks.push(tokenCheck(dataDir));

  for (const check of checks) {
    const label = check.status === "fail" ? "FAIL" : check.status;
    process.stdout.write(`${label.padEnd(5)} ${check.name}: ${check.detail}\n`);
    if (check.status !== "ok" && check.fix) process.stdout.write(`      fix: ${check.fix}\n`);
  }
  if (checks.some((c) => c.status === "fail")) process.exitCode = EXIT_FAILED;
}
