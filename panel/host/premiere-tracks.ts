// Reading Premiere's sequence and tracks: its timecode display, the clip at a position (within a tolerance) and an
// audio track an edit cannot disturb. Track getters are async; `getTrackItems` is synchronous and returns an array.
import type { premierepro, Sequence, TickTime, VideoClipTrackItem } from "@adobe/premierepro";
import type { Ticks } from "./editor-host.js";

export function ticksOf(time: TickTime): Ticks {
  return BigInt(time.ticks);
}

// Premiere's time display codes (TimeDisplay.type), as its scripting constants number them: 102 is 29.97 drop-frame
// timecode and 106 is 59.94 drop-frame; every other code counts whole frames.
const DROP_FRAME_DISPLAYS: ReadonlySet<number> = new Set([102, 106]);

/** Whether the sequence shows drop-frame timecode; false where this Premiere cannot say. */
export async function displaysDropFrame(sequence: Sequence): Promise<boolean> {
  const read = (sequence as Partial<Pick<Sequence, "getSequenceVideoTimeDisplayFormat">>).getSequenceVideoTimeDisplayFormat;
  if (typeof read !== "function") return false;
  try {
    return DROP_FRAME_DISPLAYS.has((await read.call(sequence)).type);
  } catch {
    return false;
  }
}

/** The clip on video track `track` starting within `tolerance` of `start`: Premiere puts edits on frame boundaries. */
export async function findClipAt(
  ppro: premierepro,
  sequence: Sequence,
  track: number,
  start: Ticks,
  tolerance: Ticks,
): Promise<VideoClipTrackItem | null> {
  const count = await sequence.getVideoTrackCount();
  if (track >= count) return null;
  const items = (await sequence.getVideoTrack(track)).getTrackItems(ppro.Constants.TrackItemType.CLIP, false);
  const starts = await Promise.all(items.map((item) => item.getStartTime()));
  const distance = (t: TickTime) => (ticksOf(t) > start ? ticksOf(t) - start : start - ticksOf(t));
  const index = starts.findIndex((t) => distance(t) <= tolerance);
  return index < 0 ? null : (items[index] ?? null);
}

/**
 * The audio track index for an overwrite: one of `count` audio tracks with nothing over [start, end), so media that
 * carries audio cannot cut into the user's audio (a file without sound touches no audio track at all). `preferred`
 * (a file with sound: the track the footage's own sound is on) is taken when it is empty there, else the first
 * empty one. The index must name a track that exists: Premiere is reported to place nothing for one that does not.
 * Null when every audio track has sound over the range.
 */
export async function quietAudioTrack(
  ppro: premierepro,
  sequence: Sequence,
  count: number,
  start: Ticks,
  end: Ticks,
  preferred?: number,
): Promise<number | null> {
  const quiet = async (index: number) => {
    const items = (await sequence.getAudioTrack(index)).getTrackItems(ppro.Constants.TrackItemType.CLIP, false);
    const spans = await Promise.all(items.map(async (item) => [ticksOf(await item.getStartTime()), ticksOf(await item.getEndTime())] as const));
    return spans.every(([s, e]) => e <= start || s >= end);
  };
  if (preferred !== undefined && preferred < count && (await quiet(preferred))) return preferred;
  for (let index = 0; index < count; index++) if (index !== preferred && (await quiet(index))) return index;
  return null;
}
