/**
 * Long clips as windows of the model's frame count. Each window is a fresh causal clip; every window after the
 * first is conditioned on the frames next to it that were already made (the last `conditionFrames` frames before
 * it, or for a head extension the first ones after it), so memory stays flat with length and each window can be
 * decoded and streamed as soon as it is done. A window that would run past the clip generates the next length in
 * the model's grammar and drops the extra frames on the side away from its conditioning.
 *
 * Placements (from the request's conditioning):
 * - none: text to video; windows go forward, each after the first chained on the one before (tail placement).
 * - tail: extend after footage; as `none`, but the first window is conditioned on the footage too.
 * - head: extend before footage; windows go backward from the footage, each conditioned on what follows it, so they
 *   arrive last-first (frames still carry their index in the clip).
 * - fill: a gap between footage on both sides; forward like `tail`, and the last window, exactly in the model's
 *   grammar, is conditioned on both sides.
 * - loop: text to video whose end flows into its start: forward like `none`, and the last window is a fill between
 *   the frames before it and the clip's own first frames (as if the clip followed itself). It leaves at least
 *   `conditionFrames` frames to the windows before it, so both sides have footage.
 */

export type Placement = "none" | "tail" | "head" | "fill" | "loop";

export interface Window {
  /** Generation order, from 0; also the noise stream of the window. */
  index: number;
  /** Frames the window generates (1 + temporal * k). */
  frames: number;
  /** Clip frame index of the window's local frame 0 (negative for a head remainder's dropped frames). */
  start: number;
  /** Local frames [keepFrom, keepTo) are delivered; the rest are dropped. */
  keepFrom: number;
  keepTo: number;
  /** Conditioned on the frames just before it (times [-cf, ...]) and/or just after it (times [frames, ...]). */
  before: boolean;
  after: boolean;
}

export interface WindowPlan {
  placement: Placement;
  order: "forward" | "backward";
  total: number;
  windows: Window[];
}

export function grammarCeil(n: number, temporal: number): number {
  return 1 + temporal * Math.ceil(Math.max(0, n - 1) / temporal);
}

export function grammarFloor(n: number, temporal: number): number {
  return 1 + temporal * Math.floor(Math.max(0, n - 1) / temporal);
}

function forward(total: number, max: number, temporal: number, firstBefore: boolean, into: Window[]): void {
  let start = 0;
  while (start < total) {
    const frames = Math.min(max, grammarCeil(total - start, temporal));
    const keep = Math.min(frames, total - start);
    into.push({ index: into.length, frames, start, keepFrom: 0, keepTo: keep, before: firstBefore || start > 0, after: false });
    start += keep;
  }
}

/** `windowMax` must be in the grammar (1 + temporal * k); `conditionFrames` matters only for a loop. */
export function planWindows(total: number, windowMax: number, placement: Placement, temporal: number, conditionFrames = 1): WindowPlan {
  if (!Number.isInteger(total) || total < 1) throw new RangeError(`frames must be a positive integer, got ${total}`);
  if (grammarCeil(windowMax, temporal) !== windowMax) throw new RangeError(`window of ${windowMax} frames is not 1 + ${temporal}k`);
  const windows: Window[] = [];
  if (placement === "head") {
    let end = total;
    while (end > 0) {
      const frames = Math.min(windowMax, grammarCeil(end, temporal));
      const keep = Math.min(frames, end);
      windows.push({ index: windows.length, frames, start: end - frames, keepFrom: frames - keep, keepTo: frames, before: false, after: true });
      end -= keep;
    }
    return { placement, order: "backward", total, windows };
  }
  if (placement === "loop") {
    if (total <= conditionFrames) throw new RangeError(`a loop of ${total} frames is too short: it needs more than ${conditionFrames}`);
    const last = Math.min(windowMax, grammarFloor(total - conditionFrames, temporal));
    forward(total - last, windowMax, temporal, false, windows);
    windows.push({ index: windows.length, frames: last, start: total - last, keepFrom: 0, keepTo: last, before: true, after: true });
    return { placement, order: "forward", total, windows };
  }
  if (placement === "fill") {
    const last = Math.min(windowMax, grammarFloor(total, temporal));
    forward(total - last, windowMax, temporal, true, windows);
    windows.push({ index: windows.length, frames: last, start: total - last, keepFrom: 0, keepTo: last, before: true, after: true });
    return { placement, order: "forward", total, windows };
  }
  forward(total, windowMax, temporal, placement === "tail", windows);
  return { placement, order: "forward", total, windows };
}

/** The capability a window needs, by how it is conditioned. */
export function windowCapability(w: Pick<Window, "before" | "after">): "textToVideo" | "extendTail" | "extendHead" | "fill" {
  if (w.before && w.after) return "fill";
  if (w.before) return "extendTail";
  if (w.after) return "extendHead";
  return "textToVideo";
}
