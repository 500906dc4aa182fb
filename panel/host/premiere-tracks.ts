// Reading Premiere's tracks for an edit: the clip at a position (within a tolerance) and an audio track an edit
// cannot disturb. Track getters are async; `getTrackItems` is synchronous and returns an array.
import type { premierepro, Sequence, TickTime, VideoClipTrackItem } from "@adobe/premierepro";
import type { Ticks } from "./editor-host.js";

export function ticksOf(time: TickTime): Ticks {
  return BigInt(time.ticks);
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
 * The audio track index for an overwrite: the first of `count` audio tracks with nothing over [start, end), so media
 * that carries audio cannot cut into the user's audio (Tessera's own files carry none, and then no audio track is
 * touched at all). The index must name a track that exists: Premiere is reported to place nothing for one that
 * does not. With every audio track busy it is A1, which only media with audio would change.
 */
export async function quietAudioTrack(ppro: premierepro, sequence: Sequence, count: number, start: Ticks, end: Ticks): Promise<number> {
  for (let index = 0; index < count; index++) {
    const items = (await sequence.getAudioTrack(index)).getTrackItems(ppro.Constants.TrackItemType.CLIP, false);
    const spans = await Promise.all(items.map(async (item) => [ticksOf(await item.getStartTime()), ticksOf(await item.getEndTime())] as const));
    if (spans.every(([s, e]) => e <= start || s >= end)) return index;
  }
  return 0;
}
