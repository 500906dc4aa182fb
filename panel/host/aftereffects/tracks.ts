/**
 * After Effects has layers, not tracks; the workflows think in tracks. Layers are read as tracks the way an editor
 * stacks shots in a comp: going up from the bottom layer, a layer joins the track below it unless it overlaps, in
 * time, a layer already on that track. A sequenced run of shots (Keyframe Assistant > Sequence Layers) is then one
 * track, V1 is the bottom run, and a layer over all of them (a title, a grade) is a track of its own. Two layers
 * on one track never overlap, so their order among themselves changes nothing on screen.
 *
 * Placing a clip "on track t" means adding a layer inside that run of the stack. Where exactly is chosen so the
 * comp, read again, shows the new layer on track t (next to its neighbour in time, in the run's own order).
 */
import type { Ticks } from "../editor-host.js";
import type { StackPosition } from "./schemas.js";

/** A layer's comp-time range [start, end). */
export interface Span {
  id: number;
  start: Ticks;
  end: Ticks;
}

const overlaps = (a: Span, b: Span) => a.start < b.end && a.end > b.start;

/** Tracks bottom first; each lists its layers in stack order, top first. `layers` is the stack, top first. */
export function packTracks(layers: Span[]): Span[][] {
  const tracks: Span[][] = [];
  let current: Span[] = [];
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i] as Span;
    if (current.some((member) => overlaps(member, layer))) {
      tracks.push(current);
      current = [];
    }
    current.unshift(layer);
  }
  if (current.length) tracks.push(current);
  return tracks;
}

/** The track index of each layer id. */
export function trackOf(tracks: Span[][]): Map<number, number> {
  const map = new Map<number, number>();
  tracks.forEach((members, track) => members.forEach((m) => map.set(m.id, track)));
  return map;
}

export interface PlannedEdit {
  /** The stack, top first, before the edit. */
  layers: Span[];
  /** The new layer (its id is any number not in `layers`). */
  placed: Span;
  track: number;
  remove: number[];
  /** Layers overlapping the new range on its track: trimmed or split around it. */
  cuts: number[];
}

/** The stack after cutting [start, end) out of the cut layers (a split leaves its second half directly above). */
function afterCuts(layers: Span[], edit: PlannedEdit): Span[] {
  const { start, end } = edit.placed;
  const out: Span[] = [];
  for (const layer of layers) {
    if (edit.remove.includes(layer.id)) continue;
    if (!edit.cuts.includes(layer.id) || !overlaps(layer, edit.placed)) {
      out.push(layer);
      continue;
    }
    if (start <= layer.start && end >= layer.end) continue;
    if (start <= layer.start) out.push({ ...layer, start: end });
    else if (end >= layer.end) out.push({ ...layer, end: start });
    else out.push({ ...layer, id: -layer.id, start: end }, { ...layer, end: start });
  }
  return out;
}

function insertAt(layers: Span[], placed: Span, position: StackPosition): Span[] {
  if (position.relation === "top") return [placed, ...layers];
  const at = layers.findIndex((l) => l.id === position.layer);
  if (at < 0) return [placed, ...layers];
  const index = position.relation === "above" ? at : at + 1;
  return [...layers.slice(0, index), placed, ...layers.slice(index)];
}

/** Where the new layer lands on `edit.track` when inserted at `position` (the removals and cuts applied). */
export function resultingTrack(edit: PlannedEdit, position: StackPosition): number | undefined {
  // anchors that get removed keep their place in the stack until the new layer is beside them
  const withNew = insertAt(edit.layers, edit.placed, position);
  return trackOf(packTracks(afterCuts(withNew, edit))).get(edit.placed.id);
}

/** Positions worth trying, best first: beside a replaced layer, then beside the neighbour in time, then anywhere in the run. */
function candidates(edit: PlannedEdit, members: Span[]): StackPosition[] {
  const out: StackPosition[] = [];
  const replaced = members.find((m) => edit.remove.includes(m.id));
  if (replaced) out.push({ relation: "above", layer: replaced.id });
  const kept = members.filter((m) => !edit.remove.includes(m.id) && !edit.cuts.includes(m.id));
  const byTime = [...kept].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const stackIndex = (span: Span) => members.indexOf(span);
  const first = byTime[0];
  const last = byTime[byTime.length - 1];
  // the run's own order: earliest shot on top (After Effects' Sequence Layers) unless the run says otherwise
  const earliestOnTop = !first || !last || first === last || stackIndex(first) < stackIndex(last);
  const before = [...byTime].reverse().find((m) => m.end <= edit.placed.start);
  const after = byTime.find((m) => m.start >= edit.placed.end);
  if (before) out.push({ relation: earliestOnTop ? "below" : "above", layer: before.id });
  if (after) out.push({ relation: earliestOnTop ? "above" : "below", layer: after.id });
  for (const m of members) out.push({ relation: "above", layer: m.id }, { relation: "below", layer: m.id });
  out.push({ relation: "top" });
  return out;
}

/** The stack position for the new layer: the first candidate that the comp, read again, shows on `edit.track`. */
export function choosePosition(edit: PlannedEdit): StackPosition {
  const members = packTracks(edit.layers)[edit.track] ?? [];
  const options = candidates(edit, members);
  return options.find((p) => resultingTrack(edit, p) === edit.track) ?? (options[0] as StackPosition);
}
