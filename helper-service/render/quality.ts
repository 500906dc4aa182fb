/**
 * Draft and final. A draft is for judging a shot fast: a quarter of the model's steps at the smallest frame size
 * it makes for the sequence's shape; the final re-runs the same prompt and seed with the full settings.
 */
import type { GenerationRequest } from "../../shared/protocol.js";
import type { FrameSize, ModelVideo } from "../media/index.js";

/** Steps of a draft when the request names none: a quarter of the model's, at least 2. */
export function draftSteps(modelSteps: number): number {
  return Math.max(2, Math.round(modelSteps / 4));
}

/** The sizes the clip may be made at: for a draft, the smallest of those nearest the sequence's aspect ratio. */
export function sizesFor(request: Pick<GenerationRequest, "quality">, sizes: ModelVideo["sizes"], target: FrameSize): ModelVideo["sizes"] {
  if (request.quality !== "draft" || sizes.length === 0) return sizes;
  const want = Math.log(target.width / target.height);
  const distance = (s: readonly [number, number]) => Math.abs(Math.log(s[0] / s[1]) - want);
  const nearest = Math.min(...sizes.map(distance));
  const shaped = sizes.filter((s) => distance(s) <= nearest + 1e-9);
  const smallest = shaped.reduce((a, b) => (b[0] * b[1] < a[0] * a[1] ? b : a));
  return [smallest];
}

/** Steps for the request: its own, else a draft's, else the model's. */
export function stepsFor(request: Pick<GenerationRequest, "quality" | "steps">, modelSteps: number): number {
  return request.steps ?? (request.quality === "draft" ? draftSteps(modelSteps) : modelSteps);
}
