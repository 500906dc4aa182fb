/**
 * `tessera serve`: the helper the panel talks to. Prints `tessera listening on ws://127.0.0.1:PORT` once it
 * accepts connections (scripts wait for that line), the harness address with --harness, pairing codes when a
 * panel asks, and a clear line when no model is installed (it keeps serving: the panel shows the same message).
 */
import { resolve } from "node:path";
import { createHelper } from "../server/helper.js";
import { createLogger } from "../server/log.js";
import type { FarmServeOptions } from "../farm/commands.js";
import { dataDirOf, NO_MODEL_MESSAGE, referenceModelDirs } from "./common.js";

export interface ServeOptions {
  port?: number;
  dataDir?: string;
  model?: string;
  harness?: boolean;
  allowOrigin?: string[];
}

/** With --farm the helper coordinates the studio farm (farm/commands.ts). */
export type ServeCommandOptions = ServeOptions & Partial<FarmServeOptions>;

export async function serve(options: ServeCommandOptions): Promise<void> {
  const dataDir = await dataDirOf(options.dataDir);
  const log = createLogger(dataDir, { stderr: true });
  const modelDirs = options.model ? [resolve(options.model)] : referenceModelDirs();
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  const farm = options.farm ? await (await import("../farm/commands.js")).startCoordinator({ ...options, farm: options.farm }, dataDir, log) : undefined;

  const helper = await createHelper({
    dataDir,
    port: options.port,
    modelDirs,
    harness: options.harness ?? false,
    // Another generator behind the same interface (a module whose default export is a GeneratorFactory).
    generatorModule: process.env.TESSERA_GENERATOR_MODULE ? resolve(process.env.TESSERA_GENERATOR_MODULE) : undefined,
    allowedOrigins: options.allowOrigin,
    farm,
    log,
    onPairingCode: (code) => say(`pairing code: ${code.code} (valid for 2 minutes)`),
    onNotice: (message) => say(`notice: ${message}`),
  });
  say(`tessera listening on ${helper.url}`);
  if (farm) say(`farm deliveries ${farm.deliveryUrl ? `at ${farm.deliveryUrl}` : `through ${options.farmSharedDir}`} (workers need ${options.farmTokenFile ?? `${dataDir}/farm-token`})`);
  if (options.harness) say(`panel harness at http://127.0.0.1:${helper.port}/`);
  helper.ready.then(
    (info) => {
      if (info.models.length === 0) say(NO_MODEL_MESSAGE);
      for (const m of info.models) say(`model ${m.id} ${m.version} on ${info.device}`);
    },
    (error: unknown) => say(`the generator could not start: ${(error as Error).message}`),
  );

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, "stopping");
    void helper.close().then(() => process.exit(0));
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}
