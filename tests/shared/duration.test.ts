/** Durations typed in seconds become the frame count of that timecode, at every sequence rate. */
import fc from "fast-check";
import { durationFrames, durationSeconds, formatDuration, formatTimecode, isNtsc, parseTimecode, secondsToFrames, supportsDropFrame, timecodeBase } from "../../shared/time.js";
import { FPS_23976, FPS_2997, FPS_5994, r, SEQUENCE_RATES } from "./rates.js";

const hasTimecode = (rate: { num: number; den: number }) => rate.den === 1 || isNtsc(rate);

describe("durations in seconds, counted as timecode", () => {
  test.each([
    [4, FPS_23976, false, 96, "00:00:04:00"],
    [4, r(24, 1), false, 96, "00:00:04:00"],
    [4, r(25, 1), false, 100, "00:00:04:00"],
    [4, FPS_2997, false, 120, "00:00:04:00"],
    [4, FPS_2997, true, 120, "00:00:04;00"],
    [4, FPS_5994, true, 240, "00:00:04;00"],
    [2.5, FPS_23976, false, 60, "00:00:02:12"],
    [0.5, FPS_2997, true, 15, "00:00:00;15"],
    [60, FPS_23976, false, 1440, "00:01:00:00"],
    [60, FPS_2997, false, 1800, "00:01:00:00"],
    // 00:01:00;00 and ;01 do not exist in drop-frame: one minute is the first label that does
    [60, FPS_2997, true, 1800, "00:01:00;02"],
    [60, FPS_5994, true, 3600, "00:01:00;04"],
    [600, FPS_2997, true, 17982, "00:10:00;00"],
    [150, FPS_2997, true, 4496, "00:02:30;00"],
    [4, r(48000, 1001), false, 192, "00:00:04:00"],
    [4, r(120000, 1001), true, 480, "00:00:04;00"],
  ] as const)("%s s at %o (drop-frame %s) is %i frames, %s", (seconds, rate, dropFrame, frames, timecode) => {
    expect(durationFrames(seconds, rate, { dropFrame })).toBe(frames);
    expect(formatDuration(frames, rate, { dropFrame })).toBe(timecode);
  });

  test("4 s at 23.976 is one frame more than wall-clock time would floor to", () => {
    expect(secondsToFrames(4, FPS_23976, "floor")).toBe(95);
    expect(durationFrames(4, FPS_23976)).toBe(96);
  });

  test("rates with no timecode of their own get the nearest frame", () => {
    expect(durationFrames(4, r(25, 2))).toBe(50);
    expect(durationFrames(0.1, r(25, 2))).toBe(1);
    expect(formatDuration(50, r(25, 2))).toBe("50 fr");
  });

  test("drop-frame only where it exists; bad durations refused", () => {
    expect(() => durationFrames(4, FPS_23976, { dropFrame: true })).toThrow(/only exists for 29.97 and 59.94/);
    expect(() => durationFrames(-1, r(25, 1))).toThrow(/not a duration/);
    expect(() => durationFrames(Number.NaN, r(25, 1))).toThrow(/not a duration/);
  });

  test("property: at every sequence rate, whole seconds read back as that timecode with frames 00", () => {
    fc.assert(
      fc.property(fc.constantFrom(...SEQUENCE_RATES.filter(hasTimecode)), fc.integer({ min: 0, max: 36_000 }), fc.boolean(), (rate, seconds, drop) => {
        const dropFrame = drop && supportsDropFrame(rate);
        const frames = durationFrames(seconds, rate, { dropFrame });
        const hh = Math.floor(seconds / 3600);
        const mm = Math.floor(seconds / 60) % 60;
        const ss = seconds % 60;
        const label = `${String(hh).padStart(2, "0")}:${String(mm).padStart(2, "0")}:${String(ss).padStart(2, "0")}`;
        const tc = formatTimecode(frames, rate, { dropFrame });
        expect(tc.slice(0, 8)).toBe(label);
        const skipped = dropFrame && ss === 0 && Math.floor(seconds / 60) % 10 !== 0;
        expect(Number(tc.slice(9))).toBe(skipped ? (timecodeBase(rate) / 30) * 2 : 0);
        if (!skipped) expect(parseTimecode(tc, rate, { dropFrame })).toBe(frames);
      }),
    );
  });

  test("property: at every sequence rate, a fraction of a second is the nearest timecode frame and never drifts", () => {
    fc.assert(
      fc.property(fc.constantFrom(...SEQUENCE_RATES.filter(hasTimecode)), fc.integer({ min: 0, max: 600_000 }), (rate, ms) => {
        const seconds = ms / 1000;
        const base = timecodeBase(rate);
        const frames = durationFrames(seconds, rate);
        // non-drop: exactly the whole seconds' frames plus the nearest frame of the fraction
        expect(Math.abs(frames - seconds * base)).toBeLessThanOrEqual(0.5 + 1e-6);
        expect(durationFrames(seconds + 1, rate)).toBe(frames + base);
      }),
    );
  });

  test("drop-frame durations stay within a frame of wall-clock time over ten minutes", () => {
    for (const rate of [FPS_2997, FPS_5994]) {
      for (let seconds = 0; seconds <= 600; seconds += 7) {
        const frames = durationFrames(seconds, rate, { dropFrame: true });
        expect(Math.abs(frames - (seconds * rate.num) / rate.den)).toBeLessThan(timecodeBase(rate) / 30 * 2 + 1);
      }
    }
  });
});

test("property: durationSeconds reads back the seconds a duration was typed in, at every sequence rate", () => {
  fc.assert(
    fc.property(fc.constantFrom(...SEQUENCE_RATES), fc.integer({ min: 0, max: 3_600 }), fc.integer({ min: 0, max: 9 }), fc.boolean(), (rate, whole, tenth, drop) => {
      const dropFrame = drop && supportsDropFrame(rate);
      const frames = durationFrames(whole + tenth / 10, rate, { dropFrame });
      expect(durationFrames(durationSeconds(frames, rate, { dropFrame }), rate, { dropFrame })).toBe(frames);
    }),
  );
});
