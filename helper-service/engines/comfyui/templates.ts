/**
 * Workflow templates: an API-format graph (workflow.json, as ComfyUI's "Export (API)" writes it) and a manifest
 * (manifest.json) saying which request fields fill which node inputs, what to cut out when a side of the
 * conditioning is absent, which node saves the video and which inputs name model files. Built-in templates live
 * next to this file; a user adds folders of their own (engine `templateDirs`, or DATA_DIR/comfyui-templates).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { TesseraError } from "../../../shared/errors.js";
import { describeIssues } from "../../../shared/parse.js";
import { FrameGrammarSchema } from "../../../shared/time.js";
import { bundled } from "../../runtime-entry.js";
import { GraphSchema, isLink, type Graph } from "./object-info.js";

export const BUILTIN_TEMPLATES_DIR = fileURLToPath(
  new URL(bundled(import.meta.url) ? "../../helper-service/engines/comfyui/templates" : "./templates", import.meta.url),
);
export const USER_TEMPLATES_FOLDER = "comfyui-templates";

const Target = z.tuple([z.string(), z.string()]);
const Targets = z.array(Target).default([]);

const EditSchema = z.object({
  /** Nodes passed through: every link to output N of the node is replaced by what feeds the named input. */
  bypass: z.record(z.string(), z.record(z.string(), z.string())).default({}),
  /** Inputs removed (optional inputs fed by a removed node). */
  unset: z.array(Target).default([]),
  remove: z.array(z.string()).default([]),
});
type Edit = z.infer<typeof EditSchema>;

export const TemplateManifestSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/),
  title: z.string().min(1),
  /** The model this template runs; templates sharing it make one model in the list (t2v + conditioned). */
  model: z.object({
    id: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,47}$/),
    name: z.string().min(1),
    version: z.string().default("1"),
    description: z.string().default(""),
  }),
  video: z.object({
    fps: z.number().positive(),
    sizes: z.array(z.tuple([z.number().int().positive(), z.number().int().positive()])).min(1),
    frames: FrameGrammarSchema,
  }),
  defaults: z.object({ steps: z.number().int().positive(), guidance: z.number().positive() }),
  /**
   * Sides of footage this template is conditioned on. `frames`: model frames of the footage before, placed at the
   * start. `afterFrames` of the footage after go either at the very end (`afterAt: "end"`, e.g. Wan's end_image:
   * then as many as fill the length exactly) or at `afterIndex`, right after the new frames (`"index"`, e.g. an
   * LTX-Video guide: one frame, since only a single-frame guide is placed at an exact index).
   */
  conditioning: z
    .object({
      frames: z.number().int().min(1).max(64),
      before: z.boolean(),
      after: z.boolean(),
      afterFrames: z.number().int().min(1).max(64).optional(),
      afterAt: z.enum(["end", "index"]).default("end"),
    })
    .optional(),
  inputs: z.object({
    prompt: z.array(Target).min(1),
    negativePrompt: Targets,
    seed: Targets,
    steps: Targets,
    guidance: Targets,
    width: Targets,
    height: Targets,
    length: Targets,
    fps: Targets,
    filenamePrefix: Targets,
    before: Targets,
    after: Targets,
    /** Where the `after` frames start in the generated frames (guide frame index). */
    afterIndex: Targets,
  }),
  absent: z.object({ before: EditSchema.optional(), after: EditSchema.optional() }).default({}),
  /** The node whose saved file is the result (SaveVideo, SaveWEBM, VHS_VideoCombine...). */
  output: z.string(),
  /** Loader inputs that name model files, and the models/ folder each file belongs in. */
  models: z.array(z.object({ node: z.string(), input: z.string(), folder: z.string() })).default([]),
});
export type TemplateManifest = z.infer<typeof TemplateManifestSchema>;

export interface Template {
  manifest: TemplateManifest;
  graph: Graph;
  dir: string;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new TesseraError("E_ENGINE_TEMPLATE", `${path} is not readable JSON: ${(error as Error).message}`, {
      hint: "Export the workflow with ComfyUI's \"Export (API)\" and check the manifest's JSON.",
    });
  }
}

/** Every node and input a manifest names must exist in its graph (a typo is caught when the template loads). */
function checkManifest(manifest: TemplateManifest, graph: Graph, dir: string): void {
  const fail = (what: string): never => {
    throw new TesseraError("E_ENGINE_TEMPLATE", `${join(dir, "manifest.json")}: ${what}`, {
      hint: "Make the manifest name node ids and inputs exactly as they are in workflow.json.",
    });
  };
  const targets: [string, string][] = [...Object.values(manifest.inputs).flat(), ...manifest.models.map((m): [string, string] => [m.node, m.input])];
  for (const [node, input] of targets) {
    if (!graph[node]) fail(`node ${node} is not in the workflow`);
    else if (!(input in graph[node].inputs)) fail(`node ${node} (${graph[node].class_type}) has no input "${input}" in the workflow`);
  }
  if (!graph[manifest.output]) fail(`the output node ${manifest.output} is not in the workflow`);
  const needs = manifest.conditioning;
  if (needs?.before && manifest.inputs.before.length === 0) fail("conditioning.before is set but inputs.before is empty");
  if (needs?.after && manifest.inputs.after.length === 0) fail("conditioning.after is set but inputs.after is empty");
}

export function loadTemplate(dir: string): Template {
  const parsed = TemplateManifestSchema.safeParse(readJson(join(dir, "manifest.json")));
  if (!parsed.success) throw new TesseraError("E_ENGINE_TEMPLATE", `${join(dir, "manifest.json")}: ${describeIssues(parsed.error)}`);
  const graph = GraphSchema.safeParse(readJson(join(dir, "workflow.json")));
  if (!graph.success) {
    throw new TesseraError("E_ENGINE_TEMPLATE", `${join(dir, "workflow.json")} is not an API-format workflow: ${describeIssues(graph.error)}`, {
      hint: "Export it with ComfyUI's \"Export (API)\" (not the plain \"Export\", which saves the editor's layout).",
    });
  }
  checkManifest(parsed.data, graph.data, dir);
  return { manifest: parsed.data, graph: graph.data, dir };
}

/** Built-in templates, then each user folder (a user template with a built-in's id replaces it). */
export function loadTemplates(userDirs: readonly string[]): { templates: Template[]; problems: string[] } {
  const byId = new Map<string, Template>();
  const problems: string[] = [];
  for (const root of [BUILTIN_TEMPLATES_DIR, ...userDirs]) {
    if (!existsSync(root)) continue;
    for (const name of readdirSync(root).sort()) {
      const dir = join(root, name);
      if (!existsSync(join(dir, "manifest.json"))) continue;
      try {
        const template = loadTemplate(dir);
        byId.set(template.manifest.id, template);
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
  }
  return { templates: [...byId.values()], problems };
}

export interface TemplateValues {
  prompt: string;
  negativePrompt: string;
  seed: number;
  steps: number;
  guidance: number;
  width: number;
  height: number;
  length: number;
  fps: number;
  filenamePrefix: string;
  /** Uploaded file names of the conditioning clips. */
  before?: string;
  after?: string;
  afterIndex?: number;
}

const VALUE_KEYS = [
  "prompt", "negativePrompt", "seed", "steps", "guidance", "width", "height", "length", "fps", "filenamePrefix", "before", "after", "afterIndex",
] as const satisfies readonly (keyof TemplateValues & keyof TemplateManifest["inputs"])[];

function applyEdit(graph: Graph, edit: Edit): void {
  for (const [nodeId, outputs] of Object.entries(edit.bypass)) {
    const node = graph[nodeId];
    if (!node) continue;
    for (const other of Object.values(graph)) {
      for (const [name, value] of Object.entries(other.inputs)) {
        if (isLink(value) && value[0] === nodeId) {
          const through = outputs[String(value[1])];
          if (through !== undefined) other.inputs[name] = node.inputs[through];
        }
      }
    }
    delete graph[nodeId];
  }
  for (const [nodeId, input] of edit.unset) delete graph[nodeId]?.inputs[input];
  for (const nodeId of edit.remove) delete graph[nodeId];
}

/** The graph for one job: a fresh copy with the values set and the absent sides of the conditioning cut out. */
export function fillTemplate(template: Template, values: TemplateValues): Graph {
  const graph = structuredClone(template.graph);
  const { inputs, absent } = template.manifest;
  const set = (targets: readonly [string, string][], value: unknown): void => {
    if (value === undefined) return;
    for (const [node, input] of targets) {
      const target = graph[node];
      if (target) target.inputs[input] = value;
    }
  };
  for (const key of VALUE_KEYS) set(inputs[key], values[key]);
  if (values.before === undefined && absent.before) applyEdit(graph, absent.before);
  if (values.after === undefined && absent.after) applyEdit(graph, absent.after);
  return graph;
}

/** The model files a graph loads, with the folder each belongs in (for the record and the doctor's fix). */
export function modelFiles(template: Template, graph: Graph = template.graph): { node: string; input: string; folder: string; file: string }[] {
  return template.manifest.models
    .filter((m) => graph[m.node])
    .map((m) => ({ ...m, file: String(graph[m.node]!.inputs[m.input]) }));
}
