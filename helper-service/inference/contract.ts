/**
 * The tensors each graph of a package must have (names, element types, ranks, fixed and dynamic axes), and the
 * comparison of a loaded session against them. The package loader runs it on every session it opens, so a package
 * with a renamed input or a wrong dtype fails with the file and tensor named instead of an onnxruntime error.
 */
import type * as ort from "onnxruntime-node";
import { TesseraError } from "../../shared/errors.js";
import type { GraphName, Manifest } from "./manifest.js";

export interface Problem {
  file: string;
  tensor?: string;
  message: string;
}

type Dim = number | "dynamic";
interface TensorSpec {
  name: string;
  type: "float" | "int64";
  dims: Dim[];
}
interface GraphSpec {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

const d = "dynamic" as const;

/** The contract's tensors for each graph. */
export function contractSpec(m: Manifest): Record<GraphName, GraphSpec> {
  const C = m.latent.channels;
  const D = m.text.dim;
  return {
    textEncoder: {
      inputs: [
        { name: "input_ids", type: "int64", dims: [d, d] },
        { name: "attention_mask", type: "int64", dims: [d, d] },
      ],
      outputs: [{ name: "text_embeds", type: "float", dims: [d, d, D] }],
    },
    denoiser: {
      inputs: [
        { name: "latents", type: "float", dims: [d, C, d, d, d] },
        { name: "timestep", type: "float", dims: [d] },
        { name: "text_embeds", type: "float", dims: [d, d, D] },
        { name: "text_mask", type: "int64", dims: [d, d] },
        { name: "cond_latents", type: "float", dims: [d, C, d, d, d] },
        { name: "cond_times", type: "float", dims: [d, d] },
        { name: "cond_mask", type: "float", dims: [d, d] },
      ],
      outputs: [{ name: "velocity", type: "float", dims: [d, C, d, d, d] }],
    },
    vaeEncoder: {
      inputs: [{ name: "frames", type: "float", dims: [d, 3, d, d, d] }],
      outputs: [{ name: "latents", type: "float", dims: [d, C, d, d, d] }],
    },
    vaeDecoder: {
      inputs: [{ name: "latents", type: "float", dims: [d, C, d, d, d] }],
      outputs: [{ name: "frames", type: "float", dims: [d, 3, d, d, d] }],
    },
  };
}

export function compareMetadata(file: string, kind: "input" | "output", spec: TensorSpec[], actual: readonly ort.InferenceSession.ValueMetadata[], floatType: string, problems: Problem[]): void {
  for (const want of spec) {
    const got = actual.find((a) => a.name === want.name);
    if (!got) {
      problems.push({ file, tensor: want.name, message: `missing ${kind} ${want.name} (has: ${actual.map((a) => a.name).join(", ") || "none"})` });
      continue;
    }
    if (!got.isTensor) {
      problems.push({ file, tensor: want.name, message: `${kind} ${want.name} is not a tensor` });
      continue;
    }
    const type = want.type === "float" ? floatType : "int64";
    if (got.type !== type) problems.push({ file, tensor: want.name, message: `${kind} ${want.name} is ${got.type}, expected ${type}` });
    if (got.shape.length !== want.dims.length) {
      problems.push({ file, tensor: want.name, message: `${kind} ${want.name} has rank ${got.shape.length}, expected ${want.dims.length}` });
      continue;
    }
    want.dims.forEach((w, i) => {
      const g = got.shape[i];
      if (typeof g !== "number" || g < 0) return; // symbolic: checked by the runs
      if (w === "dynamic") problems.push({ file, tensor: want.name, message: `${kind} ${want.name} axis ${i} is fixed to ${g}, must be dynamic` });
      else if (g !== w) problems.push({ file, tensor: want.name, message: `${kind} ${want.name} axis ${i} is ${g}, expected ${w}` });
    });
  }
  if (kind === "input") {
    for (const extra of actual.filter((a) => !spec.some((s) => s.name === a.name))) {
      problems.push({ file, tensor: extra.name, message: `unexpected input ${extra.name} (the pipeline does not feed it)` });
    }
  }
}

/** Throws E_MODEL_INVALID listing every mismatch between an opened graph and the contract. */
export function assertContract(m: Manifest, graph: GraphName, file: string, session: ort.InferenceSession): void {
  const spec = contractSpec(m)[graph];
  const problems: Problem[] = [];
  compareMetadata(file, "input", spec.inputs, session.inputMetadata, m.dtype.default, problems);
  compareMetadata(file, "output", spec.outputs, session.outputMetadata, m.dtype.default, problems);
  if (problems.length > 0) throw new TesseraError("E_MODEL_INVALID", `${file}: ${problems.map((p) => p.message).join("; ")}.`);
}
