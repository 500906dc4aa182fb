/**
 * Where a workflow's clip will go, decided before generating (so the request asks for exactly the right frames)
 * and checked again when the clip lands. Plans are plain data (ticks as decimal strings) so they survive a panel
 * reload in storage; the zod schema reads them back.
 */
import { z } from "zod";
import { FrameRateSchema, framesToSeconds, framesToTicks, TicksStringSchema, ticksToFrames } from "../../shared/time.js";
import { PREMIERE_TERMS, type ClipInfo, type HostTerms, type SequenceInfo, type Ticks, type TrackInfo } from "../host/editor-host.js";
import { firstFreeTrack, frameFloor, framesIn, gapBetween, isFree } from "./timeline.js";

export const PLAN_WORKFLOWS = ["broll", "replace", "extend", "fill"] as const;
export const PlanWorkflowSchema = z.enum(PLAN_WORKFLOWS);
export type PlanWorkflow = z.infer<typeof PlanWorkflowSchema>;

const ClipRefSchema = z.object({
  name: z.string(),
  track: z.number().int().min(0),
  start: TicksStringSchema,
  end: TicksStringSchema,
  mediaPath: z.string().nullable(),
});
export type ClipRef = z.infer<typeof ClipRefSchema>;

export const PlanSchema = z.object({
  workflow: PlanWorkflowSchema,
  /** The undo step's name. */
  label: z.string(),
  sequenceId: z.string(),
  fps: FrameRateSchema,
  track: z.number().int().min(0),
  start: TicksStringSchema,
  /** Frames shown on the timeline (handles come on top). */
  frames: z.number().int().min(1),
  handles: z.number().int().min(0),
  /** What landing does when the range was taken while generating. */
  onBusy: z.enum(["next-free-track", "track-above", "overwrite"]),
  /** The placeholder taken out (replace). */
  replace: ClipRefSchema.optional(),
  /** The clip continued (extend) or the clip before the gap (fill). */
  source: ClipRefSchema.optional(),
  at: z.enum(["head", "tail"]).optional(),
  /** The audio track of the footage's sound (extend, fill): the new clip's sound goes there. */
  audioTrack: z.number().int().min(0).optional(),
  /** The sequence shows drop-frame timecode: durations are written that way. */
  dropFrame: z.boolean().optional(),
});
export type Plan = z.infer<typeof PlanSchema>;

export type TrackChoice = { kind: "new-track"; track: number } | { kind: "overwrite"; track: number };

export interface TrackQuestion {
  message: string;
  options: { choice: TrackChoice; label: string }[];
}

export type Planned =
  | { kind: "plan"; plan: Plan }
  | { kind: "refused"; reason: string }
  | { kind: "ask"; question: TrackQuestion };

export interface PlanInput {
  sequence: SequenceInfo;
  tracks: TrackInfo[];
  selection: ClipInfo[];
  prompt: string;
  /** Requested frames for B-roll and extend (replace and fill take theirs from the timeline). */
  frames: number;
  handles: number;
  whenNoTrackFree: "ask" | "new-track";
  /** The user's answer to a TrackQuestion. */
  choice?: TrackChoice;
  /** The host's words for its tracks in the question; Premiere's when left out. */
  terms?: HostTerms;
}

export function clipRef(clip: ClipInfo): ClipRef {
  return {
    name: clip.name,
    track: clip.track,
    start: clip.start.toString(),
    end: clip.end.toString(),
    mediaPath: clip.mediaPath,
  };
}

function undoLabel(what: string, prompt: string): string {
  const text = prompt.trim().replace(/\s+/g, " ");
  const short = text.length > 32 ? `${text.slice(0, 31)}…` : text;
  return short ? `Tessera: ${what} "${short}"` : `Tessera: ${what}`;
}

function seconds(frames: number, input: PlanInput): string {
  return `${framesToSeconds(frames, input.sequence.fps).toFixed(2)} s`;
}

function base(input: PlanInput, workflow: PlanWorkflow, what: string, frames: number) {
  return {
    workflow,
    label: undoLabel(what, input.prompt),
    sequenceId: input.sequence.id,
    fps: input.sequence.fps,
    frames,
  };
}

/** B-roll's length: the In/Out range when both are set, otherwise the requested frames. */
export function brollFrames(sequence: SequenceInfo, requested: number): number {
  const fromInOut = sequence.inPoint !== null && sequence.outPoint !== null;
  return fromInOut ? framesIn(sequence.inPoint as Ticks, sequence.outPoint as Ticks, sequence.fps) : requested;
}

/** B-roll: at the playhead (or over the In/Out range) on the first video track that is free there. */
export function planBroll(input: PlanInput): Planned {
  const { sequence, tracks } = input;
  const fromInOut = sequence.inPoint !== null && sequence.outPoint !== null;
  const start = fromInOut ? (sequence.inPoint as Ticks) : frameFloor(sequence.playhead, sequence.fps);
  const frames = brollFrames(sequence, input.frames);
  if (frames < 1) return { kind: "refused", reason: "The In/Out range is shorter than one frame." };
  const end = start + framesToTicks(frames, sequence.fps, "round");
  const plan = {
    ...base(input, "broll", "B-roll", frames),
    start: start.toString(),
    handles: input.handles,
    onBusy: "next-free-track" as const,
  };
  if (input.choice) {
    const overwrite = input.choice.kind === "overwrite";
    return { kind: "plan", plan: { ...plan, track: input.choice.track, onBusy: overwrite ? "overwrite" : "next-free-track" } };
  }
  const free = firstFreeTrack(tracks, start, end);
  if (free !== null) return { kind: "plan", plan: { ...plan, track: free } };
  if (input.whenNoTrackFree === "new-track") return { kind: "plan", plan: { ...plan, track: tracks.length } };
  const at = ticksToFrames(start, sequence.fps, "floor");
  const terms = input.terms ?? PREMIERE_TERMS;
  return {
    kind: "ask",
    question: {
      message: `No ${terms.track} is free for ${seconds(frames, input)} from frame ${at}. Where should the clip go?`,
      options: [
        { choice: { kind: "new-track", track: tracks.length }, label: terms.newTrack(tracks.length) },
        ...tracks.map((t) => ({
          choice: { kind: "overwrite" as const, track: t.index },
          label: `Overwrite ${terms.trackName(t.index)}`,
        })),
      ],
    },
  };
}

function single(selection: ClipInfo[], what: string): ClipInfo | string {
  if (selection.length === 0) return `Select ${what} in the timeline.`;
  if (selection.length > 1) return `${selection.length} clips are selected; select only ${what}.`;
  return selection[0] as ClipInfo;
}

/** Replace: the selected placeholder's exact track, start and duration. */
export function planReplace(input: PlanInput): Planned {
  const clip = single(input.selection, "the placeholder");
  if (typeof clip === "string") return { kind: "refused", reason: clip };
  const frames = framesIn(clip.start, clip.end, input.sequence.fps);
  if (frames < 1) return { kind: "refused", reason: "The placeholder is shorter than one frame." };
  return {
    kind: "plan",
    plan: {
      ...base(input, "replace", "Replace", frames),
      track: clip.track,
      start: clip.start.toString(),
      handles: input.handles,
      onBusy: "track-above",
      replace: clipRef(clip),
    },
  };
}

/** Extend: new frames right after (tail) or before (head) the clip, on its track or the first free one above. */
export function planExtend(input: PlanInput, at: "head" | "tail"): Planned {
  const clip = single(input.selection, "the clip to extend");
  if (typeof clip === "string") return { kind: "refused", reason: clip };
  if (!clip.mediaPath) {
    return { kind: "refused", reason: `"${clip.name}" has no media file to continue from (matte, title or offline).` };
  }
  const { fps } = input.sequence;
  const length = framesToTicks(input.frames, fps, "round");
  const start = at === "tail" ? clip.end : clip.start - length;
  if (start < 0n) {
    const room = ticksToFrames(clip.start, fps, "floor");
    return {
      kind: "refused",
      reason: `Only ${room} frames fit before "${clip.name}"; ask for at most ${room} frames or extend the tail.`,
    };
  }
  const end = start + length;
  const track = isFree(input.tracks, clip.track, start, end)
    ? clip.track
    : (firstFreeTrack(input.tracks, start, end, clip.track + 1) ?? input.tracks.length);
  return {
    kind: "plan",
    plan: {
      ...base(input, "extend", at === "tail" ? "Extend tail" : "Extend head", input.frames),
      track,
      start: start.toString(),
      handles: 0, // the new frames must meet the clip exactly
      onBusy: "track-above",
      source: clipRef(clip),
      at,
      ...(clip.audioTrack !== undefined ? { audioTrack: clip.audioTrack } : {}),
    },
  };
}

/** Fill: exactly the gap between the two selected clips, on their track. */
export function planFill(input: PlanInput): Planned {
  if (input.selection.length !== 2) {
    return { kind: "refused", reason: "Select the two clips on either side of the gap." };
  }
  const [a, b] = input.selection as [ClipInfo, ClipInfo];
  const gap = gapBetween(input.tracks, a, b);
  if (typeof gap === "string") return { kind: "refused", reason: gap };
  const frames = framesIn(gap.start, gap.end, input.sequence.fps);
  if (frames < 1) return { kind: "refused", reason: "The gap is shorter than one frame." };
  return {
    kind: "plan",
    plan: {
      ...base(input, "fill", "Fill gap", frames),
      track: gap.track,
      start: gap.start.toString(),
      handles: 0,
      onBusy: "track-above",
      source: clipRef(gap.before),
      ...linkedAudio(gap.before, gap.after),
    },
  };
}

/** The audio track of the first of these clips that has linked sound. */
function linkedAudio(...clips: ClipInfo[]): { audioTrack?: number } {
  const track = clips.find((c) => c.audioTrack !== undefined)?.audioTrack;
  return track !== undefined ? { audioTrack: track } : {};
}

export function planEnd(plan: Plan): Ticks {
  return BigInt(plan.start) + framesToTicks(plan.frames, plan.fps, "round");
}
