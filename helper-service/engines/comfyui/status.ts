/**
 * What a user needs to know about an engine before a job: can it be reached, which GPU and how much VRAM
 * (/system_stats), and for each template which nodes and model files the server lacks, by name, with the fix.
 * `tessera engines`, `tessera doctor` and the panel's Settings all show this.
 */
import { toErrorBody } from "../../../shared/errors.js";
import type { EngineState } from "../../../shared/protocol.js";
import type { ComfyEngine } from "../config.js";
import { ComfyClient } from "./client.js";
import { engineModels } from "./models.js";
import { checkGraph, type GraphProblem } from "./object-info.js";
import { modelFiles, type Template } from "./templates.js";

export type EngineStatus = EngineState;

const GB = 1e9;

/** One line per thing the server lacks, each with its fix. */
export function missingItems(template: Template, problems: GraphProblem[]): string[] {
  const files = modelFiles(template);
  const items = new Set<string>();
  for (const p of problems) {
    const file = files.find((f) => f.node === p.nodeId && f.input === p.input);
    if (file) items.add(`model file ${file.file}: put it in ComfyUI/models/${file.folder}`);
    else if (/has no node/.test(p.message)) items.add(`node ${p.classType}: install the custom node pack that provides it, or update ComfyUI`);
    else items.add(`node ${p.nodeId} (${p.classType})${p.input ? ` input "${p.input}"` : ""}: ${p.message}`);
  }
  return [...items];
}

export async function engineStatus(engine: ComfyEngine, templates: readonly Template[], timeoutMs = 5000): Promise<EngineStatus> {
  const client = new ComfyClient(engine);
  const base = { name: engine.name, kind: "comfyui" as const, url: engine.url };
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const classes = templates.flatMap((t) => Object.values(t.graph).map((node) => node.class_type));
    const [stats, info] = await Promise.all([client.systemStats(signal), client.objectInfoFor(classes, signal)]);
    const device = stats.devices[0];
    const vram = device?.vram_total ? `, ${((device.vram_free ?? 0) / GB).toFixed(1)} of ${(device.vram_total / GB).toFixed(1)} GB VRAM free` : "";
    const detail = `ComfyUI ${stats.system.comfyui_version ?? "(version unknown)"}, ${device ? device.name : "no GPU reported"}${vram}`;
    const statuses = templates.map((t) => {
      const missing = missingItems(t, checkGraph(t.graph, info));
      return { id: t.manifest.id, model: `${engine.name}/${t.manifest.model.id}`, ready: missing.length === 0, missing };
    });
    return { ...base, reachable: true, detail, templates: statuses };
  } catch (error) {
    const body = toErrorBody(error);
    return { ...base, reachable: false, detail: `${body.message} ${body.hint}`, templates: [] };
  }
}

/** The status of every engine in DATA_DIR/engines.json (checked side by side). */
export async function allEngineStatuses(dataDir: string, timeoutMs?: number): Promise<EngineStatus[]> {
  const { models } = engineModels(dataDir);
  const engines = new Map<string, { engine: ComfyEngine; templates: Template[] }>();
  for (const m of models) {
    const entry = engines.get(m.engine.name) ?? { engine: m.engine, templates: [] };
    entry.templates.push(...m.templates);
    engines.set(m.engine.name, entry);
  }
  return Promise.all([...engines.values()].map(({ engine, templates }) => engineStatus(engine, templates, timeoutMs)));
}
