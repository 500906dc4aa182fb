/**
 * What the pipeline is asked to make, checked against the package before any work starts: a bad value gets
 * E_BAD_REQUEST (or E_CAPABILITY / E_DURATION) naming the field and how to fix it.
 */
import { z } from "zod";
import { TesseraError } from "../../shared/errors.js";
import { describeIssues } from "../../shared/parse.js";
import { DevicePreferenceSchema } from "./devices.js";
import { RgbFrameSchema, type RgbFrame } from "./frames.js";
import type { Manifest } from "./manifest.js";
import { grammarCeil, planWindows, windowCapability, type Placement, type WindowPlan } from "./windows.js";

const Int = z.number().int();

export const InferenceRequestSchema = z.object({
  prompt: z.string().max(4000),
  negativePrompt: z.string().max(4000).default(""),
  seed: Int.min(0).max(Number.MAX_SAFE_INTEGER),
  /** Frames to deliver, at the model's fps. */
  frames: Int.min(1, "ask for at least one frame"),
  /** [width, height], one of the package's video.sizes. */
  size: z.tuple([Int.min(1), Int.min(1)]),
  steps: Int.min(1).max(200).optional(),
  guidance: z.number().min(1).max(30).optional(),
  /** Overrides the package's scheduler.shift. */
  shift: z.number().positive().max(100).optional(),
  /**
   * Footage next to the new frames, at the model's fps and size, in display order: `before` ends where the new
   * clip starts (its last conditionFrames frames are used), `after` starts where it ends (its first ones).
   */
  conditioning: z
    .object({ before: z.array(RgbFrameSchema).optional(), after: z.array(RgbFrameSchema).optional() })
    .optional(),
  /** The clip's last frame flows into its first: the last window is conditioned on the clip's first frames too. */
  loop: z.boolean().optional(),
  threads: Int.min(1).max(256).optional(),
  device: DevicePreferenceSchema.default("auto"),
  /** Frames per window (1 + temporal k, at most video.frames.max); smaller windows need less memory. */
  windowFrames: Int.min(1).optional(),
});
export type InferenceRequest = z.infer<typeof InferenceRequestSchema>;
export type InferenceRequestInput = z.input<typeof InferenceRequestSchema>;

/** The request with the package's defaults filled in and the window plan made. */
export interface ResolvedRequest extends InferenceRequest {
  steps: number;
  guidance: number;
  shift: number;
  windowFrames: number;
  before: RgbFrame[];
  after: RgbFrame[];
  plan: WindowPlan;
}

/** Longest clip one request may ask for (the protocol caps durations at 10 minutes). */
const MAX_SECONDS = 600;

function bad(detail: string): TesseraError {
  return new TesseraError("E_BAD_REQUEST", detail);
}

function checkFrames(name: string, frames: readonly RgbFrame[], need: number, [w, h]: readonly [number, number]): void {
  if (frames.length < need) throw bad(`conditioning.${name} has ${frames.length} frames; the model needs at least ${need}.`);
  frames.forEach((f, i) => {
    if (f.width !== w || f.height !== h) {
      throw bad(`conditioning.${name}[${i}] is ${f.width}x${f.height}; scale the frames to the clip size ${w}x${h} first.`);
    }
  });
}

export function resolveRequest(input: InferenceRequestInput, m: Manifest): ResolvedRequest {
  const parsed = InferenceRequestSchema.safeParse(input);
  if (!parsed.success) throw bad(describeIssues(parsed.error));
  const request = parsed.data;
  const [w, h] = request.size;
  if (!m.video.sizes.some(([sw, sh]) => sw === w && sh === h)) {
    throw bad(`size ${w}x${h} is not one the model makes; use one of ${m.video.sizes.map(([a, b]) => `${a}x${b}`).join(", ")}.`);
  }
  if (request.frames > m.video.fps * MAX_SECONDS) {
    throw new TesseraError("E_DURATION", `${request.frames} frames at ${m.video.fps} fps is longer than ${MAX_SECONDS} s.`);
  }
  const windowFrames = request.windowFrames ?? m.video.frames.max;
  if (windowFrames > m.video.frames.max || grammarCeil(windowFrames, m.latent.temporal) !== windowFrames) {
    throw bad(`windowFrames ${windowFrames} must be 1 + ${m.latent.temporal}k and at most ${m.video.frames.max}.`);
  }
  const cf = m.capabilities.conditionFrames;
  const before = request.conditioning?.before ?? [];
  const after = request.conditioning?.after ?? [];
  if (before.length > 0) checkFrames("before", before, cf, request.size);
  if (after.length > 0) checkFrames("after", after, cf, request.size);
  if (request.loop && (before.length || after.length)) throw bad("a loop is made from the prompt alone; leave out the conditioning frames.");
  if (request.loop && request.frames <= cf) {
    throw new TesseraError("E_DURATION", `A loop needs more than ${cf} frames at ${m.video.fps} fps; ${request.frames} were asked for.`);
  }
  const placement: Placement = request.loop ? "loop" : before.length && after.length ? "fill" : before.length ? "tail" : after.length ? "head" : "none";
  const plan = planWindows(request.frames, windowFrames, placement, m.latent.temporal, cf);
  if (plan.windows.length > 1 && windowFrames < cf) {
    throw bad(`windowFrames ${windowFrames} is shorter than the ${cf} frames that chain one window to the next.`);
  }
  for (const window of plan.windows) {
    const needed = windowCapability(window);
    if (!m.capabilities[needed]) {
      const why =
        placement === "loop" ? " (a seamless loop fills from its end back to its start)" : plan.windows.length > 1 && placement !== "fill" ? ` (clips longer than ${windowFrames} frames chain windows)` : "";
      throw new TesseraError("E_CAPABILITY", `Model ${m.id} does not support ${needed}${why}.`);
    }
  }
  return {
    ...request,
    steps: request.steps ?? m.scheduler.steps,
    guidance: request.guidance ?? m.scheduler.guidance,
    shift: request.shift ?? m.scheduler.shift,
    windowFrames,
    before: before.slice(-cf),
    after: after.slice(0, cf),
    plan,
  };
}
