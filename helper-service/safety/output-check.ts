/**
 * The output check: a hook that sees a few frames of every generated clip before it is published (renamed into
 * the output folder). A refusal or a failing hook (when failClosed) deletes the unpublished file and fails the job
 * with E_OUTPUT_CHECK. Configured in DATA_DIR/policy.json as `outputCheck: { module }`; none means no check.
 */
import { TesseraError } from "../../shared/errors.js";
import type { GenerationRequest } from "../../shared/protocol.js";
import { loadHook, loadPolicyConfig, runHook, type Verdict } from "./policy.js";

export interface SampleFrame {
  /** Index in the delivered clip. */
  index: number;
  width: number;
  height: number;
  /** Packed RGB, 8 bits per channel, row-major. */
  rgb: Uint8Array;
}

export interface OutputCheckInput {
  frames: SampleFrame[];
  request: GenerationRequest;
}
export type OutputCheck = (input: OutputCheckInput) => Promise<Verdict>;

/** Which frame indices to sample from a clip of `total` frames: first, last and evenly between. */
export function sampleIndices(total: number, count = 6): number[] {
  if (total <= 0) return [];
  if (total <= count) return Array.from({ length: total }, (_, i) => i);
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(Math.round((i * (total - 1)) / (count - 1)));
  return [...out].sort((a, b) => a - b);
}

/** Collects the sampled frames as they stream past, copying only the ones the check will see. */
export class FrameSampler {
  private readonly wanted: Set<number>;
  readonly frames: SampleFrame[] = [];

  constructor(total: number, count = 6) {
    this.wanted = new Set(sampleIndices(total, count));
  }

  offer(index: number, width: number, height: number, rgb: Uint8Array): void {
    if (this.wanted.has(index)) this.frames.push({ index, width, height, rgb: rgb.slice() });
  }
}

export class OutputChecker {
  constructor(
    private readonly hook: OutputCheck | undefined,
    private readonly options = { timeoutMs: 10_000, failClosed: true },
  ) {}

  get enabled(): boolean {
    return this.hook !== undefined;
  }

  /** Resolves when the clip may be published; throws E_OUTPUT_CHECK otherwise. */
  async check(input: OutputCheckInput): Promise<void> {
    if (!this.hook) return;
    const hook = this.hook;
    const verdict: Verdict = await runHook(() => hook(input), { ...this.options, what: "the output check" });
    if (!verdict.allowed) throw new TesseraError("E_OUTPUT_CHECK", verdict.reason ? `${verdict.reason}.` : undefined);
  }
}

/** The output check configured for a data dir (none when policy.json names no hook). */
export async function loadOutputChecker(policyPath: string): Promise<OutputChecker> {
  const config = loadPolicyConfig(policyPath);
  if (!config.outputCheck) return new OutputChecker(undefined);
  const hook = await loadHook<OutputCheck>(config.outputCheck, policyPath);
  return new OutputChecker(hook, { timeoutMs: config.outputCheck.timeoutMs, failClosed: config.outputCheck.failClosed });
}
