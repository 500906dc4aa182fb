/**
 * The frames a workflow conditions on: the clip as the viewer sees it, rendered by the host where it can (speed,
 * reverse and effects respected), else the source media's range. Frames are taken at the model's rate and end
 * exactly on the clip's last frame (footage before the new clip) or start on its first (footage after it).
 */
import type { Conditioning, ConditioningSource, ModelInfo } from "../../shared/protocol.js";
import { divide, parseFrameRate, TICKS_PER_SECOND, ticksToFrames, type FrameRate } from "../../shared/time.js";
import type { ClipInfo, EditorHost, SequenceInfo, Ticks } from "../host/editor-host.js";
import { frameTicks } from "./timeline.js";

export type Side = "end" | "start";

/** Sequence times of `count` frames spaced at the model's rate, inside the clip. */
export function conditioningTimes(clip: ClipInfo, side: Side, count: number, modelFps: FrameRate, sequenceFps: FrameRate): Ticks[] {
  const step = divide(TICKS_PER_SECOND * BigInt(modelFps.den), BigInt(modelFps.num), "round");
  const last = clip.end - frameTicks(sequenceFps);
  const times: Ticks[] = [];
  for (let k = 0; k < count; k++) {
    const t = side === "end" ? last - BigInt(count - 1 - k) * step : clip.start + BigInt(k) * step;
    times.push(t < clip.start ? clip.start : t > last ? last : t);
  }
  return times;
}

/** The clip's visible range of its media file, in that file's own frame numbers. */
export function mediaSource(clip: ClipInfo, sequenceFps: FrameRate): ConditioningSource | null {
  if (!clip.mediaPath) return null;
  const fps = clip.mediaFps ?? sequenceFps;
  const inFrame = ticksToFrames(clip.inPoint, fps, "round");
  const outFrame = ticksToFrames(clip.outPoint, fps, "round");
  if (outFrame <= inFrame) return null;
  return { kind: "media", path: clip.mediaPath, inFrame, outFrame };
}

export interface ConditioningContext {
  host: EditorHost;
  sequence: SequenceInfo;
  model: ModelInfo;
  /** Where rendered frames may be written; null (unsaved project, harness) uses the media range. */
  renderFolder: string | null;
}

async function sourceFor(ctx: ConditioningContext, clip: ClipInfo, side: Side, folder: string | null): Promise<ConditioningSource | null> {
  const modelFps = parseFrameRate(ctx.model.fps);
  if (folder) {
    const count = Math.max(1, ctx.model.capabilities.conditionFrames);
    const times = conditioningTimes(clip, side, count, modelFps, ctx.sequence.fps);
    const paths = await ctx.host.renderFrames(times, folder);
    if (paths && paths.length === times.length) return { kind: "frames", paths, fps: modelFps };
  }
  return mediaSource(clip, ctx.sequence.fps);
}

/** Conditioning for extending `clip` at its head or tail; null when the clip offers no frames. */
export async function extendConditioning(ctx: ConditioningContext, clip: ClipInfo, at: "head" | "tail"): Promise<Conditioning | null> {
  const folder = ctx.renderFolder;
  const source = await sourceFor(ctx, clip, at === "tail" ? "end" : "start", folder);
  if (!source) return null;
  return at === "tail" ? { before: source } : { after: source };
}

/** Conditioning on both sides of a gap; either side may be missing (a matte), not both. */
export async function fillConditioning(ctx: ConditioningContext, before: ClipInfo, after: ClipInfo): Promise<Conditioning | null> {
  const join = (name: string) => (ctx.renderFolder ? `${ctx.renderFolder}-${name}` : null);
  const a = await sourceFor(ctx, before, "end", join("before"));
  const b = await sourceFor(ctx, after, "start", join("after"));
  if (!a && !b) return null;
  return { ...(a ? { before: a } : {}), ...(b ? { after: b } : {}) };
}
