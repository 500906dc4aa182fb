import fc from "fast-check";
import {
  FrameGrammarSchema,
  FrameRateInputSchema,
  RationalSchema,
  TICKS_PER_SECOND,
  convertFrames,
  divide,
  fitsGrammar,
  formatFrameRate,
  formatTicks,
  frameRateLabel,
  framesToSeconds,
  framesToTicks,
  largestGrammarFrames,
  parseFrameRate,
  quantizeFrames,
  secondsToFrames,
  snapFrameRate,
  ticksPerFrame,
  ticksToFrames,
  ticksToSeconds,
  toTicks,
} from "../../shared/time.js";

import { anyRate, FPS_23976, FPS_2997, FPS_5994, r, TEN_HOURS_AT_60 } from "./rates.js";

describe("parseFrameRate", () => {
  test.each([
    ["24000/1001", 24000, 1001],
    ["30000/1001", 30000, 1001],
    ["60000/1001", 60000, 1001],
    ["23.976", 24000, 1001],
    ["23.98", 24000, 1001],
    ["23.97", 24000, 1001],
    ["29.97", 30000, 1001],
    ["59.94", 60000, 1001],
    ["47.952", 48000, 1001],
    ["119.88", 120000, 1001],
    ["2997/100", 30000, 1001],
    ["25", 25, 1],
    ["25/1", 25, 1],
    ["50/2", 25, 1],
    ["24", 24, 1],
    ["12.5", 25, 2],
    ["8", 8, 1],
    [" 30 ", 30, 1],
  ])("%s -> %i/%i", (text, num, den) => {
    expect(parseFrameRate(text)).toEqual({ num, den });
  });

  test("numbers parse like their decimal text", () => {
    expect(parseFrameRate(29.97)).toEqual(FPS_2997);
    expect(parseFrameRate(60)).toEqual(r(60, 1));
  });

  test.each(["", "abc", "24fps", "-25", "0", "0/1", "24/0", "1e3", "NaN", "2000", "24000/1001/2"])(
    "rejects %j with the accepted forms in the message",
    (text) => {
      expect(() => parseFrameRate(text)).toThrow(/frame rate|divides by zero|outside/);
    },
  );

  test("snapFrameRate leaves exact and non-NTSC rates alone", () => {
    expect(snapFrameRate(r(24, 1))).toEqual(r(24, 1));
    expect(snapFrameRate(r(48000, 2002))).toEqual(FPS_23976);
    expect(snapFrameRate(r(2399, 100))).toEqual(r(2399, 100));
  });

  test("formatting gives ffmpeg's fraction and a readable label", () => {
    expect(formatFrameRate(r(48000, 2002))).toBe("24000/1001");
    expect(formatFrameRate(r(25, 1))).toBe("25/1");
    expect(frameRateLabel(FPS_23976)).toBe("23.976");
    expect(frameRateLabel(FPS_2997)).toBe("29.97");
    expect(frameRateLabel(r(25, 1))).toBe("25");
  });

  test("the zod schemas validate rationals and parse text input", () => {
    expect(RationalSchema.safeParse({ num: 24000, den: 1001 }).success).toBe(true);
    expect(RationalSchema.safeParse({ num: 24, den: 0 }).success).toBe(false);
    expect(RationalSchema.safeParse({ num: 23.976, den: 1 }).success).toBe(false);
    expect(FrameRateInputSchema.parse("29.97")).toEqual(FPS_2997);
    expect(FrameRateInputSchema.parse({ num: 2997, den: 100 })).toEqual(FPS_2997);
    const bad = FrameRateInputSchema.safeParse("fast");
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/not a frame rate/);
  });

  test("property: a formatted rate parses back to itself", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100000 }), fc.integer({ min: 1, max: 1000 }), (num, den) => {
        fc.pre(num / den <= 1000 && num / den >= 0.001);
        const parsed = parseFrameRate(formatFrameRate(r(num, den)));
        expect(parsed).toEqual(snapFrameRate(r(num, den)));
      }),
    );
  });
});

describe("ticks", () => {
  test("one frame in ticks at the common rates", () => {
    expect(ticksPerFrame(FPS_23976, "exact")).toBe(10594584000n);
    expect(ticksPerFrame(r(24, 1), "exact")).toBe(10584000000n);
    expect(ticksPerFrame(r(25, 1), "exact")).toBe(10160640000n);
    expect(ticksPerFrame(FPS_2997, "exact")).toBe(8475667200n);
    expect(ticksPerFrame(FPS_5994, "exact")).toBe(4237833600n);
  });

  test("ticks are exact bigints past 2^53 and format as TickTime strings", () => {
    const tenHours = framesToTicks(863136, FPS_23976, "exact");
    expect(tenHours > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(formatTicks(tenHours)).toBe("9144566855424000");
    expect(toTicks("9144566855424000")).toBe(tenHours);
    expect(ticksToFrames("9144566855424000", FPS_23976, "exact")).toBe(863136);
  });

  test("toTicks rejects what is not a tick count", () => {
    expect(() => toTicks("12.5")).toThrow(/not a tick count/);
    expect(() => toTicks("")).toThrow(/not a tick count/);
    expect(() => toTicks(2 ** 60)).toThrow(/safe integer/);
    expect(toTicks(42)).toBe(42n);
  });

  test("explicit rounding: inexact ticks need a mode", () => {
    const seven = r(7, 3); // 254016000000 * 3 / 7 is whole; one tick into the frame is not
    expect(ticksToFrames(1n, seven, "floor")).toBe(0);
    expect(ticksToFrames(1n, seven, "ceil")).toBe(1);
    expect(ticksToFrames(1n, seven, "round")).toBe(0);
    expect(() => ticksToFrames(1n, seven, "exact")).toThrow(/not a whole number/);
    expect(() => framesToTicks(1, r(11, 1), "exact")).toThrow(/not a whole number/);
    expect(framesToTicks(1, r(11, 1), "floor")).toBe(TICKS_PER_SECOND / 11n);
  });

  test("divide rounds negatives correctly", () => {
    expect(divide(-7n, 2n, "floor")).toBe(-4n);
    expect(divide(-7n, 2n, "ceil")).toBe(-3n);
    expect(divide(-7n, 2n, "round")).toBe(-3n);
    expect(divide(7n, 2n, "round")).toBe(4n);
    expect(divide(-8n, 2n, "exact")).toBe(-4n);
  });

  test("property: frames -> ticks -> frames round-trips at every sequence rate", () => {
    fc.assert(
      fc.property(anyRate, fc.integer({ min: 0, max: TEN_HOURS_AT_60 }), (rate, frames) => {
        const ticks = framesToTicks(frames, rate, "exact");
        expect(ticksToFrames(ticks, rate, "exact")).toBe(frames);
        expect(ticksToFrames(formatTicks(ticks), rate, "exact")).toBe(frames);
      }),
    );
  });

  test("property: any tick inside a frame floors to that frame and ceils to the next boundary", () => {
    fc.assert(
      fc.property(anyRate, fc.integer({ min: 0, max: TEN_HOURS_AT_60 }), fc.double({ min: 0, max: 1, noNaN: true }), (rate, frame, frac) => {
        const start = framesToTicks(frame, rate, "exact");
        const len = ticksPerFrame(rate, "exact");
        const inside = start + BigInt(Math.floor(frac * Number(len - 1n)));
        expect(ticksToFrames(inside, rate, "floor")).toBe(frame);
        expect(ticksToFrames(inside, rate, "ceil")).toBe(inside === start ? frame : frame + 1);
      }),
    );
  });

  test("property: frames -> ticks and ticks -> frames are monotonic", () => {
    fc.assert(
      fc.property(
        anyRate,
        fc.bigInt({ min: 0n, max: 36000n * TICKS_PER_SECOND }),
        fc.bigInt({ min: 0n, max: 36000n * TICKS_PER_SECOND }),
        fc.constantFrom("floor" as const, "ceil" as const, "round" as const),
        (rate, a, b, rounding) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const fa = ticksToFrames(lo, rate, rounding);
          const fb = ticksToFrames(hi, rate, rounding);
          expect(fa).toBeLessThanOrEqual(fb);
          if (fa < fb) expect(framesToTicks(fa, rate, "exact")).toBeLessThan(framesToTicks(fb, rate, "exact"));
        },
      ),
    );
  });

  test("no drift over 10 hours at 23.976: adding frame by frame equals one multiplication", () => {
    const frames = secondsToFrames(10 * 3600, FPS_23976, "floor");
    expect(frames).toBe(863136); // 36000 s * 24000/1001 = 863136.86
    const step = ticksPerFrame(FPS_23976, "exact");
    let sum = 0n;
    for (let f = 0; f < frames; f++) sum += step;
    expect(sum).toBe(framesToTicks(frames, FPS_23976, "exact"));
    expect(ticksToFrames(36000n * TICKS_PER_SECOND, FPS_23976, "floor")).toBe(863136);
    expect(ticksToSeconds(sum)).toBeCloseTo(35999.964, 3);
  });

  test("property: no drift at 23.976 anywhere in 10 hours", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 863136 }), fc.integer({ min: 0, max: 863136 }), (a, b) => {
        // The duration between two frames never depends on where they sit.
        const ab = framesToTicks(a + b, FPS_23976, "exact");
        expect(ab).toBe(framesToTicks(a, FPS_23976, "exact") + framesToTicks(b, FPS_23976, "exact"));
        expect(ticksToSeconds(ab)).toBeCloseTo(framesToSeconds(a + b, FPS_23976), 6);
      }),
    );
  });
});

describe("seconds and conversions between rates", () => {
  test.each([
    [4, FPS_23976, "round", 96],
    [4, FPS_23976, "floor", 95],
    [4, FPS_23976, "ceil", 96],
    [4, r(25, 1), "exact", 100],
    [0.1, r(30, 1), "ceil", 3],
    [2.5, r(24, 1), "exact", 60],
    [1001 / 24000, FPS_23976, "exact", 1],
  ] as const)("%d s at %o (%s) = %d frames", (seconds, rate, rounding, frames) => {
    expect(secondsToFrames(seconds, rate, rounding)).toBe(frames);
  });

  test("inexact seconds with 'exact' and non-finite seconds throw", () => {
    expect(() => secondsToFrames(1, FPS_23976, "exact")).toThrow(/not a whole number of frames at 23.976/);
    expect(() => secondsToFrames(Number.NaN, r(25, 1), "floor")).toThrow(/not a number of seconds/);
  });

  test("convertFrames maps the same instant between rates", () => {
    expect(convertFrames(24, r(24, 1), r(8, 1), "exact")).toBe(8);
    expect(convertFrames(24000, FPS_23976, r(24, 1), "exact")).toBe(24024);
    expect(convertFrames(100, r(25, 1), FPS_23976, "ceil")).toBe(96);
    expect(convertFrames(100, r(25, 1), FPS_23976, "floor")).toBe(95);
  });

  test("property: converting to a rate and back with floor/ceil brackets the original", () => {
    fc.assert(
      fc.property(anyRate, anyRate, fc.integer({ min: 0, max: 2_000_000 }), (from, to, frames) => {
        const down = convertFrames(frames, from, to, "floor");
        const up = convertFrames(frames, from, to, "ceil");
        expect(up - down).toBeLessThanOrEqual(1);
        expect(convertFrames(down, to, from, "floor")).toBeLessThanOrEqual(frames);
        expect(convertFrames(up, to, from, "ceil")).toBeGreaterThanOrEqual(frames);
      }),
    );
  });
});

describe("model frame grammar", () => {
  const g = { step: 4, offset: 1, max: 17 };

  test.each([
    [1, 1],
    [2, 5],
    [5, 5],
    [6, 9],
    [16, 17],
    [17, 17],
  ])("4n+1: %i frames -> %i", (requested, frames) => {
    expect(quantizeFrames(requested, g)).toBe(frames);
  });

  test("over the max or not a positive whole number throws", () => {
    expect(() => quantizeFrames(18, g)).toThrow(/at most 17/);
    expect(() => quantizeFrames(0, g)).toThrow(/>= 1/);
    expect(() => quantizeFrames(2.5, g)).toThrow(/>= 1/);
    expect(() => quantizeFrames(17, { step: 4, offset: 1, max: 16 })).toThrow(/at most 13/);
  });

  test("largest count and membership", () => {
    expect(largestGrammarFrames({ step: 4, offset: 1, max: 16 })).toBe(13);
    expect(largestGrammarFrames({ step: 8, offset: 1, max: 121 })).toBe(121);
    expect(fitsGrammar(9, g)).toBe(true);
    expect(fitsGrammar(10, g)).toBe(false);
    expect(fitsGrammar(21, g)).toBe(false);
    expect(quantizeFrames(3, { step: 4, offset: 0, max: 16 })).toBe(4);
    expect(FrameGrammarSchema.safeParse({ step: 0, offset: 1, max: 17 }).success).toBe(false);
    expect(FrameGrammarSchema.safeParse({ step: 4, offset: 5, max: 3 }).success).toBe(false);
  });

  test("property: the smallest count of the grammar that is at least the request", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 400 }),
        (step, offset, max, requested) => {
          const grammar = { step, offset, max };
          fc.pre(FrameGrammarSchema.safeParse(grammar).success);
          let largest: number;
          try {
            largest = largestGrammarFrames(grammar);
          } catch {
            return; // e.g. offset 0 with max < step: no usable count
          }
          if (requested > largest) {
            expect(() => quantizeFrames(requested, grammar)).toThrow(/at most/);
            return;
          }
          const frames = quantizeFrames(requested, grammar);
          expect(frames).toBeGreaterThanOrEqual(requested);
          expect(frames).toBeLessThanOrEqual(max);
          expect(fitsGrammar(frames, grammar)).toBe(true);
          expect(frames - step < requested || frames - step < Math.max(1, offset)).toBe(true);
        },
      ),
    );
  });

  test("property: quantizing is monotonic", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max: 17 }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(quantizeFrames(lo, g)).toBeLessThanOrEqual(quantizeFrames(hi, g));
      }),
    );
  });
});
