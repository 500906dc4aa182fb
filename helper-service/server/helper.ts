/**
 * The running helper: HTTP + WebSocket server on 127.0.0.1, the job queue and database, the generator process
 * and the safety layer, wired together. `tessera serve` is a thin shell around createHelper; tests start it the
 * same way (in process) or through the CLI (as a separate process they can kill).
 */
import { createServer, type IncomingMessage } from "node:http";
import { availableParallelism } from "node:os";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { encodePreview } from "../../shared/preview-header.js";
import { MAX_MESSAGE_BYTES } from "../../shared/parse.js";
import { openDb } from "../jobs/db.js";
import { JobQueue } from "../jobs/queue.js";
import { JobStore } from "../jobs/store.js";
import { WorkerHost } from "../jobs/worker.js";
import type { FarmCoordinator } from "../farm/coordinator.js";
import type { GeneratorInfo } from "../render/generator.js";
import { AuditLog } from "../safety/audit.js";
import { loadPromptPolicy, type PromptClassifier } from "../safety/policy.js";
import type { HelperContext } from "./context.js";
import { dataPaths, ensureDataDir, packageVersion } from "./data-dir.js";
import { checkHost, checkOrigin } from "./host-origin.js";
import { createHttpHandler, DEFAULT_HARNESS_DIR } from "./http.js";
import { claimInstance, releaseInstance, writeInstance } from "./instance.js";
import { createLogger, type Logger } from "./log.js";
import { Pairing, type PairingCode } from "./pairing.js";
import { listenOnFreePort } from "./ports.js";
import { Session } from "./session.js";
import { loadOrCreateToken } from "./token.js";

export const MAX_SESSIONS = 4;

export interface HelperOptions {
  dataDir: string;
  port?: number;
  /** Model package folders, the default first. */
  modelDirs?: string[];
  /** Serve the browser harness (from dist/harness unless a folder is given). */
  harness?: boolean | string;
  /** Extra web origins allowed to connect (besides the helper's own). */
  allowedOrigins?: string[];
  /** A GeneratorFactory module to run instead of the real pipeline (tests). */
  generatorModule?: string;
  stepTimeoutMs?: number;
  cancelGraceMs?: number;
  /** Run jobs on the studio farm instead of this machine's generator process (closed with the helper). */
  farm?: FarmCoordinator;
  maxSessions?: number;
  threads?: number;
  /** Clock for pairing-code lifetimes and lockouts (tests inject one). */
  clock?: () => number;
  classifier?: PromptClassifier;
  log?: Logger;
  /** Show a pairing code to the person at the helper (the CLI prints it). */
  onPairingCode?: (code: PairingCode) => void;
  onNotice?: (message: string) => void;
}

export interface Helper {
  port: number;
  url: string;
  token: string;
  dataDir: string;
  log: Logger;
  queue: JobQueue;
  store: JobStore;
  worker: WorkerHost;
  pairing: Pairing;
  /** Resolves once the generator process has loaded (or rejects with why it could not). */
  ready: Promise<GeneratorInfo>;
  sessions(): number;
  close(): Promise<void>;
}

function refuseUpgrade(socket: Duplex, status: number, text: string, reason: string): void {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export async function createHelper(options: HelperOptions): Promise<Helper> {
  const dataDir = ensureDataDir(options.dataDir);
  const paths = dataPaths(dataDir);
  const log = options.log ?? createLogger(dataDir, { stderr: false });
  const version = packageVersion();
  claimInstance(paths.instance, dataDir);
  const token = loadOrCreateToken(dataDir);
  mkdirSync(paths.media, { recursive: true });

  const db = openDb(paths.db);
  const store = new JobStore(db);
  const audit = new AuditLog(paths.audit);
  const policy = await loadPromptPolicy(paths.policy, options.classifier);
  let port = 0;
  let workerPid: number | undefined;
  const startedAt = new Date().toISOString();
  const recordInstance = (): void => {
    if (port) writeInstance(paths.instance, { pid: process.pid, port, version, startedAt, workerPid });
  };

  const worker = new WorkerHost({
    config: { dataDir, modelDirs: options.modelDirs ?? [], policyPath: paths.policy, threads: options.threads },
    generatorModule: options.generatorModule,
    stepTimeoutMs: options.stepTimeoutMs,
    cancelGraceMs: options.cancelGraceMs,
    log,
    onSpawn: (pid) => {
      workerPid = pid;
      recordInstance();
    },
  });
  worker.on("ready", (info) => {
    log.info({ device: info.device, models: info.models.map((m) => m.id) }, "generator ready");
    for (const notice of info.notices) options.onNotice?.(notice);
  });
  worker.on("fatal", (error) => log.error({ code: error.code }, `generator could not start: ${error.message}`));

  const farm = options.farm;
  const queue = new JobQueue(store, farm ?? worker, {
    defaultOutputFolder: paths.media,
    audit,
    log,
    // the farm takes every job at once and runs them in its own order, on as many workers as it has
    ...(farm ? { concurrency: Number.POSITIVE_INFINITY, maxQueued: 1000, reattach: true } : {}),
  });
  const pairing = new Pairing(options.clock ?? Date.now, {
    onCode: (code) => {
      log.info({ pairingCode: code.code, expiresAt: new Date(code.expiresAt).toISOString() }, `pairing code ${code.code}`);
      writeFileSync(paths.pairing, `${JSON.stringify(code)}\n`, { mode: 0o600 });
      options.onPairingCode?.(code);
    },
    onClear: () => rmSync(paths.pairing, { force: true }),
    onLocked: (until) => log.warn({ until: new Date(until).toISOString() }, "pairing paused after 5 wrong codes"),
  });

  const system = (): ReturnType<HelperContext["system"]> => {
    const info = farm ? farm.info : worker.info;
    const threads = options.threads ?? Math.max(1, availableParallelism());
    // a farm with no worker online yet takes jobs anyway: they wait in its queue for the first worker
    const ready = !!info && (!farm || info.models.length > 0);
    return info ? { device: info.device, models: info.models, threads, ready } : { device: "starting", models: [], threads, ready: false };
  };
  const ctx: HelperContext = {
    version,
    token,
    log,
    audit,
    pairing,
    queue,
    store,
    policy,
    system,
    whenReady: (timeoutMs) => (farm ? farm.refreshInfo().then(() => undefined) : worker.whenReady(timeoutMs)),
    refreshModels: async () => (await (farm ?? worker).refreshInfo())?.models ?? [],
    engines: async () => (await import("../engines/comfyui/status.js")).allEngineStatuses(dataDir, 3000),
  };

  const sessions = new Set<Session>();
  const maxSessions = options.maxSessions ?? MAX_SESSIONS;
  const harnessDir = options.harness === true ? DEFAULT_HARNESS_DIR : options.harness || undefined;
  const server = createServer(
    createHttpHandler({
      port: () => port,
      version,
      log,
      system,
      harness: harnessDir ? { dir: harnessDir, token } : undefined,
      clip: (jobId) => {
        const job = store.get(jobId);
        return job?.state === "done" ? job.output?.path : undefined;
      },
    }),
  );
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: () => false,
  });

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const host = checkHost(req.headers.host, port);
    const origin = checkOrigin(req.headers.origin, port, options.allowedOrigins);
    const path = (req.url ?? "").split("?")[0];
    let refusal: [number, string, string] | undefined;
    if (!host.ok) refusal = [421, "Misdirected Request", host.reason];
    else if (!origin.ok) refusal = [403, "Forbidden", origin.reason];
    else if (path !== "/") refusal = [404, "Not Found", `no WebSocket endpoint at ${JSON.stringify(path?.slice(0, 100))}`];
    if (refusal) {
      log.warn({ reason: refusal[2], origin: req.headers.origin?.slice(0, 200) }, `refused connection: ${refusal[2]}`);
      return refuseUpgrade(socket, ...refusal);
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });

  wss.on("connection", (ws: WebSocket, req: IncomingMessage) => {
    ws.on("error", (error) => log.warn({ err: error.message }, "refused: bad WebSocket frame"));
    const session = new Session(ws, ctx, req.headers.origin);
    if (sessions.size >= maxSessions) {
      session.refuse("E_TOO_MANY_SESSIONS", `already ${sessions.size} connections`);
      return;
    }
    sessions.add(session);
    ws.on("close", () => sessions.delete(session));
  });

  queue.on("message", (message) => {
    for (const session of sessions) if (session.authenticated) session.send(message);
  });
  queue.on("preview", (preview) => {
    const frame = encodePreview(
      { jobId: preview.jobId, frameIndex: preview.frameIndex, width: preview.width, height: preview.height, format: "jpeg" },
      preview.jpeg,
    );
    for (const session of sessions) session.sendPreview(frame);
  });

  const ready = farm ? farm.refreshInfo() : worker.start();
  try {
    port = await listenOnFreePort(server, options.port);
  } catch (error) {
    await worker.stop(0);
    await farm?.close();
    db.close();
    audit.close();
    throw error;
  }
  recordInstance();
  // The state changes of the recovery are committed synchronously; its file sweep need not delay the start.
  queue.resume().catch((error: unknown) => log.error({ err: (error as Error).message }, "recovery failed"));
  log.info({ port, dataDir, version }, "helper listening");

  // Dead connections (a laptop lid closed) are noticed and their session slot freed.
  const heartbeat = setInterval(() => {
    for (const session of sessions) {
      const ws = session.ws as WebSocket & { alive?: boolean };
      if (ws.alive === false) {
        ws.terminate();
        continue;
      }
      ws.alive = false;
      ws.ping();
    }
  }, 30_000);
  heartbeat.unref();
  wss.on("connection", (ws: WebSocket & { alive?: boolean }) => ws.on("pong", () => (ws.alive = true)));

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      clearInterval(heartbeat);
      queue.close();
      for (const session of sessions) session.ws.close(1001, "helper stopping");
      const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      // Idle keep-alive HTTP connections would otherwise hold the port open.
      server.closeAllConnections();
      await closed;
      await worker.stop();
      await farm?.close();
      db.close();
      audit.close();
      rmSync(paths.pairing, { force: true });
      releaseInstance(paths.instance);
      log.info({}, "helper stopped");
    })());

  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    token,
    dataDir,
    log,
    queue,
    store,
    worker,
    pairing,
    ready,
    sessions: () => sessions.size,
    close,
  };
}
