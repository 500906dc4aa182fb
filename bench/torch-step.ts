/**
 * The torch side of the step comparison: bench/torch_step.py (Debian python3-torch) rebuilds the DiT on the same
 * weights, checks that it reproduces onnxruntime's velocity, then times a round of steps whenever asked, so the
 * bench can alternate torch and onnxruntime rounds in one window of time.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import * as ort from "onnxruntime-node";

const PYTHON = "/usr/bin/python3";

interface Answer {
  ready?: boolean;
  median?: number;
  error?: string;
  max_abs_diff?: number;
}

/** Where the DiT of a package can be rebuilt in torch: its random seed, or the training checkpoints to try. */
export function torchSources(root: string, id: string): string[] {
  if (id.startsWith("tessera-random-")) return [`random:${id.slice("tessera-random-".length)}:0`];
  const found: string[] = [];
  for (const folder of ["training/checkpoints", "training/runs/dit", "training/runs"]) {
    const path = join(root, folder);
    if (!existsSync(path)) continue;
    for (const name of readdirSync(path).filter((n) => n.endsWith(".pt")).sort()) found.push(`checkpoint:${join(path, name)}`);
  }
  return found;
}

export class TorchStepper {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
    private readonly reader: Interface,
    private readonly inputs: string,
    readonly source: string,
    readonly maxAbsDiff: number,
  ) {}

  /**
   * Starts torch on the first source whose weights reproduce `velocity` for `feeds`; the reason, when none does.
   */
  static async start(root: string, id: string, feeds: Record<string, ort.Tensor>, velocity: Float32Array, threads: number): Promise<TorchStepper | { reason: string }> {
    if (!existsSync(PYTHON)) return { reason: `${PYTHON} (Debian python3-torch) is not installed` };
    const sources = torchSources(root, id);
    if (sources.length === 0) return { reason: `no training checkpoint of ${id} found (training/checkpoints, training/runs)` };
    const inputs = await mkdtemp(join(tmpdir(), "tessera-torch-"));
    const meta: Record<string, { dtype: string; dims: readonly number[] }> = {};
    for (const [name, tensor] of Object.entries({ ...feeds, velocity: new ort.Tensor("float32", velocity, feeds.latents!.dims) })) {
      meta[name] = { dtype: tensor.type, dims: tensor.dims };
      const data = tensor.data as Float32Array | BigInt64Array;
      await writeFile(join(inputs, `${name}.bin`), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    }
    await writeFile(join(inputs, "feeds.json"), JSON.stringify(meta));
    const reasons: string[] = [];
    for (const source of sources) {
      const child = spawn(PYTHON, [join(root, "bench", "torch_step.py"), "--inputs", inputs, "--threads", String(threads), "--source", source], {
        env: { ...process.env, OPENBLAS_NUM_THREADS: "1" },
      });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d));
      const reader = createInterface({ input: child.stdout });
      const lines = reader[Symbol.asyncIterator]();
      const first = await nextAnswer(lines);
      if (first?.ready) return new TorchStepper(child, lines, reader, inputs, source, first.max_abs_diff ?? NaN);
      reasons.push(`${source}: ${first?.error ?? (stderr.trim().split("\n").slice(-2).join(" ") || "no answer")}`);
      reader.close();
      child.kill();
    }
    await rm(inputs, { recursive: true, force: true });
    return { reason: reasons.join("; ") };
  }

  /** The median step time of one round, in milliseconds. */
  async round(): Promise<number> {
    this.child.stdin.write("round\n");
    const answer = await nextAnswer(this.lines);
    if (answer?.median === undefined) throw new Error(`torch stopped answering: ${answer?.error ?? "no answer"}`);
    return answer.median;
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    this.reader.close();
    if (this.child.exitCode === null) await new Promise((done) => this.child.once("exit", done));
    await rm(this.inputs, { recursive: true, force: true });
  }
}

async function nextAnswer(lines: AsyncIterator<string>): Promise<Answer | undefined> {
  for (;;) {
    const { value, done } = await lines.next();
    if (done) return undefined;
    if (!value.trim().startsWith("{")) continue; // a library's stray print
    return JSON.parse(value) as Answer;
  }
}
