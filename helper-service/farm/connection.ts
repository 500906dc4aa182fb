/**
 * How the helper and the workers reach the farm's Redis: the --farm URL (redis:// or rediss://, with user,
 * password and db), an optional CA file for TLS, and the names every side agrees on (queue, keys, channels).
 * ioredis is handed ready-made connections so BullMQ never has to load a driver by itself.
 */
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { Redis, type RedisOptions } from "ioredis";
import { TesseraError } from "../../shared/errors.js";

/** Bumped when the job data, results or channels change shape; a worker and a helper must agree on it. */
export const FARM_PROTOCOL = 1;
export const QUEUE_NAME = "tessera-render";
/** BullMQ's key prefix, and ours (ACLs can then be limited to `~tessera:*`). */
export const PREFIX = "tessera";

export const farmKeys = {
  cancel: (jobId: string) => `${PREFIX}:farm:cancel:${jobId}`,
  cancelChannel: `${PREFIX}:farm:cancel`,
  previewChannel: `${PREFIX}:farm:preview`,
  workers: `${PREFIX}:farm:workers`,
  worker: (name: string) => `${PREFIX}:farm:worker:${name}`,
  coordinator: `${PREFIX}:farm:coordinator`,
} as const;

export interface FarmConnection {
  url: string;
  /** PEM file of the CA that signed the Redis server's certificate (rediss:// only). */
  caFile?: string;
}

/** The URL with any password replaced, for logs and status lines. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unreadable URL)";
  }
}

/** Parses and checks the URL; throws a TesseraError naming what is wrong. */
export function redisOptions(connection: FarmConnection): RedisOptions {
  let url: URL;
  try {
    url = new URL(connection.url);
  } catch {
    throw new TesseraError("E_BAD_REQUEST", `--farm ${JSON.stringify(connection.url)} is not a URL.`, {
      hint: "Write it as redis://[user:password@]host:6379[/db] or rediss://... for TLS.",
    });
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new TesseraError("E_BAD_REQUEST", `--farm must start with redis:// or rediss://, not ${url.protocol}//.`, {
      hint: "Write it as redis://[user:password@]host:6379[/db] or rediss://... for TLS.",
    });
  }
  const db = url.pathname.replace(/^\//, "");
  if (db !== "" && !/^\d{1,2}$/.test(db)) {
    throw new TesseraError("E_BAD_REQUEST", `The database in --farm must be a number (redis://host:6379/0), not "${db}".`);
  }
  const tls = url.protocol === "rediss:";
  if (connection.caFile && !tls) {
    throw new TesseraError("E_BAD_REQUEST", "--farm-ca is for TLS: the --farm URL must start with rediss://.");
  }
  let ca: Buffer | undefined;
  if (connection.caFile) {
    try {
      ca = readFileSync(connection.caFile);
    } catch (error) {
      throw new TesseraError("E_BAD_REQUEST", `Cannot read the CA file ${connection.caFile}: ${(error as Error).message}`);
    }
  }
  return {
    host: url.hostname || "127.0.0.1",
    port: url.port ? Number(url.port) : 6379,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    db: db === "" ? 0 : Number(db),
    // TLS is set explicitly: rediss:// alone has not always switched it on.
    // (SNI takes host names only, not addresses)
    ...(tls ? { tls: { ...(isIP(url.hostname) ? {} : { servername: url.hostname }), ...(ca ? { ca } : {}) } } : {}),
    // BullMQ needs blocking commands to wait as long as they must; our own calls retry through a Redis restart.
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(200 * times, 2000),
    connectionName: "tessera",
  };
}

const lastErrors = new WeakMap<Redis, Error>();

/** A new connection; call `ping(redis)` to know it works. */
export function connect(connection: FarmConnection, extra: RedisOptions = {}): Redis {
  const redis = new Redis({ ...redisOptions(connection), lazyConnect: false, ...extra });
  // Errors surface through the calls that need the connection (ping names the last one); ioredis reconnects.
  redis.on("error", (error: Error) => lastErrors.set(redis, error));
  return redis;
}

/** Waits for the first answer from Redis, or says clearly why there is none. */
export async function ping(redis: Redis, connection: FarmConnection, timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    // a refused connection, a TLS or password error: said at once instead of after the timeout
    const failed = new Promise<never>((_, reject) => redis.once("error", reject));
    failed.catch(() => undefined);
    await Promise.race([redis.ping(), timeout, failed]);
  } catch (error) {
    const cause = lastErrors.get(redis)?.message ?? (error as Error).message;
    throw new TesseraError("E_FARM_UNREACHABLE", `${redactUrl(connection.url)}: ${cause}`);
  } finally {
    clearTimeout(timer);
  }
}
