// How long a clip the chosen model can make for a workflow, in the sequence's frames, and the refusal (with the
// fix) when a request asks for more. The helper would refuse it too (E_DURATION); saying so before anything is
// rendered or sent is what an editor expects, and replace and fill can say it as soon as the clips are selected.
import type { ModelInfo } from "../../shared/protocol.js";
import { frameRateLabel, framesToSeconds, outputFramesWithin, parseFrameRate, type FrameRate } from "../../shared/time.js";

export type LengthKind = keyof NonNullable<ModelInfo["longest"]>;

export interface LengthAsk {
  workflow: "broll" | "replace" | "extend" | "fill";
  at?: "head" | "tail";
  /** Frames on the timeline, handles not included. */
  frames: number;
  handles: number;
}

export function lengthKind(workflow: LengthAsk["workflow"], at: LengthAsk["at"] = "tail"): LengthKind {
  if (workflow === "extend") return at === "head" ? "extendHead" : "extendTail";
  return workflow === "fill" ? "fill" : "textToVideo";
}

/** The most timeline frames (with these handles on each side) the model makes in one clip; null: no limit. */
export function longestFrames(model: ModelInfo, kind: LengthKind, fps: FrameRate, handles = 0): number | null {
  const most = model.longest?.[kind];
  if (most === undefined) return null;
  return Math.max(0, outputFramesWithin(most, fps, parseFrameRate(model.fps)) - 2 * handles);
}

const secs = (frames: number, fps: FrameRate): string => `${framesToSeconds(frames, fps).toFixed(2)} s`;

/** "up to 10.71 s" for the duration field's hint, or null when the model has no limit. */
export function longestLabel(model: ModelInfo, kind: LengthKind, fps: FrameRate, handles: number): string | null {
  const most = longestFrames(model, kind, fps, handles);
  return most === null ? null : `${model.name ?? model.id} makes up to ${secs(most, fps)} (${most} frames)`;
}

/** Why the model cannot make this clip, with what to do instead; null when it can. */
export function lengthRefusal(model: ModelInfo | null, ask: LengthAsk, fps: FrameRate): string | null {
  if (!model) return null;
  const kind = lengthKind(ask.workflow, ask.at);
  const most = longestFrames(model, kind, fps, ask.handles);
  if (most === null || ask.frames <= most) return null;
  const name = model.name ?? model.id;
  const at = `at ${frameRateLabel(fps)} fps`;
  const withHandles = ask.handles > 0 ? ` with ${ask.handles}-frame handles` : "";
  const what =
    ask.workflow === "replace"
      ? "The placeholder"
      : ask.workflow === "fill"
        ? "The gap"
        : ask.workflow === "extend"
          ? `The ${ask.at ?? "tail"} extension`
          : "The B-roll";
  const stated = `${what} is ${secs(ask.frames, fps)} (${ask.frames} frames ${at}); ${name} makes at most ${secs(most, fps)} (${most} frames)${withHandles} in one clip.`;
  const fix =
    ask.workflow === "replace"
      ? `Trim the placeholder to ${most} frames or less`
      : ask.workflow === "fill"
        ? `Close the gap to ${most} frames or less`
        : `Set the duration to ${secs(most, fps)} or less`;
  const handlesFix = ask.handles > 0 ? ", lower the handles in Settings" : "";
  return `${stated} ${fix}${handlesFix}, or choose a model that makes longer clips.`;
}
