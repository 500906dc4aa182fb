/**
 * Long clips on an engine, made the way the ONNX engine makes them (ARCHITECTURE.md "Long clips"): the new frames
 * are split into windows of one prompt each, and every window after the first is conditioned, through the model's
 * guide-frame template, on the frames next to it that the windows before it made: the last frames before it going
 * forward, or the first frames after it for a head extension, which is made backward from the footage. A window
 * that touches the footage is conditioned on the footage too. A model with no template taking the side a chain
 * needs cannot chain, and a request longer than one prompt makes is refused with the most it makes.
 */
import { TesseraError } from "../../../shared/errors.js";
import { chains, findTemplate, newFramesPerRun, templateFor, type EngineModel, type Sides } from "./models.js";
import type { Template } from "./templates.js";

export interface EngineWindow {
  /** Generation order, from 0. */
  index: number;
  template: Template;
  /** The sides the window is conditioned on: footage or frames other windows made. */
  sides: Sides;
  /** The sides whose frames come from another window of this clip (not from the footage). */
  chained: Sides;
  /** Clip frame index of the window's first new frame, and how many new frames it delivers. */
  start: number;
  frames: number;
}

export function planEngineWindows(model: EngineModel, total: number, footage: Sides, seconds: (frames: number) => string): EngineWindow[] {
  const pick = (sides: Sides): { template: Template; most: number } | null => {
    const template = findTemplate(model.templates, sides);
    return template ? { template, most: newFramesPerRun(template, sides) } : null;
  };
  const first = pick(footage) ?? { template: templateFor(model, footage), most: 0 }; // templateFor says which is missing
  const windows: EngineWindow[] = [];
  const push = (template: Template, start: number, frames: number, sides: Sides, chained: Sides): void => {
    windows.push({ index: windows.length, template, sides, chained, start, frames });
  };
  if (total <= first.most) {
    push(first.template, 0, total, footage, { before: false, after: false });
    return windows;
  }
  if (!chains(model.templates, footage)) {
    throw new TesseraError("E_DURATION", `${model.id} makes at most ${first.most} frames (${seconds(first.most)} s) in one clip; ${total} were needed.`, {
      hint: "Ask for a shorter clip or generate it in parts; longer clips need a template conditioned on the frames before (guide frames).",
    });
  }
  if (footage.after && !footage.before) {
    // head: backward from the footage, each window conditioned on the first frames of the one after it
    for (let end = total; end > 0; ) {
      const frames = Math.min(first.most, end);
      push(first.template, end - frames, frames, footage, { before: false, after: end < total });
      end -= frames;
    }
    return windows;
  }
  for (let start = 0; start < total; ) {
    const sides = { before: footage.before || start > 0, after: footage.after };
    const chained = { before: start > 0, after: false };
    const closing = pick(sides);
    if (closing && total - start <= closing.most) {
      push(closing.template, start, total - start, sides, chained);
      break;
    }
    // not the last window: conditioned only on what comes before it (the footage after belongs to the last one)
    const on = pick({ ...sides, after: false })!;
    const frames = Math.min(on.most, total - start - 1); // a fill keeps at least one frame for its closing window
    push(on.template, start, frames, { ...sides, after: false }, chained);
    start += frames;
  }
  return windows;
}
