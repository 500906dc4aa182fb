// Reconnect delays: doubling from `baseMs` up to `maxMs`, with jitter so several panels do not knock in step.
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** 0..1: how far a delay may be shortened at random. */
  jitter: number;
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 10_000, jitter: 0.2, random: Math.random };

export class Backoff {
  private attempt = 0;
  private readonly options: BackoffOptions;

  constructor(options: Partial<BackoffOptions> = {}) {
    this.options = { ...DEFAULT_BACKOFF, ...options };
  }

  /** The delay before the next try; each call doubles the next one. */
  next(): number {
    const { baseMs, maxMs, jitter, random } = this.options;
    const full = Math.min(maxMs, baseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(full * (1 - jitter * random()));
  }

  reset(): void {
    this.attempt = 0;
  }
}
