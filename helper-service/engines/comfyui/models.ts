/**
 * The models a ComfyUI engine offers: its templates grouped by the model they run ("LTX-Video 2B via studio-gpu"
 * from ltxv-t2v + ltxv-guides), with the capabilities, sizes, fps and length rules the conform plan and the
 * panel need. Listing reads only local files (engines.json and templates); reaching the server is the doctor's
 * and the job's business, so `tessera models` and the panel never wait on the network.
 */
import { join } from "node:path";
import { TesseraError } from "../../../shared/errors.js";
import type { ModelInfo } from "../../../shared/protocol.js";
import { largestGrammarFrames } from "../../../shared/time.js";
import { readEngines, type ComfyEngine } from "../config.js";
import { loadTemplates, USER_TEMPLATES_FOLDER, type Template } from "./templates.js";

export interface EngineModel {
  /** "ENGINE/MODEL": the model id names its engine. */
  id: string;
  engine: ComfyEngine;
  templates: Template[];
  info: ModelInfo;
}

/** T5 prompts of LTX-Video and Wan are cut at a few hundred tokens; the panel only warns past this. */
const ENGINE_MAX_TOKENS = 256;

export function modelInfoOf(id: string, engine: ComfyEngine, templates: readonly Template[]): ModelInfo {
  const plain = templates.find((t) => !t.manifest.conditioning);
  const conditioned = templates.filter((t) => t.manifest.conditioning);
  const main = (plain ?? templates[0]!).manifest;
  const cf = conditioned[0]?.manifest.conditioning?.frames ?? 0;
  return {
    id,
    version: main.model.version,
    name: `${main.model.name} via ${engine.name}`,
    description: `${main.model.name} via ${engine.name} (ComfyUI at ${engine.url}). ${main.model.description}`.trim(),
    engine: engine.name,
    fps: main.video.fps,
    sizes: main.video.sizes.map(([w, h]) => [w, h] as [number, number]),
    maxFrames: largestGrammarFrames(main.video.frames),
    maxTokens: ENGINE_MAX_TOKENS,
    defaults: { ...main.defaults },
    capabilities: {
      textToVideo: plain !== undefined,
      extendTail: conditioned.some((t) => t.manifest.conditioning?.before),
      extendHead: conditioned.some((t) => t.manifest.conditioning?.after),
      fill: conditioned.some((t) => t.manifest.conditioning?.before && t.manifest.conditioning.after),
      conditionFrames: cf,
    },
  };
}

/** Every engine's models (engines in the order added). Problems (a bad template, a bad engines.json) are listed. */
export function engineModels(dataDir: string): { models: EngineModel[]; problems: string[] } {
  const problems: string[] = [];
  let engines: ComfyEngine[] = [];
  try {
    engines = readEngines(dataDir);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const models: EngineModel[] = [];
  for (const engine of engines) {
    const loaded = loadTemplates([join(dataDir, USER_TEMPLATES_FOLDER), ...engine.templateDirs]);
    problems.push(...loaded.problems);
    const groups = new Map<string, Template[]>();
    for (const t of loaded.templates) groups.set(t.manifest.model.id, [...(groups.get(t.manifest.model.id) ?? []), t]);
    for (const [modelId, templates] of groups) {
      const id = `${engine.name}/${modelId}`;
      models.push({ id, engine, templates, info: modelInfoOf(id, engine, templates) });
    }
  }
  return { models, problems };
}

/** The template for a request: plain text to video, or one conditioned on the sides the request brings. */
export function templateFor(model: EngineModel, sides: { before: boolean; after: boolean }): Template {
  if (!sides.before && !sides.after) {
    const plain = model.templates.find((t) => !t.manifest.conditioning);
    if (plain) return plain;
    throw new TesseraError("E_CAPABILITY", `${model.id} has no text-to-video template.`);
  }
  const fits = model.templates.find((t) => {
    const c = t.manifest.conditioning;
    return c && (!sides.before || c.before) && (!sides.after || c.after);
  });
  if (fits) return fits;
  const wanted = sides.before && sides.after ? "fill a gap" : sides.before ? "extend a tail" : "extend a head";
  throw new TesseraError("E_CAPABILITY", `${model.id} has no template that can ${wanted}.`);
}
