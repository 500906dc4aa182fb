/**
 * Which port the helper listens on: --port, else the first free of 48750-48753 (exactly the ports the panel
 * manifest lists). When they are taken the error names what holds each one, so the user knows what to stop.
 */
import { execFile } from "node:child_process";
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { get } from "node:http";
import type { Server } from "node:http";
import { promisify } from "node:util";
import { TesseraError } from "../../shared/errors.js";

export const DEFAULT_PORTS = [48750, 48751, 48752, 48753] as const;

function listenOnce(server: Server, port: number): Promise<boolean> {
  return new Promise((resolvePromise, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off("listening", onListening);
      if (error.code === "EADDRINUSE" || error.code === "EACCES") resolvePromise(false);
      else reject(error);
    };
    const onListening = (): void => {
      server.off("error", onError);
      resolvePromise(true);
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen({ port, host: "127.0.0.1", exclusive: true });
  });
}

/** Listens on 127.0.0.1 at the requested port or the first free default one; returns the port. */
export async function listenOnFreePort(server: Server, requested?: number): Promise<number> {
  const candidates = requested === undefined ? [...DEFAULT_PORTS] : [requested];
  for (const port of candidates) {
    if (await listenOnce(server, port)) {
      const address = server.address();
      return typeof address === "object" && address ? address.port : port;
    }
  }
  const holders = await Promise.all(candidates.map(async (p) => `${p} (${await describePortHolder(p)})`));
  throw new TesseraError("E_PORTS_BUSY", `Taken: ${holders.join(", ")}.`, {
    hint:
      requested === undefined
        ? "Stop the program named above, or start the helper with --port PORT (the panel then needs that port too)."
        : `Stop the program named above or choose another --port.`,
  });
}

/** "another Tessera helper 0.1.0 (pid 123)", "python3 (pid 456)" or "an unknown program". */
export async function describePortHolder(port: number): Promise<string> {
  const tessera = await askTesseraHealth(port);
  const pid = process.platform === "linux" ? linuxListenerPid(port) : await lsofListenerPid(port);
  const program = pid === undefined ? undefined : programName(pid);
  if (tessera) return `another Tessera helper ${tessera}${pid === undefined ? "" : ` (pid ${pid})`}`;
  if (pid !== undefined) return `${program ?? "a program"} (pid ${pid})`;
  return "an unknown program, or one owned by another user";
}

function askTesseraHealth(port: number): Promise<string | undefined> {
  return new Promise((resolvePromise) => {
    const req = get({ host: "127.0.0.1", port, path: "/health", timeout: 500, headers: { Host: `127.0.0.1:${port}` } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (body.length < 10_000) body += chunk;
      });
      res.on("end", () => {
        try {
          const parsed = JSON.parse(body) as { name?: unknown; version?: unknown };
          resolvePromise(parsed.name === "tessera" ? String(parsed.version) : undefined);
        } catch {
          resolvePromise(undefined);
        }
      });
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolvePromise(undefined));
  });
}

/** Finds the listening socket's inode in /proc/net/tcp{,6}, then the process holding it. */
function linuxListenerPid(port: number): number | undefined {
  const portHex = port.toString(16).toUpperCase().padStart(4, "0");
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && cols[1]?.endsWith(`:${portHex}`) && cols[3] === "0A") inodes.add(cols[9]!);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`));
        if (match && inodes.has(match[1]!)) return Number(entry);
      } catch {
        // The fd closed while we looked.
      }
    }
  }
  return undefined;
}

async function lsofListenerPid(port: number): Promise<number | undefined> {
  try {
    const { stdout } = await promisify(execFile)("lsof", ["-nP", `-iTCP:${port}`, "-sTCP:LISTEN", "-Fp"], { timeout: 2000 });
    const match = /^p(\d+)$/m.exec(stdout);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function programName(pid: number): string | undefined {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    return cmdline.slice(0, 3).join(" ").slice(0, 120) || undefined;
  } catch {
    return undefined;
  }
}
