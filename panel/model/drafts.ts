// Draft then final: a draft is judged in the sequence, then "Make final" makes the same shot (prompt, seed,
// conditioning) at full quality and swaps it in where the draft sits: same track, same start, one undo step.
import type { GenerationRequest, ModelInfo } from "../../shared/protocol.js";
import type { ClipInfo } from "../host/editor-host.js";
import { clipRef, type Plan } from "../workflows/plan.js";
import { stepsFor } from "../workflows/request.js";

export interface Retake {
  plan: Plan;
  request: GenerationRequest;
}

/** The final's plan and request for a draft placed as `placed`: the draft clip is what the final replaces. */
export function finalFor(draft: Retake, placed: ClipInfo, model: ModelInfo | null): Retake {
  const { quality: _draft, steps: _fewSteps, ...rest } = draft.request;
  const steps = stepsFor("standard", model);
  const request: GenerationRequest = { ...rest, quality: "final", ...(steps !== undefined ? { steps } : {}) };
  const plan: Plan = {
    ...draft.plan,
    label: `Tessera: Make final "${request.prompt.slice(0, 40)}"`,
    track: placed.track,
    start: placed.start.toString(),
    replace: clipRef(placed),
  };
  return { plan, request };
}
