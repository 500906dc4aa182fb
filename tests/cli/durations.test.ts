/** --seconds counts the way editors do: the frames of that timecode at the --fps given, drop-frame on request. */
import { join } from "node:path";
import { generateRequest } from "../../helper-service/cli/generate.js";
import { tempDir } from "../server/support.js";
import { NO_REFERENCE, tessera } from "./support.js";

const framesFor = (seconds: number, fps: { num: number; den: number }, dropFrame = false) =>
  generateRequest("a lake", { out: "clip.mp4", seconds, fps, dropFrame }).request.frames;

test.each([
  [4, { num: 24000, den: 1001 }, false, 96],
  [4, { num: 30000, den: 1001 }, false, 120],
  [4, { num: 60000, den: 1001 }, true, 240],
  [2.5, { num: 24000, den: 1001 }, false, 60],
  [60, { num: 24000, den: 1001 }, false, 1440],
  [60, { num: 30000, den: 1001 }, true, 1800],
  [600, { num: 30000, den: 1001 }, true, 17982],
  [300, { num: 30000, den: 1001 }, false, 9000],
  [4, { num: 25, den: 1 }, false, 100],
])("--seconds %s at %o (drop-frame %s) asks for %i frames", (seconds, fps, dropFrame, frames) => {
  expect(framesFor(seconds, fps, dropFrame)).toBe(frames);
});

test("--drop-frame at a rate without it, and a length under one frame, are bad input with a fix", async () => {
  const out = tempDir("tessera-cli-durations-");
  const env = NO_REFERENCE;
  const dropped = await tessera(["generate", "a lake", "--seconds", "4", "--fps", "25", "--drop-frame", "--out", join(out, "a.mp4")], { env });
  expect(dropped.code).toBe(2);
  expect(dropped.stderr).toContain("drop-frame timecode only exists at 29.97 and 59.94 fps");
  const tiny = await tessera(["generate", "a lake", "--seconds", "0.01", "--fps", "24", "--out", join(out, "b.mp4")], { env });
  expect(tiny.code).toBe(2);
  expect(tiny.stderr).toContain("shorter than one frame");
}, 30_000);
