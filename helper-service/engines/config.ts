/**
 * The engines a user has added (`tessera engines add comfyui URL`): DATA_DIR/engines.json. It may hold a bearer
 * token for a server behind a proxy, so it is written like our own token: atomically, mode 0600, and never logged
 * (`describeEngine` is what logs and listings show).
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { TesseraError } from "../../shared/errors.js";
import { describeIssues } from "../../shared/parse.js";

export const ENGINES_FILE = "engines.json";

/** Part of every model id the engine offers ("studio-gpu/ltx-video-2b"), so kept to a safe, short alphabet. */
export const EngineNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "an engine name is 1-32 lower-case letters, digits and dashes");

export const EngineUrlSchema = z
  .string()
  .transform((text, ctx) => {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      ctx.addIssue({ code: "custom", message: `"${text}" is not an address (e.g. http://gpu-box:8188)` });
      return z.NEVER;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: `"${text}": only http:// and https:// servers are supported` });
      return z.NEVER;
    }
    if (url.username || url.password) {
      ctx.addIssue({ code: "custom", message: "put credentials in --token, not in the address" });
      return z.NEVER;
    }
    // 0.0.0.0 is where a server listens, not an address to reach it at (as krita-ai-diffusion does)
    if (url.hostname === "0.0.0.0") url.hostname = "127.0.0.1";
    return url.origin + url.pathname.replace(/\/+$/, "");
  });

export const ComfyEngineSchema = z.object({
  kind: z.literal("comfyui"),
  name: EngineNameSchema,
  url: EngineUrlSchema,
  /** Sent as `Authorization: Bearer` on every request and the WebSocket upgrade. */
  token: z.string().min(1).max(4096).optional(),
  /** Largest output file accepted from the server. */
  maxDownloadBytes: z.number().int().positive().default(2 * 1024 ** 3),
  /** A running job with no word from the server for this long is stopped there (a stuck server). */
  stallSeconds: z.number().int().positive().default(600),
  /** Extra template folders (API-format workflow + manifest per folder). */
  templateDirs: z.array(z.string()).default([]),
});
export type ComfyEngine = z.infer<typeof ComfyEngineSchema>;
export type ComfyEngineInput = z.input<typeof ComfyEngineSchema>;

export const EnginesFileSchema = z.object({ engines: z.array(ComfyEngineSchema).default([]) });
export type EnginesFile = z.infer<typeof EnginesFileSchema>;

export function enginesPath(dataDir: string): string {
  return join(dataDir, ENGINES_FILE);
}

export function readEngines(dataDir: string): ComfyEngine[] {
  const path = enginesPath(dataDir);
  if (!existsSync(path)) return [];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new TesseraError("E_BAD_REQUEST", `${path} is not JSON: ${(error as Error).message}`, {
      hint: `Fix or delete ${path}, then add the engines again with \`tessera engines add\`.`,
    });
  }
  const parsed = EnginesFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new TesseraError("E_BAD_REQUEST", `${path}: ${describeIssues(parsed.error)}`, {
      hint: `Fix or delete ${path}, then add the engines again with \`tessera engines add\`.`,
    });
  }
  return parsed.data.engines;
}

export function writeEngines(dataDir: string, engines: ComfyEngine[]): void {
  const path = enginesPath(dataDir);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ engines }, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
  chmodSync(path, 0o600);
}

/** Adds or replaces (same name) an engine. */
export function addEngine(dataDir: string, input: ComfyEngineInput): ComfyEngine {
  const parsed = ComfyEngineSchema.safeParse(input);
  if (!parsed.success) throw new TesseraError("E_BAD_REQUEST", describeIssues(parsed.error));
  const engines = readEngines(dataDir).filter((e) => e.name !== parsed.data.name);
  engines.push(parsed.data);
  writeEngines(dataDir, engines);
  return parsed.data;
}

export function removeEngine(dataDir: string, name: string): boolean {
  const engines = readEngines(dataDir);
  const kept = engines.filter((e) => e.name !== name);
  if (kept.length === engines.length) return false;
  writeEngines(dataDir, kept);
  return true;
}

/** The name for an address when --name is not given: the host, made safe ("gpu-box", "127-0-0-1"). */
export function defaultEngineName(url: string): string {
  const host = new URL(url).hostname.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return (host || "comfyui").slice(0, 32);
}

/** What logs and listings may show of an engine: never the token. */
export function describeEngine(engine: ComfyEngine): string {
  return `${engine.name} (comfyui at ${engine.url}${engine.token ? ", with a token" : ""})`;
}
