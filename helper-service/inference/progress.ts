/**
 * Progress of a whole generation: which phase and window, the step, the fraction of all work, and an ETA from the
 * measured step and decode times (null until there is a measurement to go on).
 */
import type { JobPhase } from "../../shared/protocol.js";

export interface ProgressEvent {
  phase: JobPhase;
  window: { index: number; count: number };
  step: number;
  steps: number;
  /** Fraction of the whole job's inference, 0..1. */
  fraction: number;
  etaSeconds: number | null;
}

export class ProgressTracker {
  private stepsDone = 0;
  private decodesDone = 0;
  private stepMs = 0;
  private decodeMs = 0;

  constructor(
    private readonly windows: number,
    private readonly steps: number,
    private readonly emit: ((event: ProgressEvent) => void) | undefined,
  ) {}

  private get totalSteps(): number {
    return this.windows * this.steps;
  }

  /** A decode weighs about as much as two steps until measured. */
  private eta(): number | null {
    if (this.stepsDone === 0) return null;
    const perStep = this.stepMs / this.stepsDone;
    const perDecode = this.decodesDone > 0 ? this.decodeMs / this.decodesDone : 2 * perStep;
    const ms = (this.totalSteps - this.stepsDone) * perStep + (this.windows - this.decodesDone) * perDecode;
    return Math.max(0, ms / 1000);
  }

  private fraction(): number {
    const units = this.totalSteps + 2 * this.windows;
    return Math.min(1, (this.stepsDone + 2 * this.decodesDone) / units);
  }

  report(phase: JobPhase, window: number, step = 0): void {
    this.emit?.({
      phase,
      window: { index: window, count: this.windows },
      step,
      steps: this.steps,
      fraction: this.fraction(),
      etaSeconds: this.eta(),
    });
  }

  stepDone(ms: number): void {
    this.stepsDone++;
    this.stepMs += ms;
  }

  decodeDone(ms: number): void {
    this.decodesDone++;
    this.decodeMs += ms;
  }
}
