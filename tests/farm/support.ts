/** Farm test support: the real processes (processes.ts) and a helper coordinating them in this process. */
import { readdirSync } from "node:fs";
import { FarmCoordinator } from "../../helper-service/farm/coordinator.js";
import { farmTokenOf } from "../../helper-service/farm/commands.js";
import type { Helper } from "../../helper-service/server/helper.js";
import { silentLogger } from "../../helper-service/server/log.js";
import { startFakeHelper, tempDir } from "../server/support.js";
import type { RedisServer } from "./processes.js";

export * from "./processes.js";

/** A helper (in this process) coordinating the farm, delivering over HTTP on a free loopback port. */
export async function startFarmHelper(redis: RedisServer, options: { dataDir?: string; sharedDir?: string; reconcileMs?: number } = {}): Promise<{ helper: Helper; farm: FarmCoordinator; tokenFile: string }> {
  const dataDir = options.dataDir ?? tempDir();
  const { path: tokenFile, token } = farmTokenOf(dataDir);
  const farm = await FarmCoordinator.start({
    connection: { url: redis.url },
    token,
    ...(options.sharedDir ? { sharedDir: options.sharedDir } : { endpoint: { host: "127.0.0.1", port: 0 } }),
    reconcileMs: options.reconcileMs ?? 1000,
    log: silentLogger(),
  });
  const helper = await startFakeHelper({ dataDir, farm });
  return { helper, farm, tokenFile };
}

/** Published clips in a folder (hidden partial and upload names and the sidecar records left out). */
export function outputs(folder: string): string[] {
  return readdirSync(folder).filter((n) => !n.startsWith(".") && !n.endsWith(".tessera.json"));
}

/** Everything hidden a run may leave behind: encoder partials and farm uploads. */
export function leftovers(folder: string): string[] {
  return readdirSync(folder).filter((n) => n.startsWith("."));
}
