/**
 * Seeded Gaussian noise that is the same on every platform and Node version (Math.random is not seedable, and the
 * noise must be reproducible from the seed a user writes down).
 *
 * Algorithm, fully specified so another implementation can reproduce it bit for bit:
 * 1. Key: the job seed (an integer 0 .. 2^53-1) and a stream number (the window index; other uses pick other
 *    numbers). The 64-bit value seed is split into lo/hi 32-bit words.
 * 2. State: four 32-bit words from SplitMix32 (the 32-bit variant of Steele, Lea & Flood's SplitMix, constants
 *    0x9e3779b9, 0x85ebca6b, 0xc2b2ae35) run from the start value lo ^ rotl(hi, 16) ^ (stream * 0x632be5ab).
 *    An all-zero state (impossible in practice) is replaced by [1, 2, 3, 4].
 * 3. Generator: xoshiro128** 1.1 (Blackman & Vigna 2018), one 32-bit output per call.
 * 4. Uniform: u = (a >>> 5) * 2^26 + (b >>> 6), divided by 2^53, from two consecutive outputs a, b: [0, 1).
 * 5. Normal: Box-Muller on (u1, u2): r = sqrt(-2 ln(1 - u1)), z0 = r cos(2 pi u2), z1 = r sin(2 pi u2); the pair is
 *    used in that order, so n values take ceil(n / 2) pairs, and an odd tail's z1 is dropped.
 * Values are written as float32 in C-order of the latent tensor [C, F, H, W].
 */

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function splitMix32(start: number): () => number {
  let s = start >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Xoshiro128 {
  private readonly s: Uint32Array;

  constructor(state: readonly [number, number, number, number]) {
    this.s = Uint32Array.from(state);
    if (this.s.every((w) => w === 0)) this.s.set([1, 2, 3, 4]);
  }

  static fromSeed(seed: number, stream = 0): Xoshiro128 {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be an integer 0 .. 2^53-1, got ${seed}`);
    if (!Number.isSafeInteger(stream) || stream < 0) throw new RangeError(`stream must be a non-negative integer`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 0x100000000) >>> 0;
    const next = splitMix32(lo ^ rotl(hi, 16) ^ Math.imul(stream, 0x632be5ab));
    return new Xoshiro128([next(), next(), next(), next()]);
  }

  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  nextUniform(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
}

/** Fills `out` with standard normal values from the (seed, stream) generator, as documented above. */
export function fillGaussian(out: Float32Array, seed: number, stream = 0): Float32Array {
  const rng = Xoshiro128.fromSeed(seed, stream);
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.nextUniform()));
    const angle = 2 * Math.PI * rng.nextUniform();
    out[i] = r * Math.cos(angle);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(angle);
  }
  return out;
}
