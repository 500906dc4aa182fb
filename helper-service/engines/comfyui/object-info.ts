/**
 * Reading /object_info and checking an API-format graph against it before it is sent, so a server without a node,
 * an input or a model file gives an error naming exactly that, never a silently different graph.
 * COMBO inputs come in two encodings in the same reply: legacy `[[options...], {opts}]` and V3 nodes'
 * `["COMBO", {options: [...]}]` (ComfyUI server.py node_info; comfy_api/latest/_io.py).
 */
import { z } from "zod";
import type { InputSpec, NodeInfo, ObjectInfo } from "./api.js";

export const GraphNodeSchema = z.object({
  class_type: z.string().min(1),
  inputs: z.record(z.string(), z.unknown()),
  _meta: z.looseObject({ title: z.string().optional() }).optional(),
});
/** An API-format prompt: `{node_id: {class_type, inputs}}`; a link is `[node_id, output_index]`. */
export const GraphSchema = z.record(z.string(), GraphNodeSchema);
export type Graph = z.infer<typeof GraphSchema>;

export function isLink(value: unknown): value is [string, number] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === "string" && Number.isInteger(value[1]);
}

/** The options of a COMBO input in either encoding, or null when the input is not a COMBO. */
export function comboOptions(spec: InputSpec | undefined): string[] | null {
  if (!spec) return null;
  const [type, opts] = spec;
  if (Array.isArray(type)) return type.map(String);
  if (type === "COMBO" && opts && typeof opts === "object" && Array.isArray((opts as { options?: unknown }).options)) {
    return ((opts as { options: unknown[] }).options).map(String);
  }
  return null;
}

export function inputSpec(info: NodeInfo, name: string): InputSpec | undefined {
  return info.input.required?.[name] ?? info.input.optional?.[name];
}

/**
 * Inputs whose COMBO the server does not enforce because the node validates them itself (LoadImage.image,
 * LoadVideo.file: any uploaded file, e.g. in a subfolder).
 */
export const SELF_VALIDATED_INPUTS: ReadonlySet<string> = new Set(["LoadImage.image", "LoadVideo.file"]);

export interface GraphProblem {
  nodeId: string;
  classType: string;
  input?: string;
  message: string;
}

function describeValue(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : JSON.stringify(value);
}

/** Every mismatch between the graph and the server's nodes: missing classes, inputs, links and combo values. */
export function checkGraph(graph: Graph, info: ObjectInfo): GraphProblem[] {
  const problems: GraphProblem[] = [];
  for (const [nodeId, node] of Object.entries(graph)) {
    const nodeInfo = info[node.class_type];
    const at = { nodeId, classType: node.class_type };
    if (!nodeInfo) {
      problems.push({ ...at, message: `the server has no node ${node.class_type} (a custom node pack or a newer ComfyUI is needed)` });
      continue;
    }
    for (const name of Object.keys(nodeInfo.input.required ?? {})) {
      if (!(name in node.inputs)) problems.push({ ...at, input: name, message: `required input "${name}" is not set` });
    }
    for (const [name, value] of Object.entries(node.inputs)) {
      const spec = inputSpec(nodeInfo, name);
      if (!spec) {
        problems.push({ ...at, input: name, message: `the server's ${node.class_type} has no input "${name}" (a different ComfyUI version?)` });
        continue;
      }
      if (isLink(value)) {
        const source = graph[value[0]];
        if (!source) problems.push({ ...at, input: name, message: `"${name}" links to node ${value[0]}, which is not in the graph` });
        continue;
      }
      const options = comboOptions(spec);
      if (options && !SELF_VALIDATED_INPUTS.has(`${node.class_type}.${name}`) && !options.includes(String(value))) {
        const shown = options.length > 8 ? `${options.slice(0, 8).join(", ")}, ... (${options.length})` : options.join(", ") || "none";
        problems.push({ ...at, input: name, message: `${describeValue(value)} is not among the server's options for "${name}" (${shown})` });
      }
    }
  }
  return problems;
}

export function describeProblem(p: GraphProblem): string {
  return `node ${p.nodeId} (${p.classType})${p.input ? ` input "${p.input}"` : ""}: ${p.message}`;
}
