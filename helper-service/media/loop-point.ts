/**
 * Where a loop of room tone should start so that its crossfades do not cancel: a hum is a steady tone, and two
 * stretches of it crossfaded out of phase null each other out (a dip you hear as a pump). The loop start is the
 * offset whose opening stretch best matches, in phase, the mirrored start of the material it is first crossfaded
 * from; the loop's end is then chosen to match its own start (loop after loop).
 * Pure: samples in, an offset out. Searched coarsely at 1/12 of the rate, then refined sample by sample.
 */

/** Normalised correlation of a[aFrom..] with b[bFrom..] over `length` samples, stepping `step`. */
function correlation(a: Float32Array, aFrom: number, b: Float32Array, bFrom: number, length: number, step: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < length; i += step) {
    const x = a[aFrom + i]!;
    const y = b[bFrom + i]!;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/** The offset in [lo, hi] maximising `score`: every 12th sample first, then sample by sample around the best. */
function search(lo: number, hi: number, score: (o: number, step: number) => number): number {
  const coarse = 12;
  let best = lo;
  let bestScore = -Infinity;
  for (let o = lo; o <= hi; o += coarse) {
    const s = score(o, coarse);
    if (s > bestScore) [best, bestScore] = [o, s];
  }
  const around = best;
  bestScore = -Infinity;
  for (let o = Math.max(lo, around - coarse); o <= Math.min(hi, around + coarse); o++) {
    const s = score(o, 1);
    if (s > bestScore) [best, bestScore] = [o, s];
  }
  return best;
}

export interface LoopPoints {
  /** The loop is m[start, end). */
  start: number;
  end: number;
}

/**
 * For material m (mono, in time order, ending at the cut) and a crossfade of `fade` samples: where loops of it
 * start (in [lo, hi]) and end (within `endSlack` samples of m's end). The start matches the mirror's end
 * (m[fade..0] backwards), which the first loop is crossfaded from; the end then matches the start, so that loop
 * after loop joins in phase.
 */
export function bestLoopPoints(m: Float32Array, fade: number, lo: number, hi: number, endSlack: number): LoopPoints {
  const mirrorEnd = new Float32Array(fade);
  for (let i = 0; i < fade; i++) mirrorEnd[i] = m[fade - 1 - i]!;
  const start = search(lo, hi, (o, step) => correlation(mirrorEnd, 0, m, o, fade, step));
  const earliestEnd = Math.max(start + 2 * fade + 1, m.length - endSlack);
  const end = search(earliestEnd, m.length, (e, step) => correlation(m, e - fade, m, start, fade, step));
  return { start, end };
}
