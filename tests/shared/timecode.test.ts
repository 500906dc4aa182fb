/** SMPTE timecode: drop-frame labels at 29.97 and 59.94, non-drop elsewhere, and bad timecodes refused. */
import fc from "fast-check";
import { formatTimecode, parseTimecode, secondsToFrames, supportsDropFrame } from "../../shared/time.js";
import { anyRate, FPS_23976, FPS_2997, FPS_5994, r, TEN_HOURS_AT_60 } from "./rates.js";

describe("SMPTE timecode", () => {
  test.each([
    [0, FPS_2997, "00:00:00;00"],
    [1799, FPS_2997, "00:00:59;29"],
    [1800, FPS_2997, "00:01:00;02"],
    [17982, FPS_2997, "00:10:00;00"],
    [107892, FPS_2997, "01:00:00;00"],
    [3600, FPS_5994, "00:01:00;04"],
    [215784, FPS_5994, "01:00:00;00"],
    [86400, r(24, 1), "01:00:00:00"],
    [86400, FPS_23976, "01:00:00:00"],
    [90000, r(25, 1), "01:00:00:00"],
    [1800, FPS_2997, "00:01:00;02"],
    [TEN_HOURS_AT_60, r(60, 1), "10:00:00:00"],
  ] as const)("frame %i at %o is %s", (frame, rate, tc) => {
    expect(formatTimecode(frame, rate)).toBe(tc);
    expect(parseTimecode(tc, rate)).toBe(frame);
  });

  test("non-drop at 29.97 on request, and drop-frame only where it exists", () => {
    expect(formatTimecode(1800, FPS_2997, { dropFrame: false })).toBe("00:01:00:00");
    expect(parseTimecode("00:01:00:00", FPS_2997)).toBe(1800);
    expect(supportsDropFrame(FPS_23976)).toBe(false);
    expect(supportsDropFrame(r(30, 1))).toBe(false);
    expect(() => formatTimecode(10, FPS_23976, { dropFrame: true })).toThrow(/only exists for 29.97 and 59.94/);
    expect(() => parseTimecode("00:00:01;00", r(25, 1))).toThrow(/only exists/);
  });

  test.each([
    ["00:01:00;00", FPS_2997, /skipped/],
    ["00:01:00;01", FPS_2997, /skipped/],
    ["00:01:00;03", FPS_5994, /skipped/],
    ["00:00:00:30", FPS_2997, /out of range/],
    ["00:60:00:00", r(25, 1), /out of range/],
    ["00:00:00:25", r(25, 1), /out of range/],
    ["1:2:3:4", r(25, 1), /not a timecode/],
    ["junk", r(25, 1), /not a timecode/],
  ] as const)("rejects %s", (tc, rate, message) => {
    expect(() => parseTimecode(tc, rate)).toThrow(message);
  });

  test("rejects negative and fractional frames", () => {
    expect(() => formatTimecode(-1, r(25, 1))).toThrow(/>= 0/);
    expect(() => formatTimecode(1.5, r(25, 1))).toThrow(/>= 0/);
  });

  test("property: timecode round-trips at every rate, drop and non-drop", () => {
    fc.assert(
      fc.property(anyRate, fc.integer({ min: 0, max: TEN_HOURS_AT_60 * 2 }), fc.boolean(), (rate, frame, drop) => {
        const options = { dropFrame: drop && supportsDropFrame(rate) };
        expect(parseTimecode(formatTimecode(frame, rate, options), rate, options)).toBe(frame);
      }),
    );
  });

  test("property: drop-frame labels sort in frame order and skip only the dropped labels", () => {
    fc.assert(
      fc.property(fc.constantFrom(FPS_2997, FPS_5994), fc.integer({ min: 0, max: 4_000_000 }), (rate, frame) => {
        const a = formatTimecode(frame, rate);
        const b = formatTimecode(frame + 1, rate);
        expect(a < b).toBe(true);
        const ff = Number(b.slice(-2));
        const ss = b.slice(6, 8);
        const mm = Number(b.slice(3, 5));
        if (ss === "00" && mm % 10 !== 0) expect(ff).toBeGreaterThanOrEqual(rate === FPS_2997 ? 2 : 4);
      }),
    );
  });

  test("29.97 drop-frame stays within a frame of real time over 10 hours", () => {
    const frames = secondsToFrames(36000, FPS_2997, "round");
    const tc = formatTimecode(frames, FPS_2997);
    expect(tc.startsWith("09:59:59;2") || tc.startsWith("10:00:00;0")).toBe(true);
  });
});
