/**
 * Pairing a first-time panel: on request the helper shows a fresh 6-digit code (terminal, log and
 * DATA_DIR/pairing for `tessera pair`); the user types it into the panel, which sends it back and receives the
 * token. A code lives two minutes and works once. Wrong codes are counted across codes (a fresh code does not
 * reset the count): the fifth within ten minutes pauses pairing for ten minutes, so guessing a million codes is
 * hopeless, while an occasional typo long ago does not count against the user.
 */
import { randomInt, timingSafeEqual } from "node:crypto";
import { TesseraError } from "../../shared/errors.js";

export const CODE_LIFETIME_MS = 2 * 60_000;
export const MAX_WRONG_CODES = 5;
export const LOCKOUT_MS = 10 * 60_000;

export interface PairingCode {
  code: string;
  expiresAt: number;
}

export interface PairingEvents {
  /** A fresh code was made; show it to the user. */
  onCode?: (code: PairingCode) => void;
  /** The current code stopped being valid (used, replaced, expired on use, or pairing locked). */
  onClear?: () => void;
  onLocked?: (until: number) => void;
}

export class Pairing {
  private current: PairingCode | undefined;
  /** When each recent wrong code was typed. */
  private wrong: number[] = [];
  private lockedUntil = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly events: PairingEvents = {},
  ) {}

  /** Milliseconds until pairing is allowed again; 0 when it is not paused. */
  lockRemaining(): number {
    return Math.max(0, this.lockedUntil - this.now());
  }

  private assertUnlocked(): void {
    const remaining = this.lockRemaining();
    if (remaining > 0) {
      throw new TesseraError("E_PAIRING_LOCKED", `Try again in ${Math.ceil(remaining / 60_000)} min.`);
    }
    if (this.lockedUntil !== 0) {
      // The pause is over: start counting afresh.
      this.lockedUntil = 0;
      this.wrong = [];
    }
  }

  /** Makes a fresh code, replacing any earlier one. */
  request(): PairingCode {
    this.assertUnlocked();
    const code = randomInt(0, 1_000_000).toString().padStart(6, "0");
    this.current = { code, expiresAt: this.now() + CODE_LIFETIME_MS };
    this.events.onCode?.(this.current);
    return this.current;
  }

  /** The code a user should type now, if one is valid. */
  active(): PairingCode | undefined {
    if (this.current && this.current.expiresAt > this.now() && this.lockRemaining() === 0) return this.current;
    return undefined;
  }

  /** Accepts the code once, or throws E_PAIRING_CODE / E_PAIRING_LOCKED. */
  redeem(code: string): void {
    this.assertUnlocked();
    const current = this.current;
    const valid =
      current !== undefined &&
      current.expiresAt > this.now() &&
      code.length === current.code.length &&
      timingSafeEqual(Buffer.from(code), Buffer.from(current.code));
    if (valid) {
      this.current = undefined;
      this.wrong = [];
      this.events.onClear?.();
      return;
    }
    const now = this.now();
    this.wrong = [...this.wrong.filter((t) => now - t < LOCKOUT_MS), now];
    if (this.wrong.length >= MAX_WRONG_CODES) {
      this.lockedUntil = this.now() + LOCKOUT_MS;
      this.current = undefined;
      this.events.onClear?.();
      this.events.onLocked?.(this.lockedUntil);
      throw new TesseraError("E_PAIRING_LOCKED", `${MAX_WRONG_CODES} wrong codes in ten minutes.`);
    }
    const expired = current !== undefined && current.expiresAt <= this.now();
    throw new TesseraError(
      "E_PAIRING_CODE",
      current === undefined ? "No code is waiting: ask for one first." : expired ? "The code has expired." : undefined,
    );
  }
}
