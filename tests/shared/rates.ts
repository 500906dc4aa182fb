/** Frame rates the time tests run at: every sequence rate Premiere offers, plus the model's and odd ones. */
import fc from "fast-check";
import type { Rational } from "../../shared/time.js";

export const r = (num: number, den: number): Rational => ({ num, den });
export const FPS_23976 = r(24000, 1001);
export const FPS_2997 = r(30000, 1001);
export const FPS_5994 = r(60000, 1001);
export const SEQUENCE_RATES: Rational[] = [
  FPS_23976,
  r(24, 1),
  r(25, 1),
  FPS_2997,
  r(30, 1),
  r(50, 1),
  FPS_5994,
  r(60, 1),
  r(8, 1),
  r(48000, 1001),
  r(120000, 1001),
];
export const TEN_HOURS_AT_60 = 10 * 3600 * 60;
export const anyRate = fc.constantFrom(...SEQUENCE_RATES);
