/**
 * FLOPs of one graph run, counted from the shapes the MatMul, Gemm, Conv and MultiHeadAttention nodes actually ran
 * with (onnxruntime's profiler records every node's input and output shapes; graph optimisation is off so no node
 * is fused away).
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";

interface ProfileEvent {
  cat?: string;
  args?: { op_name?: string; input_type_shape?: Array<Record<string, number[]>>; output_type_shape?: Array<Record<string, number[]>> };
}

const shapeOf = (entry: Record<string, number[]> | undefined): number[] => (entry ? (Object.values(entry)[0] ?? []) : []);
const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

export function nodeFlops(op: string, inputs: number[][], outputs: number[][]): number {
  const out = outputs[0] ?? [];
  if (op === "MatMul" || op === "FusedMatMul") {
    const a = inputs[0] ?? [];
    return 2 * product(out) * (a.at(-1) ?? 0);
  }
  if (op === "Gemm" || op === "FusedGemm") {
    const a = inputs[0] ?? [];
    return 2 * product(out) * (product(a) / (out[0] ?? 1));
  }
  if (op === "MultiHeadAttention") {
    // q k^T and weights x v of every head: query [B, S, D], key [B, L, D] (or [B, heads, L, D/heads]), output [B, S, Dv]
    const [b = 0, s = 0, d = 0] = inputs[0] ?? [];
    const key = inputs[1] ?? [];
    const l = (key.length === 4 ? key[2] : key[1]) ?? 0;
    return 2 * b * s * l * (d + (out[2] ?? 0));
  }
  if (op === "Conv" || op === "FusedConv") {
    const w = inputs[1] ?? [];
    return 2 * product(out) * product(w.slice(1));
  }
  return 0;
}

export async function countFlops(modelPath: string, feeds: Record<string, ort.Tensor>): Promise<{ flops: number; byOp: Record<string, number> }> {
  const dir = await mkdtemp(join(tmpdir(), "tessera-flops-"));
  try {
    const session = await ort.InferenceSession.create(modelPath, { enableProfiling: true, profileFilePrefix: join(dir, "profile"), graphOptimizationLevel: "disabled", logSeverityLevel: 3 });
    await session.run(feeds);
    session.endProfiling();
    await session.release();
    const file = (await readdir(dir)).find((f) => f.endsWith(".json"));
    if (!file) throw new Error("onnxruntime wrote no profile");
    const events = JSON.parse(await readFile(join(dir, file), "utf8")) as ProfileEvent[];
    const byOp: Record<string, number> = {};
    let flops = 0;
    for (const e of events) {
      const op = e.args?.op_name;
      if (e.cat !== "Node" || !op) continue;
      const f = nodeFlops(op, (e.args!.input_type_shape ?? []).map(shapeOf), (e.args!.output_type_shape ?? []).map(shapeOf));
      if (f > 0) {
        byOp[op] = (byOp[op] ?? 0) + f;
        flops += f;
      }
    }
    return { flops, byOp };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
