/**
 * The sequence the harness opens: 1920x1080 at 23.976 with a few clips on V1 (an interview, a placeholder to
 * replace, a gap, a street shot, and a harbour shot with free space after it to extend) and V2 free at the
 * playhead. Media files come from the build (dist/harness/media.json); without them the clips are still there,
 * only Extend and Fill have nothing to read.
 */
import { z } from "zod";
import { FrameRateSchema, framesToTicks, type FrameRate } from "../../shared/time.js";
import { SimulatedHost } from "../host/simulated.js";

export const HarnessMediaSchema = z.object({
  clips: z.array(
    z.object({
      key: z.string(),
      path: z.string().min(1),
      fps: FrameRateSchema,
      frames: z.number().int().positive(),
      /** The file has sound (its clip's audio is linked on A1). */
      audio: z.boolean().optional(),
    }),
  ),
});
export type HarnessMedia = z.infer<typeof HarnessMediaSchema>;

export const DEMO_FPS: FrameRate = { num: 24000, den: 1001 };
export const DEMO_SEQUENCE_ID = "harness-sequence-1";
const f = (frames: number) => framesToTicks(frames, DEMO_FPS, "round");

export function createDemoHost(media: HarnessMedia | null): SimulatedHost {
  const host = new SimulatedHost(
    { id: "harness-project", name: "Harness.prproj", path: null },
    {
      id: DEMO_SEQUENCE_ID,
      name: "Sequence 01",
      fps: DEMO_FPS,
      width: 1920,
      height: 1080,
      playhead: f(48),
      tracks: ["V1", "V2", "V3"],
    },
  );
  const file = (key: string) => media?.clips.find((c) => c.key === key) ?? null;
  const clip = (key: string, name: string, from: number, to: number, sourceIn = 0) => {
    const m = file(key);
    host.addClip({
      name,
      track: 0,
      start: f(from),
      end: f(to),
      inPoint: f(sourceIn),
      outPoint: f(sourceIn + to - from),
      mediaPath: m?.path ?? null,
      mediaFps: m?.fps ?? DEMO_FPS,
      ...(m?.audio ? { audioTrack: 0 } : {}),
    });
  };
  clip("interview", "Interview A.mp4", 0, 96);
  host.addClip({
    name: "Placeholder: skyline at dusk",
    track: 0,
    start: f(96),
    end: f(144),
    inPoint: 0n,
    outPoint: f(48),
    mediaPath: null,
  });
  clip("street", "Street B.mp4", 216, 288, 12);
  clip("harbour", "Harbour wide.mp4", 288, 360);
  host.addClip({ name: "Title: Chapter 2", track: 1, start: f(240), end: f(312), inPoint: 0n, outPoint: f(72), mediaPath: null });
  return host;
}
