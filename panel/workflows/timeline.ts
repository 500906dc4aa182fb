// Questions about the timeline that every workflow asks: is this range free on that track, which track is.
import { framesToTicks, ticksPerFrame, ticksToFrames, type FrameRate } from "../../shared/time.js";
import type { ClipInfo, Ticks, TrackInfo } from "../host/editor-host.js";

export function overlaps(clip: Pick<ClipInfo, "start" | "end">, start: Ticks, end: Ticks): boolean {
  return clip.start < end && clip.end > start;
}

/** True when nothing on the track covers any of [start, end); a track past the last one is free. */
export function isFree(tracks: TrackInfo[], track: number, start: Ticks, end: Ticks, ignore: string[] = []): boolean {
  const clips = tracks[track]?.clips ?? [];
  return !clips.some((c) => !ignore.includes(c.id) && overlaps(c, start, end));
}

/** The lowest track at or above `from` that is free over the range, or null when every existing track is busy. */
export function firstFreeTrack(tracks: TrackInfo[], start: Ticks, end: Ticks, from = 0): number | null {
  for (let t = from; t < tracks.length; t++) if (isFree(tracks, t, start, end)) return t;
  return null;
}

/** The frame boundary at or before `ticks` (the frame the playhead shows). */
export function frameFloor(ticks: Ticks, fps: FrameRate): Ticks {
  return framesToTicks(ticksToFrames(ticks, fps, "floor"), fps, "round");
}

/** Whole frames in a sequence range (ranges from Premiere sit on frame boundaries; rounding absorbs tick noise). */
export function framesIn(start: Ticks, end: Ticks, fps: FrameRate): number {
  return ticksToFrames(end - start, fps, "round");
}

export function frameTicks(fps: FrameRate): Ticks {
  return ticksPerFrame(fps, "round");
}

/** "V2" for track index 1. */
export function trackLabel(index: number): string {
  return `V${index + 1}`;
}

export interface Gap {
  track: number;
  start: Ticks;
  end: Ticks;
  before: ClipInfo;
  after: ClipInfo;
}

/** The empty stretch between two clips on one track, or a sentence saying why there is none. */
export function gapBetween(tracks: TrackInfo[], a: ClipInfo, b: ClipInfo): Gap | string {
  if (a.track !== b.track) return "The two clips are on different tracks; select two clips on one track.";
  const [before, after] = a.start <= b.start ? [a, b] : [b, a];
  if (after.start < before.end) return "The two clips overlap.";
  if (after.start === before.end) return "The two clips touch: there is no gap between them.";
  if (!isFree(tracks, before.track, before.end, after.start)) return "Another clip sits in the gap between them.";
  return { track: before.track, start: before.end, end: after.start, before, after };
}
