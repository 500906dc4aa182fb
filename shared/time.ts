// Time math shared by the panel and the helper: rational frame rates, Premiere ticks, SMPTE timecode and the
// model frame grammar. Pure functions only: no Node and no UXP APIs (the panel bundles this file).
//
// Ticks are bigint because a 10-hour sequence is ~9.1e15 ticks, past Number.MAX_SAFE_INTEGER (9.007e15), and
// Premiere's TickTime takes and returns them as decimal strings. Frame counts stay plain numbers (10 hours at
// 120 fps is 4.3 million frames).
import { z } from "zod";

/** Premiere's time base: ticks per second. 2^12·3^4·5^6·7^2, so every common rate is a whole number of ticks. */
export const TICKS_PER_SECOND = 254016000000n;

/** How a division that is not exact becomes a whole number. "exact" throws instead of rounding. */
export type Rounding = "floor" | "ceil" | "round" | "exact";

// ---------------------------------------------------------------------------------------------------------------
// Rationals and frame rates
// ---------------------------------------------------------------------------------------------------------------

/** A positive rational number, e.g. a frame rate {num: 24000, den: 1001}. Reuse this schema; don't redefine it. */
export const RationalSchema = z.object({
  num: z.number().int().positive(),
  den: z.number().int().positive(),
});
export type Rational = z.infer<typeof RationalSchema>;

/** A frame rate: a reduced-or-not rational between 1/1000 and 1000 frames per second. */
export const FrameRateSchema = RationalSchema.refine((r) => r.num / r.den <= 1000 && r.num / r.den >= 0.001, {
  message: "frame rate must be between 0.001 and 1000 frames per second",
});
export type FrameRate = z.infer<typeof FrameRateSchema>;

/** A frame rate given as text ("23.976", "24000/1001") or a rational; parses to an exact (snapped) rational. */
export const FrameRateInputSchema = z.union([z.string(), z.number(), RationalSchema]).transform((value, ctx) => {
  try {
    return typeof value === "object" ? snapFrameRate(reduce(value)) : parseFrameRate(value);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});

/** Ticks as Premiere's TickTime writes them: a decimal integer string. */
export const TicksStringSchema = z.string().regex(/^-?\d+$/, "ticks must be a whole number written in decimal digits");

function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** The rational in lowest terms. */
export function reduce(r: Rational): Rational {
  const g = gcd(r.num, r.den);
  return { num: r.num / g, den: r.den / g };
}

export function rationalEquals(a: Rational, b: Rational): boolean {
  return a.num * b.den === b.num * a.den;
}

export function toNumber(r: Rational): number {
  return r.num / r.den;
}

// NTSC rates are n·1000/1001 for these n; written decimals ("23.976", "29.97", "59.94") snap to them.
const NTSC_BASES = [15, 24, 30, 48, 60, 120, 240] as const;
// "23.97" and "23.98" are both common spellings of 24000/1001: allow 0.01 fps of slack around n/1.001.
const NTSC_TOLERANCE = 0.01;

/** Snaps a rational that is a rounded NTSC rate (e.g. 2997/100) to the exact n·1000/1001; others pass reduced. */
export function snapFrameRate(rate: Rational): Rational {
  const r = reduce(rate);
  if (r.den === 1001 || r.den === 1) return r;
  const value = toNumber(r);
  for (const n of NTSC_BASES) {
    if (Math.abs(value - (n * 1000) / 1001) < NTSC_TOLERANCE) return reduce({ num: n * 1000, den: 1001 });
  }
  return r;
}

const DECIMAL_RE = /^\d+(?:\.\d+)?$/;
const FRACTION_RE = /^(\d+)\s*[/:]\s*(\d+)$/;

/**
 * Parses a frame rate: "24000/1001", "30000/1001", "25", "25/1", "23.976", "23.98", "29.97", "59.94", "12.5".
 * Rounded NTSC decimals snap to the exact n·1000/1001. Throws a RangeError with the accepted forms otherwise.
 */
export function parseFrameRate(input: string | number): FrameRate {
  const text = typeof input === "number" ? String(input) : input.trim();
  let rate: Rational | undefined;
  const fraction = FRACTION_RE.exec(text);
  if (fraction) {
    const num = Number(fraction[1]);
    const den = Number(fraction[2]);
    if (den === 0) throw new RangeError(`frame rate "${text}" divides by zero`);
    if (num > 0 && Number.isSafeInteger(num) && Number.isSafeInteger(den)) rate = { num, den };
  } else if (DECIMAL_RE.test(text)) {
    const [whole = "0", frac = ""] = text.split(".");
    const digits = frac.slice(0, 9); // more digits than this carry no meaning for a frame rate
    const den = 10 ** digits.length;
    const num = Number(whole) * den + Number(digits || "0");
    if (num > 0 && Number.isSafeInteger(num)) rate = { num, den };
  }
  if (!rate) {
    throw new RangeError(
      `"${text}" is not a frame rate; write it as a fraction like 24000/1001 or a decimal like 23.976, 25 or 29.97`,
    );
  }
  const snapped = snapFrameRate(rate);
  const checked = FrameRateSchema.safeParse(snapped);
  if (!checked.success) throw new RangeError(`frame rate "${text}" is outside 0.001 to 1000 frames per second`);
  return checked.data;
}

/** "24000/1001" or "25/1": the exact form ffmpeg's -r and -framerate accept. */
export function formatFrameRate(rate: Rational): string {
  const r = reduce(rate);
  return `${r.num}/${r.den}`;
}

/** A short label for people: "23.976", "29.97", "25", "59.94", "12.5". */
export function frameRateLabel(rate: Rational): string {
  return String(Number(toNumber(rate).toFixed(3)));
}

/** True for n·1000/1001 rates (23.976, 29.97, 59.94...). */
export function isNtsc(rate: Rational): boolean {
  return reduce(rate).den === 1001;
}

/** The whole-number rate timecode counts in: 30 for 29.97, 24 for 23.976, 25 for 25. */
export function timecodeBase(rate: Rational): number {
  return Math.round(toNumber(rate));
}

// ---------------------------------------------------------------------------------------------------------------
// Whole-number division with an explicit rounding mode
// ---------------------------------------------------------------------------------------------------------------

/** n / d for d > 0 rounded as asked ("round" is half up: 2.5 -> 3, -2.5 -> -2). */
export function divide(n: bigint, d: bigint, rounding: Rounding): bigint {
  if (d <= 0n) throw new RangeError("divisor must be positive");
  const q = n / d; // truncates toward zero
  const r = n % d;
  if (r === 0n) return q;
  switch (rounding) {
    case "exact":
      throw new RangeError(`${n}/${d} is not a whole number; pass "floor", "ceil" or "round"`);
    case "floor":
      return n < 0n ? q - 1n : q;
    case "ceil":
      return n > 0n ? q + 1n : q;
    case "round":
      return divide(2n * n + d, 2n * d, "floor");
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Ticks
// ---------------------------------------------------------------------------------------------------------------

/** Accepts ticks as bigint, a decimal string (TickTime.ticks) or a safe integer number. */
export function toTicks(value: bigint | string | number): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new RangeError(`ticks ${value} is not a safe integer; pass a string`);
    return BigInt(value);
  }
  const parsed = TicksStringSchema.safeParse(value.trim());
  if (!parsed.success) throw new RangeError(`"${value}" is not a tick count (decimal digits expected)`);
  return BigInt(parsed.data);
}

/** Ticks as the decimal string Premiere's TickTime.createWithTicks takes. */
export function formatTicks(ticks: bigint): string {
  return ticks.toString();
}

function checkFrames(frames: number): bigint {
  if (!Number.isSafeInteger(frames)) throw new RangeError(`frame count ${frames} is not a whole number`);
  return BigInt(frames);
}

/** Ticks in one frame; exact for every rate in ticks' factorisation, otherwise rounded as asked. */
export function ticksPerFrame(rate: Rational, rounding: Rounding): bigint {
  return divide(TICKS_PER_SECOND * BigInt(rate.den), BigInt(rate.num), rounding);
}

/** The tick position of frame `frames` (= the duration of that many frames). Computed in one step: no drift. */
export function framesToTicks(frames: number, rate: Rational, rounding: Rounding): bigint {
  return divide(checkFrames(frames) * TICKS_PER_SECOND * BigInt(rate.den), BigInt(rate.num), rounding);
}

/** The frame at a tick position ("floor": the frame showing at that time; "round": the nearest boundary). */
export function ticksToFrames(ticks: bigint | string | number, rate: Rational, rounding: Rounding): number {
  const frames = divide(toTicks(ticks) * BigInt(rate.num), TICKS_PER_SECOND * BigInt(rate.den), rounding);
  return Number(frames);
}

export function ticksToSeconds(ticks: bigint | string | number): number {
  const t = toTicks(ticks);
  // Split so that huge tick counts keep their sub-second precision.
  return Number(t / TICKS_PER_SECOND) + Number(t % TICKS_PER_SECOND) / Number(TICKS_PER_SECOND);
}

export function framesToSeconds(frames: number, rate: Rational): number {
  return (frames * rate.den) / rate.num;
}

/**
 * Whole frames in `seconds` at `rate`. Values within 1e-9 of a whole frame count as that frame, so float noise
 * (0.1 s at 30 fps = 3.0000000000000004) never turns "ceil" into an extra frame.
 */
export function secondsToFrames(seconds: number, rate: Rational, rounding: Rounding): number {
  if (!Number.isFinite(seconds)) throw new RangeError(`${seconds} is not a number of seconds`);
  const exact = (seconds * rate.num) / rate.den;
  const nearest = Math.round(exact);
  if (Math.abs(exact - nearest) <= 1e-9 * Math.max(1, Math.abs(exact))) return nearest;
  switch (rounding) {
    case "exact":
      throw new RangeError(`${seconds} s is not a whole number of frames at ${frameRateLabel(rate)} fps`);
    case "floor":
      return Math.floor(exact);
    case "ceil":
      return Math.ceil(exact);
    case "round":
      return Math.floor(exact + 0.5);
  }
}

/** The same instant counted at another rate: frame `frames` at `from` as a frame index at `to`. */
export function convertFrames(frames: number, from: Rational, to: Rational, rounding: Rounding): number {
  const n = checkFrames(frames) * BigInt(from.den) * BigInt(to.num);
  return Number(divide(n, BigInt(from.num) * BigInt(to.den), rounding));
}

/**
 * Model frames needed so that every output frame lies inside the generated span (frame 0 aligned to 0), plus one
 * frame after the last output time: motion interpolation needs a frame on each side of every output frame.
 */
export function modelFramesFor(outputFrames: number, outputFps: Rational, fps: Rational): number {
  if (rationalEquals(outputFps, fps)) return outputFrames;
  return convertFrames(outputFrames - 1, outputFps, fps, "ceil") + 2;
}

/** The most output frames that `modelFrames` at `fps` cover (the inverse of modelFramesFor); 0 when none. */
export function outputFramesWithin(modelFrames: number, outputFps: Rational, fps: Rational): number {
  if (rationalEquals(outputFps, fps)) return Math.max(0, modelFrames);
  if (modelFrames < 2) return 0;
  return convertFrames(modelFrames - 2, fps, outputFps, "floor") + 1;
}

// ---------------------------------------------------------------------------------------------------------------
// SMPTE timecode
// ---------------------------------------------------------------------------------------------------------------

/** Drop-frame timecode exists for 29.97 and 59.94 (and multiples of 30 at /1001); not for 23.976. */
export function supportsDropFrame(rate: Rational): boolean {
  return isNtsc(rate) && timecodeBase(rate) % 30 === 0;
}

// Drop-frame skips labels 0,1 (29.97) or 0-3 (59.94) at the start of every minute except each tenth.
function dropPerMinute(base: number): number {
  return (base / 30) * 2;
}

export interface TimecodeOptions {
  /** Default: true where the rate supports it (29.97, 59.94), false otherwise. */
  dropFrame?: boolean;
}

function useDropFrame(rate: Rational, options: TimecodeOptions | undefined): boolean {
  const wanted = options?.dropFrame ?? supportsDropFrame(rate);
  if (wanted && !supportsDropFrame(rate)) {
    throw new RangeError(`drop-frame timecode only exists for 29.97 and 59.94 fps, not ${frameRateLabel(rate)}`);
  }
  return wanted;
}

const pad2 = (n: number): string => String(n).padStart(2, "0");

/** Frame index -> "HH:MM:SS:FF" (non-drop) or "HH:MM:SS;FF" (drop-frame). Hours do not wrap at 24. */
export function formatTimecode(frame: number, rate: Rational, options?: TimecodeOptions): string {
  if (!Number.isSafeInteger(frame) || frame < 0) throw new RangeError(`frame ${frame} must be a whole number >= 0`);
  const base = timecodeBase(rate);
  const drop = useDropFrame(rate, options);
  let label = frame;
  if (drop) {
    const d = dropPerMinute(base);
    const perMinute = base * 60 - d;
    const perTenMinutes = base * 600 - 9 * d;
    const tens = Math.floor(frame / perTenMinutes);
    const rest = frame % perTenMinutes;
    label += 9 * d * tens + (rest > d ? d * Math.floor((rest - d) / perMinute) : 0);
  }
  const ff = label % base;
  const totalSeconds = Math.floor(label / base);
  const ss = totalSeconds % 60;
  const mm = Math.floor(totalSeconds / 60) % 60;
  const hh = Math.floor(totalSeconds / 3600);
  return `${pad2(hh)}:${pad2(mm)}:${pad2(ss)}${drop ? ";" : ":"}${pad2(ff)}`;
}

const TIMECODE_RE = /^(\d{1,3}):(\d{2}):(\d{2})([:;.,])(\d{2,3})$/;

/**
 * "HH:MM:SS:FF" or "HH:MM:SS;FF" -> frame index. A ";", "." or "," before the frames means drop-frame unless
 * options.dropFrame says otherwise. Labels that drop-frame skips (e.g. 00:01:00;00) are rejected.
 */
export function parseTimecode(text: string, rate: Rational, options?: TimecodeOptions): number {
  const m = TIMECODE_RE.exec(text.trim());
  if (!m) throw new RangeError(`"${text}" is not a timecode; write HH:MM:SS:FF (or HH:MM:SS;FF for drop-frame)`);
  const [hh, mm, ss, ff] = [m[1], m[2], m[3], m[5]].map(Number) as [number, number, number, number];
  const drop = useDropFrame(rate, { dropFrame: options?.dropFrame ?? m[4] !== ":" });
  const base = timecodeBase(rate);
  if (mm > 59 || ss > 59 || ff >= base) {
    throw new RangeError(`timecode "${text}" is out of range (minutes and seconds < 60, frames < ${base})`);
  }
  const totalMinutes = hh * 60 + mm;
  let frame = (totalMinutes * 60 + ss) * base + ff;
  if (drop) {
    const d = dropPerMinute(base);
    if (ss === 0 && ff < d && mm % 10 !== 0) {
      throw new RangeError(`timecode "${text}" does not exist in drop-frame (frames 0-${d - 1} are skipped)`);
    }
    frame -= d * (totalMinutes - Math.floor(totalMinutes / 10));
  }
  return frame;
}

/**
 * Frames in a duration typed in seconds, counted the way editors count it: the length whose timecode reads that
 * many seconds. Timecode counts whole frames per second (24 at 23.976, 30 at 29.97), so "4 s" at 23.976 is
 * 00:00:04:00 = 96 frames, not the 95.9 frames of wall-clock time; a fraction of a second becomes the nearest
 * timecode frame (2.5 s at 23.976 is 00:00:02:12). In drop-frame (29.97, 59.94 where the sequence uses it) the
 * labels skipped at the start of a minute count to the next label that exists (60 s is 00:01:00;02, 1800 frames).
 * Rates that are neither whole nor NTSC (12.5 fps) have no timecode of their own: they get the nearest frame.
 */
export function durationFrames(seconds: number, rate: Rational, options?: TimecodeOptions): number {
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`${seconds} is not a duration in seconds`);
  if (reduce(rate).den !== 1 && !isNtsc(rate)) return secondsToFrames(seconds, rate, "round");
  const base = timecodeBase(rate);
  const drop = useDropFrame(rate, { dropFrame: options?.dropFrame ?? false });
  let whole = Math.floor(seconds + 1e-9);
  let ff = Math.round((seconds - whole) * base);
  if (ff >= base) [whole, ff] = [whole + 1, 0];
  if (!drop) return whole * base + ff;
  const d = dropPerMinute(base);
  const totalMinutes = Math.floor(whole / 60);
  if (whole % 60 === 0 && ff < d && totalMinutes % 10 !== 0) ff = d;
  return whole * base + ff - d * (totalMinutes - Math.floor(totalMinutes / 10));
}

/** The seconds a duration's timecode reads (96 frames at 23.976: 4): what durationFrames turns back into frames. */
export function durationSeconds(frames: number, rate: Rational, options?: TimecodeOptions): number {
  if (reduce(rate).den !== 1 && !isNtsc(rate)) return framesToSeconds(frames, rate);
  const base = timecodeBase(rate);
  const [hh, mm, ss, ff] = formatTimecode(frames, rate, { dropFrame: options?.dropFrame ?? false }).split(/[:;]/).map(Number) as [number, number, number, number];
  return Number(((hh * 60 + mm) * 60 + ss + ff / base).toFixed(3));
}

/** A duration as editors read it: the timecode of its length ("00:00:04:00"; drop-frame written with ";"). */
export function formatDuration(frames: number, rate: Rational, options?: TimecodeOptions): string {
  if (reduce(rate).den !== 1 && !isNtsc(rate)) return `${frames} fr`;
  return formatTimecode(frames, rate, { dropFrame: options?.dropFrame ?? false });
}

// ---------------------------------------------------------------------------------------------------------------
// Model frame grammar: a model generates step·n + offset frames (e.g. 4n+1 for a causal VAE), up to max.
// ---------------------------------------------------------------------------------------------------------------

export const FrameGrammarSchema = z
  .object({
    step: z.number().int().positive(),
    offset: z.number().int().nonnegative(),
    max: z.number().int().positive(),
  })
  .refine((g) => g.max >= Math.max(g.offset, 1), { message: "max must allow at least one frame count" });
export type FrameGrammar = z.infer<typeof FrameGrammarSchema>;

/** True when `frames` is step·n + offset for some n >= 0, positive and within max. */
export function fitsGrammar(frames: number, g: FrameGrammar): boolean {
  return (
    Number.isSafeInteger(frames) && frames >= 1 && frames <= g.max && frames >= g.offset && (frames - g.offset) % g.step === 0
  );
}

/** The largest frame count the grammar allows (17 for 4n+1 with max 17; 13 for 4n+1 with max 16). */
export function largestGrammarFrames(g: FrameGrammar): number {
  const largest = g.offset + g.step * Math.floor((g.max - g.offset) / g.step);
  if (largest < 1) throw new RangeError(`frame grammar ${g.step}n+${g.offset} allows no count up to ${g.max}`);
  return largest;
}

/**
 * The smallest grammar frame count >= `requested` (4n+1: 1 -> 1, 2 -> 5, 16 -> 17). Throws when the request is
 * beyond the largest allowed count (the caller then splits the job into windows).
 */
export function quantizeFrames(requested: number, g: FrameGrammar): number {
  if (!Number.isSafeInteger(requested) || requested < 1) {
    throw new RangeError(`frame count ${requested} must be a whole number >= 1`);
  }
  const n = Math.max(0, Math.ceil((requested - g.offset) / g.step));
  let frames = g.offset + g.step * n;
  if (frames < 1) frames += g.step; // offset 0: the first usable count is one step
  const largest = largestGrammarFrames(g);
  if (frames > largest) {
    throw new RangeError(`${requested} frames is more than this model makes in one window (at most ${largest})`);
  }
  return frames;
}
