/**
 * The fake server's prompt validation, after ComfyUI 0.3.64 execution.py validate_prompt / validate_inputs:
 * an unknown class is a top-level `invalid_prompt` with no node_errors; per-input errors are collected per output
 * node (required_input_missing, bad_linked_input, return_type_mismatch, value_smaller_than_min,
 * value_bigger_than_max, value_not_in_list, custom_validation_failed).
 */
interface NodeSpec {
  input: { required?: Record<string, [unknown, Record<string, unknown>?]>; optional?: Record<string, [unknown, Record<string, unknown>?]> };
  output: string[];
  output_node: boolean;
}
type Graph = Record<string, { class_type?: string; inputs?: Record<string, unknown> }>;

export interface InputError {
  type: string;
  message: string;
  details: string;
  extra_info: Record<string, unknown>;
}

export type Validation =
  | { ok: true; outputs: string[]; nodeErrors: Record<string, unknown> }
  | { ok: false; status: 400; body: { error: { type: string; message: string; details: string; extra_info: Record<string, unknown> }; node_errors: Record<string, unknown> } };

const isLink = (v: unknown): v is [string, number] => Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && typeof v[1] === "number";

function comboOf(spec: [unknown, Record<string, unknown>?]): string[] | null {
  if (Array.isArray(spec[0])) return spec[0] as string[];
  if (spec[0] === "COMBO") return (spec[1]?.options as string[]) ?? [];
  return null;
}

function checkNode(graph: Graph, id: string, info: Record<string, NodeSpec>, inputExists: (name: string) => boolean, errors: Map<string, InputError[]>, seen: Set<string>): boolean {
  if (seen.has(id)) return (errors.get(id)?.length ?? 0) === 0;
  seen.add(id);
  const node = graph[id]!;
  const spec = info[node.class_type!]!;
  const list: InputError[] = [];
  const add = (type: string, message: string, input: string, extra: Record<string, unknown> = {}): void => {
    list.push({ type, message, details: `${input}`, extra_info: { input_name: input, ...extra } });
  };
  const inputs = node.inputs ?? {};
  const all = { ...spec.input.required, ...spec.input.optional };
  let ok = true;
  for (const name of Object.keys(spec.input.required ?? {})) {
    if (!(name in inputs)) add("required_input_missing", "Required input is missing", name);
  }
  for (const [name, value] of Object.entries(inputs)) {
    const inputSpec = all[name];
    if (!inputSpec) continue; // ComfyUI ignores inputs a node does not declare
    if (isLink(value)) {
      const source = graph[value[0]];
      const sourceSpec = source?.class_type ? info[source.class_type] : undefined;
      if (!source || !sourceSpec) {
        add("bad_linked_input", "Bad linked input, must be a length-2 list of [string, int]", name);
        continue;
      }
      const type = sourceSpec.output[value[1]];
      const wanted = comboOf(inputSpec) ? "COMBO" : String(inputSpec[0]);
      if (type !== wanted && wanted !== "*") add("return_type_mismatch", "Return type mismatch between linked nodes", name, { received_type: type, linked_node: value });
      if (!checkNode(graph, value[0], info, inputExists, errors, seen)) ok = false;
      continue;
    }
    const options = comboOf(inputSpec);
    const key = `${node.class_type}.${name}`;
    if (key === "LoadVideo.file" || key === "LoadImage.image") {
      if (!inputExists(String(value))) add("custom_validation_failed", `Invalid ${name === "file" ? "video" : "image"} file: ${String(value)}`, name);
      continue;
    }
    if (options) {
      if (!options.includes(String(value))) {
        // as Python's str() prints the list
        const shown = options.length > 20 ? `(list of length ${options.length})` : `[${options.map((o) => `'${o}'`).join(", ")}]`;
        add("value_not_in_list", "Value not in list", name, { input_config: options.length > 20 ? null : inputSpec, received_value: value });
        list[list.length - 1]!.details = `${name}: '${String(value)}' not in ${shown}`;
      }
      continue;
    }
    const opts = inputSpec[1] ?? {};
    if ((inputSpec[0] === "INT" || inputSpec[0] === "FLOAT") && typeof value === "number") {
      if (typeof opts.min === "number" && value < opts.min) add("value_smaller_than_min", `Value ${value} smaller than min of ${opts.min}`, name);
      if (typeof opts.max === "number" && value > opts.max) add("value_bigger_than_max", `Value ${value} bigger than max of ${opts.max}`, name);
    }
  }
  if (list.length > 0) errors.set(id, list);
  return ok && list.length === 0;
}

export function validatePrompt(graph: unknown, info: Record<string, NodeSpec>, inputExists: (name: string) => boolean): Validation {
  const fail = (type: string, message: string, details = "", extra: Record<string, unknown> = {}): Validation => ({
    ok: false,
    status: 400,
    body: { error: { type, message, details, extra_info: extra }, node_errors: {} },
  });
  if (!graph || typeof graph !== "object") return fail("no_prompt", "No prompt provided");
  const g = graph as Graph;
  for (const [id, node] of Object.entries(g)) {
    if (!node || typeof node !== "object" || !node.class_type) return fail("invalid_prompt", `Cannot execute because a node is missing the class_type property.: Node ID '#${id}'`);
    if (!info[node.class_type]) return fail("invalid_prompt", `Cannot execute because node ${node.class_type} does not exist.: Node ID '#${id}'`);
  }
  const outputs = Object.keys(g).filter((id) => info[g[id]!.class_type!]!.output_node);
  if (outputs.length === 0) return fail("prompt_no_outputs", "Prompt has no outputs");
  const errors = new Map<string, InputError[]>();
  const good: string[] = [];
  for (const out of outputs) if (checkNode(g, out, info, inputExists, errors, new Set())) good.push(out);
  const nodeErrors: Record<string, unknown> = {};
  for (const [id, list] of errors) nodeErrors[id] = { errors: list, dependent_outputs: outputs, class_type: g[id]!.class_type };
  if (good.length === 0) {
    return { ok: false, status: 400, body: { error: { type: "prompt_outputs_failed_validation", message: "Prompt outputs failed validation", details: "", extra_info: {} }, node_errors: nodeErrors } };
  }
  return { ok: true, outputs: good, nodeErrors };
}
