/**
 * The real generator: model packages from the registry (the folders the helper was started with, then the user's
 * models folder), the inference pipeline and the media encoder, glued by renderJob. Packages stay loaded between
 * jobs so the second job starts warm; `info()` opens the default model once to learn which device really runs
 * (unless config.probeDevice is false: a run for an engine job only).
 * Models of engine servers (ids "ENGINE/MODEL", from DATA_DIR/engines.json) are listed after the packages, so a
 * package stays the default, and their jobs go to that engine (helper-service/engines/).
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { TesseraError, toErrorBody } from "../../shared/errors.js";
import { DEVICE_LABELS } from "../inference/devices.js";
import { MANIFEST_FILE } from "../inference/manifest.js";
import { ModelPackage, readManifest } from "../inference/package.js";
import { listPackages, toModelInfo, type InstalledPackage } from "../inference/registry.js";
import { closeMetadata } from "../media/index.js";
import { packageVersion, dataPaths } from "../server/data-dir.js";
import { loadOutputChecker } from "../safety/output-check.js";
import type { Generator, GeneratorConfig, GeneratorFactory } from "./generator.js";
import { renderJob } from "./render-job.js";
import { engineModels } from "../engines/comfyui/models.js";

/** The packages this helper can run, the default first: explicit folders, then the user's models folder. */
export async function installedPackages(config: Pick<GeneratorConfig, "modelDirs" | "dataDir">): Promise<{
  packages: InstalledPackage[];
  problems: string[];
}> {
  const packages: InstalledPackage[] = [];
  const problems: string[] = [];
  for (const dir of config.modelDirs) {
    try {
      const manifest = await readManifest(dir);
      packages.push({ id: manifest.id, version: manifest.version, dir, source: "reference", manifest });
    } catch (error) {
      problems.push(toErrorBody(error).message);
    }
  }
  const listing = await listPackages({ referenceDir: null, userDir: dataPaths(config.dataDir).models });
  for (const pkg of listing.packages) if (!packages.some((p) => p.dir === pkg.dir)) packages.push(pkg);
  for (const problem of listing.problems) problems.push(`${problem.dir}: ${problem.error.message}`);
  return { packages, problems };
}

const createGenerator: GeneratorFactory = async (config) => {
  const version = packageVersion();
  const machine = { host: hostname(), ...(config.worker ? { worker: config.worker } : {}) };
  const outputCheck = await loadOutputChecker(config.policyPath);
  const loaded = new Map<string, Promise<{ pkg: ModelPackage; hash: string }>>();

  const load = (dir: string): Promise<{ pkg: ModelPackage; hash: string }> => {
    let entry = loaded.get(dir);
    if (!entry) {
      entry = (async () => {
        const pkg = await ModelPackage.load(dir);
        const hash = createHash("sha256").update(await readFile(join(dir, MANIFEST_FILE))).digest("hex");
        return { pkg, hash };
      })();
      loaded.set(dir, entry);
      entry.catch(() => loaded.delete(dir));
    }
    return entry;
  };

  const choose = async (modelId: string | undefined): Promise<InstalledPackage> => {
    const { packages } = await installedPackages(config);
    if (packages.length === 0) {
      throw new TesseraError("E_MODEL_NOT_FOUND", "No model package is installed.");
    }
    if (modelId === undefined) return packages[0]!;
    const found = packages.find((p) => p.id === modelId);
    if (!found) throw new TesseraError("E_MODEL_NOT_FOUND", `No package has id "${modelId}" (installed: ${packages.map((p) => p.id).join(", ")}).`);
    return found;
  };

  const generator: Generator = {
    async info() {
      const { packages, problems } = await installedPackages(config);
      const notices = [...problems];
      let device = DEVICE_LABELS.cpu;
      if (packages.length > 0 && config.probeDevice !== false) {
        try {
          const { pkg } = await load(packages[0]!.dir);
          const runtime = await pkg.runtime({ device: "auto", threads: config.threads });
          device = DEVICE_LABELS[runtime.device];
          for (const n of runtime.notices) notices.push(n.message);
        } catch (error) {
          notices.push(`The model ${packages[0]!.id} could not be loaded: ${toErrorBody(error).message}`);
        }
      }
      // engine models after the packages: the ONNX default stays the default
      const engines = engineModels(config.dataDir);
      notices.push(...engines.problems);
      return { device, models: [...packages.map((p) => toModelInfo(p.manifest)), ...engines.models.map((e) => e.info)], notices };
    },

    async render(job, hooks) {
      const onEngine = engineModels(config.dataDir).models.find((e) => e.id === job.request.modelId);
      if (onEngine) {
        // loaded only for engine jobs: an ONNX-only helper never imports the engine's client
        const { renderOnComfy } = await import("../engines/comfyui/render.js");
        return renderOnComfy({ version, dataDir: config.dataDir, outputCheck, machine }, onEngine, job, hooks);
      }
      const chosen = await choose(job.request.modelId);
      hooks.onProgress({ phase: "load", window: { index: 0, count: 1 }, step: 0, steps: 0, fraction: 0, etaSeconds: null });
      const { pkg, hash } = await load(chosen.dir);
      return renderJob({ pkg, packageHash: hash, version, dataDir: config.dataDir, threads: config.threads, outputCheck, machine }, job, hooks);
    },

    async close() {
      const all = [...loaded.values()];
      loaded.clear();
      await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.pkg.dispose()));
      await closeMetadata();
    },
  };
  return generator;
};

export default createGenerator;
