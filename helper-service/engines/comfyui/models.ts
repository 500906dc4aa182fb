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

/** The sides of footage a kind of request brings. */
export type Sides = { before: boolean; after: boolean };
const KINDS = {
  textToVideo: { before: false, after: false },
  extendTail: { before: true, after: false },
  extendHead: { before: false, after: true },
  fill: { before: true, after: true },
} as const satisfies Record<string, Sides>;

/** The template for these sides: plain text to video, or one conditioned on (at least) the sides brought. */
export function findTemplate(templates: readonly Template[], sides: Sides): Template | undefined {
  if (!sides.before && !sides.after) return templates.find((t) => !t.manifest.conditioning);
  return templates.find((t) => {
    const c = t.manifest.conditioning;
    return c && (!sides.before || c.before) && (!sides.after || c.after);
  });
}

/**
 * New frames one run of a template makes for a request bringing these sides: the length rule's largest count
 * less the footage frames placed in the same clip (before at the start, after at the guide index or the end).
 */
export function newFramesPerRun(template: Template, sides: Sides): number {
  const cond = template.manifest.conditioning;
  const before = sides.before && cond ? cond.frames : 0;
  const after = sides.after && cond ? (cond.afterFrames ?? cond.frames) : 0;
  return largestGrammarFrames(template.manifest.video.frames) - before - after;
}

/**
 * True when requests bringing these sides of footage can be chained past one prompt (helper-service/engines/
 * comfyui/windows.ts): a template conditioned on the frames before (or, for a head extension, after) exists.
 */
export function chains(templates: readonly Template[], footage: Sides): boolean {
  const link: Sides = footage.after && !footage.before ? { before: false, after: true } : { before: true, after: false };
  const template = findTemplate(templates, link);
  return template !== undefined && newFramesPerRun(template, link) >= 1;
}

export function modelInfoOf(id: string, engine: ComfyEngine, templates: readonly Template[]): ModelInfo {
  const plain = templates.find((t) => !t.manifest.conditioning);
  const conditioned = templates.filter((t) => t.manifest.conditioning);
  const main = (plain ?? templates[0]!).manifest;
  const cf = conditioned[0]?.manifest.conditioning?.frames ?? 0;
  const longest: NonNullable<ModelInfo["longest"]> = {};
  for (const [kind, sides] of Object.entries(KINDS) as [keyof typeof KINDS, Sides][]) {
    const template = findTemplate(templates, sides);
    if (template && !chains(templates, sides)) longest[kind] = newFramesPerRun(template, sides);
  }
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
      extendTail: findTemplate(templates, KINDS.extendTail) !== undefined,
      extendHead: findTemplate(templates, KINDS.extendHead) !== undefined,
      fill: findTemplate(templates, KINDS.fill) !== undefined,
      conditionFrames: cf,
    },
    longest,
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
export function templateFor(model: EngineModel, sides: Sides): Template {
  const found = findTemplate(model.templates, sides);
  if (found) return found;
  if (!sides.before && !sides.after) throw new TesseraError("E_CAPABILITY", `${model.id} has no text-to-video template.`);
  const wanted = sides.before && sides.after ? "fill a gap" : sides.before ? "extend a tail" : "extend a head";
  throw new TesseraError("E_CAPABILITY", `${model.id} has no template that can ${wanted}.`);
}
