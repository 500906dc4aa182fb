/**
 * Installed model packages: the shipped reference model (models/reference) and every package folder in the user's
 * models folder. Listing reads only model.json; files are checked against their sha256 when a package is loaded.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { TesseraError, toErrorBody, type ErrorBody } from "../../shared/errors.js";
import type { ModelInfo } from "../../shared/protocol.js";
import type { Manifest } from "./manifest.js";
import { readManifest } from "./package.js";
import { REFERENCE_DIR } from "./reference-dir.js";

export interface RegistryOptions {
  /** The shipped package (default models/reference in this checkout); null for none. */
  referenceDir?: string | null;
  /** The user's models folder, one package per subfolder (what `tessera models install` fills). */
  userDir?: string | null;
}

export interface InstalledPackage {
  id: string;
  version: string;
  dir: string;
  source: "reference" | "user";
  manifest: Manifest;
}

export interface RegistryListing {
  packages: InstalledPackage[];
  /** Folders that look like packages but are not valid, with the reason. */
  problems: Array<{ dir: string; error: ErrorBody }>;
}

async function subfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  // temp folders of installs in progress start with a dot
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => join(dir, e.name)).sort();
}

export async function listPackages(options: RegistryOptions = {}): Promise<RegistryListing> {
  const referenceDir = options.referenceDir === undefined ? REFERENCE_DIR : options.referenceDir;
  const candidates: Array<[string, InstalledPackage["source"], boolean]> = [];
  if (referenceDir) candidates.push([referenceDir, "reference", false]);
  if (options.userDir) for (const dir of await subfolders(options.userDir)) candidates.push([dir, "user", true]);
  const listing: RegistryListing = { packages: [], problems: [] };
  for (const [dir, source, reportMissing] of candidates) {
    try {
      const manifest = await readManifest(dir);
      listing.packages.push({ id: manifest.id, version: manifest.version, dir, source, manifest });
    } catch (error) {
      // an absent reference model is normal in a checkout that has not fetched it; a broken user folder is not
      const missing = error instanceof TesseraError && /cannot be read \(ENOENT\)/.test(error.message);
      if (reportMissing || !missing) listing.problems.push({ dir, error: toErrorBody(error) });
    }
  }
  return listing;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.+-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** The package with this id (newest version; the user's copy wins a tie), or the default: the reference model, else the first. */
export async function findPackage(id: string | undefined, options: RegistryOptions = {}): Promise<InstalledPackage> {
  const { packages } = await listPackages(options);
  const matching = id === undefined ? packages : packages.filter((p) => p.id === id);
  if (id === undefined) {
    const found = matching.find((p) => p.source === "reference") ?? matching[0];
    if (found) return found;
    throw new TesseraError("E_MODEL_NOT_FOUND", "No model package is installed.");
  }
  const best = matching.sort((a, b) => compareVersions(b.version, a.version) || (a.source === "user" ? -1 : 1))[0];
  if (!best) {
    const known = packages.map((p) => p.id).join(", ") || "none";
    throw new TesseraError("E_MODEL_NOT_FOUND", `No package has id "${id}" (installed: ${known}).`);
  }
  return best;
}

/** What the panel shows about a model (shared/protocol's ModelInfo). */
export function toModelInfo(m: Manifest): ModelInfo {
  return {
    id: m.id,
    version: m.version,
    description: m.description,
    fps: m.video.fps,
    sizes: m.video.sizes.map(([w, h]) => [w, h] as [number, number]),
    maxFrames: m.video.frames.max,
    maxTokens: m.text.maxTokens,
    defaults: { steps: m.scheduler.steps, guidance: m.scheduler.guidance },
    capabilities: { ...m.capabilities },
  };
}
