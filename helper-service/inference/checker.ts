/**
 * The model package contract checker: validates model.json and every file's sha256, loads every graph, compares
 * input and output names, dtypes and shapes with the contract, then runs the graphs at several latent frame
 * counts (F = 1, 3, 5), conditioning lengths (K = 1, 2, 4) and two sizes, and checks that each denoiser input
 * changes the output (an input the graph ignores is a broken export). Every mismatch is reported, not just the
 * first, each naming the file and tensor.
 */
import * as ort from "onnxruntime-node";
import { TesseraError } from "../../shared/errors.js";
import { firstLine } from "./devices.js";
import { compareMetadata, contractSpec, type Problem } from "./contract.js";
import { graphFile, type GraphName, type Manifest } from "./manifest.js";
import { readManifest, verifyFiles } from "./package.js";
import { floatTensor, int64Tensor, readFloat } from "./tensors.js";

export type { Problem } from "./contract.js";

export interface CheckReport {
  ok: boolean;
  problems: Problem[];
  /** Graph runs made. */
  runs: number;
}

/** Deterministic values in [-1, 1] (the checker must give the same verdict every run). */
function pattern(n: number, salt: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(i * 12.9898 + salt * 78.233) * 0.9;
  return out;
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((mx, v, i) => Math.max(mx, Math.abs(v - b[i]!)), 0);

class Runner {
  runs = 0;
  constructor(
    readonly m: Manifest,
    readonly problems: Problem[],
  ) {}

  async run(session: ort.InferenceSession, file: string, label: string, feeds: Record<string, ort.Tensor>, output: string, dims: number[]): Promise<Float32Array | null> {
    this.runs++;
    let result: ort.InferenceSession.ReturnType;
    try {
      result = await session.run(feeds);
    } catch (error) {
      this.problems.push({ file, message: `${label}: run failed: ${firstLine(error)}` });
      return null;
    }
    const tensor = result[output] as ort.Tensor | undefined;
    if (!tensor) return null; // reported by the metadata check
    if (tensor.dims.join(",") !== dims.join(",")) {
      this.problems.push({ file, tensor: output, message: `${label}: ${output} has shape [${tensor.dims.join(", ")}], expected [${dims.join(", ")}]` });
      return null;
    }
    const values = readFloat(tensor, output);
    if (!values.every(Number.isFinite)) this.problems.push({ file, tensor: output, message: `${label}: ${output} has NaN or infinite values` });
    return values;
  }

  float(data: Float32Array, dims: number[]): ort.Tensor {
    return floatTensor(this.m.dtype.default, data, dims);
  }
}

async function runDenoiser(r: Runner, session: ort.InferenceSession, file: string, [w, h]: [number, number]): Promise<void> {
  const { m } = r;
  const C = m.latent.channels;
  const H = h / m.latent.spatial;
  const W = w / m.latent.spatial;
  const B = 2;
  const T = m.text.maxTokens;
  const D = m.text.dim;
  const textMask = new BigInt64Array(B * T);
  for (let i = 0; i < 3; i++) textMask[i] = 1n; // row 0: three tokens; row 1: all padding (the unconditional branch)
  for (const F of [1, 3, 5]) {
    for (const K of [1, 2, 4]) {
      const label = `${w}x${h} F=${F} K=${K}`;
      const base = {
        latents: pattern(B * C * F * H * W, 1),
        timestep: Float32Array.from([0.9, 0.3]),
        text_embeds: pattern(B * T * D, 2),
        cond_latents: pattern(B * C * K * H * W, 3),
        cond_times: Float32Array.from({ length: B * K }, (_, i) => [-5, -4, F * 4 + 1, F * 4 + 2][i % K]!),
        cond_mask: new Float32Array(B * K).fill(1),
      };
      const feeds = (over: Partial<typeof base> = {}, mask = textMask) => {
        const v = { ...base, ...over };
        return {
          latents: r.float(v.latents, [B, C, F, H, W]),
          timestep: r.float(v.timestep, [B]),
          text_embeds: r.float(v.text_embeds, [B, T, D]),
          text_mask: int64Tensor(mask, [B, T]),
          cond_latents: r.float(v.cond_latents, [B, C, K, H, W]),
          cond_times: r.float(v.cond_times, [B, K]),
          cond_mask: r.float(v.cond_mask, [B, K]),
        };
      };
      const dims = [B, C, F, H, W];
      const reference = await r.run(session, file, label, feeds(), "velocity", dims);
      if (!reference || F !== 3 || K !== 2) continue;
      // each input must change the velocity: a dropped or ignored input is a broken export
      const variants: Array<[string, Record<string, ort.Tensor>]> = [
        ["latents", feeds({ latents: pattern(base.latents.length, 11) })],
        ["timestep", feeds({ timestep: Float32Array.from([0.5, 0.1]) })],
        ["text_embeds", feeds({ text_embeds: pattern(base.text_embeds.length, 12) })],
        ["text_mask", feeds({}, textMask.map((v, i) => (i % T < 6 ? 1n : v)))],
        ["cond_latents", feeds({ cond_latents: pattern(base.cond_latents.length, 13) })],
        ["cond_times", feeds({ cond_times: base.cond_times.map((t) => t - 8) })],
        ["cond_mask", feeds({ cond_mask: new Float32Array(B * K) })],
      ];
      for (const [input, variant] of variants) {
        const out = await r.run(session, file, `${label} (${input} changed)`, variant, "velocity", dims);
        if (out && maxAbsDiff(out, reference) < 1e-7) r.problems.push({ file, tensor: input, message: `input ${input} does not change velocity (is it used?)` });
      }
    }
  }
}

async function runVae(r: Runner, decoder: ort.InferenceSession | null, encoder: ort.InferenceSession | null, [w, h]: [number, number]): Promise<void> {
  const { m } = r;
  const C = m.latent.channels;
  const s = m.latent.spatial;
  const t = m.latent.temporal;
  const [H, W] = [h / s, w / s];
  for (const F of [1, 3, 5]) {
    const n = (F - 1) * t + 1;
    if (decoder) {
      const frames = await r.run(decoder, m.vae.decoder, `${w}x${h} F=${F}`, { latents: r.float(pattern(C * F * H * W, 4), [1, C, F, H, W]) }, "frames", [1, 3, n, h, w]);
      if (frames && frames.some((v) => v < -1.001 || v > 1.001)) {
        r.problems.push({ file: m.vae.decoder, tensor: "frames", message: `${w}x${h} F=${F}: frames outside [-1, 1]` });
      }
    }
    if (encoder) {
      await r.run(encoder, m.vae.encoder, `${w}x${h} ${n} frames`, { frames: r.float(pattern(3 * n * h * w, 5), [1, 3, n, h, w]) }, "latents", [1, C, F, H, W]);
    }
  }
}

async function runTextEncoder(r: Runner, session: ort.InferenceSession): Promise<void> {
  const { m } = r;
  const T = m.text.maxTokens;
  const ids = new BigInt64Array(2 * T).fill(BigInt(m.text.padId));
  const mask = new BigInt64Array(2 * T);
  for (let i = 0; i < 3; i++) {
    ids[i] = BigInt(i + 1);
    mask[i] = 1n;
  }
  // row 1 is the empty prompt: all padding, mask all 0, and the embeddings must stay finite
  await r.run(session, m.text.encoder, "prompt + empty prompt", { input_ids: int64Tensor(ids, [2, T]), attention_mask: int64Tensor(mask, [2, T]) }, "text_embeds", [2, T, m.text.dim]);
}

export async function checkPackage(dir: string): Promise<CheckReport> {
  const problems: Problem[] = [];
  let m: Manifest;
  try {
    m = await readManifest(dir);
  } catch (error) {
    return { ok: false, problems: [{ file: "model.json", message: (error as Error).message }], runs: 0 };
  }
  try {
    await verifyFiles(dir, m);
  } catch (error) {
    const detail = error instanceof TesseraError ? (error.detail ?? error.message) : String(error);
    for (const part of detail.replace(/\.$/, "").split("; ")) problems.push({ file: part.split(" ")[0]!, message: part });
  }
  const spec = contractSpec(m);
  const sessions: Partial<Record<GraphName, ort.InferenceSession>> = {};
  for (const graph of Object.keys(spec) as GraphName[]) {
    const file = graphFile(m, graph);
    try {
      const session = await ort.InferenceSession.create(`${dir}/${file}`, { executionProviders: ["cpu"], graphOptimizationLevel: "all", logSeverityLevel: 3 });
      sessions[graph] = session;
      compareMetadata(file, "input", spec[graph].inputs, session.inputMetadata, m.dtype.default, problems);
      compareMetadata(file, "output", spec[graph].outputs, session.outputMetadata, m.dtype.default, problems);
    } catch (error) {
      problems.push({ file, message: `does not load in onnxruntime: ${firstLine(error)}` });
    }
  }
  const runner = new Runner(m, problems);
  const sizes = m.video.sizes.slice(0, 2) as Array<[number, number]>;
  // a graph whose tensors already mismatch is not run (its runs would only repeat the same fault)
  const mismatched = new Set(problems.filter((p) => p.tensor !== undefined && !p.message.startsWith("unexpected")).map((p) => p.file));
  const loaded = (g: GraphName) => (mismatched.has(graphFile(m, g)) ? null : (sessions[g] ?? null));
  if (loaded("textEncoder")) await runTextEncoder(runner, sessions.textEncoder!);
  for (const size of sizes) {
    const denoiser = loaded("denoiser");
    if (denoiser) await runDenoiser(runner, denoiser, m.denoiser.file, size);
    await runVae(runner, loaded("vaeDecoder"), loaded("vaeEncoder"), size);
  }
  await Promise.all(Object.values(sessions).map((s) => s.release()));
  return { ok: problems.length === 0, problems, runs: runner.runs };
}

export function formatReport(dir: string, report: CheckReport): string {
  if (report.ok) return `${dir}: meets the model package contract (${report.runs} graph runs).`;
  const lines = report.problems.map((p) => `  ${p.file}${p.tensor ? ` [${p.tensor}]` : ""}: ${p.message}`);
  return `${dir}: ${report.problems.length} problem(s):\n${lines.join("\n")}`;
}
