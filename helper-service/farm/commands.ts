/**
 * The farm's command lines: `tessera serve --farm URL` (the coordinator this helper becomes), `tessera worker
 * --farm URL` and `tessera farm status`. Options are checked here and turned into the farm modules' options.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { TesseraError } from "../../shared/errors.js";
import { dataDirOf, referenceModelDirs } from "../cli/common.js";
import { createLogger, type Logger } from "../server/log.js";
import { newToken } from "../server/token.js";
import { connect, ping, redactUrl, type FarmConnection } from "./connection.js";
import { FarmCoordinator } from "./coordinator.js";
import { describeEngineReport, farmStatus, formatStatus } from "./status.js";
import { startFarmWorker } from "./worker.js";
import { selectEngines } from "./engines.js";
import { readEngines } from "../engines/config.js";

/** The port workers deliver files to, unless --farm-listen says otherwise. */
export const DEFAULT_FARM_PORT = 48760;
const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

export interface FarmServeOptions {
  farm: string;
  farmCa?: string;
  farmListen?: string;
  farmAdvertise?: string;
  farmSharedDir?: string;
  farmTlsCert?: string;
  farmTlsKey?: string;
  /** The studio's farm token (one for every helper and worker of a farm); default DATA_DIR/farm-token. */
  farmTokenFile?: string;
}

/** DATA_DIR/farm-token: the secret workers present when they deliver files; created user-only when absent. */
export function farmTokenOf(dataDir: string): { token: string; path: string } {
  const path = join(dataDir, "farm-token");
  if (existsSync(path)) {
    const text = readFileSync(path, "utf8").trim();
    if (TOKEN_PATTERN.test(text)) return { token: text, path };
  }
  const token = newToken();
  writeFileSync(`${path}.tmp`, `${token}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
  chmodSync(path, 0o600);
  return { token, path };
}

function readTokenFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8").trim();
  } catch (error) {
    throw new TesseraError("E_BAD_REQUEST", `Cannot read the farm token file ${file}: ${(error as Error).message}`, { hint: "Copy DATA_DIR/farm-token from the helper's machine to this one (user-only permissions)." });
  }
  if (!TOKEN_PATTERN.test(text)) throw new TesseraError("E_BAD_REQUEST", `${file} does not hold a farm token (64 hex characters).`);
  return text;
}

function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:\[?([^\]]*)\]?:)?(\d{1,5})$/.exec(value);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) throw new TesseraError("E_BAD_REQUEST", `--farm-listen ${JSON.stringify(value)} is not HOST:PORT.`, { hint: "For example --farm-listen 0.0.0.0:48760 (all interfaces) or 10.0.0.5:48760." });
  return { host: match[1] || "0.0.0.0", port };
}

/** Starts the coordinator for `tessera serve --farm`. */
export async function startCoordinator(options: FarmServeOptions, dataDir: string, log: Logger): Promise<FarmCoordinator> {
  const connection: FarmConnection = { url: options.farm, caFile: options.farmCa };
  const token = options.farmTokenFile ? readTokenFile(options.farmTokenFile) : farmTokenOf(dataDir).token;
  if ((options.farmTlsCert === undefined) !== (options.farmTlsKey === undefined)) {
    throw new TesseraError("E_BAD_REQUEST", "--farm-tls-cert and --farm-tls-key go together.");
  }
  const tls = options.farmTlsCert && options.farmTlsKey ? { certFile: resolve(options.farmTlsCert), keyFile: resolve(options.farmTlsKey) } : undefined;
  return FarmCoordinator.start({
    connection,
    token,
    ...(options.farmSharedDir
      ? { sharedDir: resolve(options.farmSharedDir) }
      : { endpoint: { ...parseListen(options.farmListen ?? `0.0.0.0:${DEFAULT_FARM_PORT}`), advertise: options.farmAdvertise, tls } }),
    log,
  });
}

export interface WorkerCommandOptions {
  farm: string;
  farmCa?: string;
  /** `onnx`, `comfyui`, `comfyui:NAME`, comma-separated; absent: every engine of the data dir. */
  engine?: string;
  concurrency: number;
  name?: string;
  farmTokenFile?: string;
  uploadCa?: string;
  sharedDir?: string;
  model?: string;
  dataDir?: string;
}

export async function workerCommand(options: WorkerCommandOptions): Promise<void> {
  const dataDir = await dataDirOf(options.dataDir);
  const engines = selectEngines(options.engine, readEngines(dataDir).map((e) => e.name));
  const log = createLogger(dataDir, { stderr: true, file: "worker.log" });
  const token = options.farmTokenFile ? readTokenFile(options.farmTokenFile) : process.env.TESSERA_FARM_TOKEN?.trim();
  if (token !== undefined && !TOKEN_PATTERN.test(token)) throw new TesseraError("E_BAD_REQUEST", "TESSERA_FARM_TOKEN does not hold a farm token (64 hex characters).");
  if (!token && !options.sharedDir) {
    throw new TesseraError("E_BAD_REQUEST", "The worker needs a way to deliver files: --farm-token-file (HTTP to the helper) or --shared-dir.", {
      hint: "Copy DATA_DIR/farm-token from the helper's machine and pass --farm-token-file PATH.",
    });
  }
  const lockMs = process.env.TESSERA_FARM_LOCK_MS ? Number(process.env.TESSERA_FARM_LOCK_MS) : undefined;
  const worker = await startFarmWorker({
    connection: { url: options.farm, caFile: options.farmCa },
    name: options.name,
    dataDir,
    modelDirs: options.model ? [resolve(options.model)] : referenceModelDirs(),
    engines,
    generatorModule: process.env.TESSERA_GENERATOR_MODULE ? resolve(process.env.TESSERA_GENERATOR_MODULE) : undefined,
    concurrency: options.concurrency,
    token,
    uploadCaFile: options.uploadCa,
    sharedDir: options.sharedDir ? resolve(options.sharedDir) : undefined,
    lockMs: lockMs && Number.isFinite(lockMs) && lockMs >= 1000 ? lockMs : undefined,
    log,
  });
  const models = worker.info.models.map((m) => `${m.id} ${m.version}`).join(", ") || "no models";
  process.stdout.write(`tessera worker ${worker.name} ready on ${redactUrl(options.farm)}: ${worker.info.device}, ${models}\n`);
  for (const e of worker.engines) process.stdout.write(`  ${describeEngineReport(e)}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    // first signal: finish the running jobs; second: cancel them (they go back to the queue as stalled) and leave
    log.info({ signal, force: stopping }, "worker stopping");
    const force = stopping;
    stopping = true;
    void worker.close(force).then(() => process.exit(0));
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

export async function farmStatusCommand(options: { farm: string; farmCa?: string; json?: boolean }): Promise<void> {
  const connection: FarmConnection = { url: options.farm, caFile: options.farmCa };
  const redis = connect(connection, { connectionName: "tessera-status" });
  try {
    await ping(redis, connection);
    const status = await farmStatus(redis);
    process.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : `${formatStatus(status, redactUrl(options.farm))}\n`);
  } finally {
    redis.disconnect();
  }
}
