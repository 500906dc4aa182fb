/**
 * An EditorHost in memory with Premiere's editing semantics: overwrite edits split or trim what they cover and never
 * move anything else, track 0 is V1, placing on the track index one past the last makes a new track, importing a
 * file already in the bin reuses it, and every edit is one named undo step. The browser harness shows it as a mini
 * timeline; the workflow tests drive it directly.
 */
import type { GenerationRecord } from "../../shared/protocol.js";
import {
  HostError,
  type ClipInfo,
  type Edit,
  type EditorHost,
  type MediaItem,
  type ProjectInfo,
  type SequenceInfo,
  type Ticks,
  type TrackInfo,
} from "./editor-host.js";
import { baseName } from "./paths.js";

export interface SimulatedClip extends ClipInfo {
  /** The generation record written into this clip's metadata, when Tessera made it. */
  record: GenerationRecord | null;
}

/** A sequence as SequenceInfo describes it; In/Out may be left out, and the track count comes from `tracks`. */
export type SimulatedSequenceSetup = Omit<SequenceInfo, "inPoint" | "outPoint" | "videoTrackCount"> &
  Partial<Pick<SequenceInfo, "inPoint" | "outPoint">> & {
    /** Names of the video tracks, bottom (V1) first. */
    tracks: string[];
  };

export type NewClip = Omit<ClipInfo, "id" | "speed" | "reversed" | "offline" | "mediaFps"> &
  Partial<Pick<ClipInfo, "speed" | "reversed" | "offline" | "mediaFps">>;

interface Snapshot {
  tracks: SimulatedClip[][];
  trackNames: string[];
}

export class SimulatedHost implements EditorHost {
  readonly name = "Simulated sequence";
  project: ProjectInfo;
  sequence: Omit<SequenceInfo, "videoTrackCount">;
  private trackNames: string[];
  private tracks: SimulatedClip[][];
  private selected = new Set<string>();
  private nextId = 1;
  private listeners = new Set<() => void>();
  /** bin name -> path -> item */
  private bins = new Map<string, Map<string, MediaItem>>();
  /** How often each path was imported: the workflows promise once per job. */
  readonly importCounts = new Map<string, number>();
  /** The undo history, oldest first: one entry per edit. */
  readonly undoLabels: string[] = [];
  private undoStack: Snapshot[] = [];
  /** Logs the panel exported, oldest first. */
  readonly savedLogs: { name: string; text: string }[] = [];
  /** Bumped on every change: a cheap snapshot for React's useSyncExternalStore. */
  version = 0;

  constructor(project: ProjectInfo, setup: SimulatedSequenceSetup) {
    this.project = project;
    const { tracks, ...rest } = setup;
    this.sequence = { ...rest, inPoint: setup.inPoint ?? null, outPoint: setup.outPoint ?? null };
    this.trackNames = [...tracks];
    this.tracks = tracks.map(() => []);
  }

  // -- EditorHost --------------------------------------------------------------------------------------------

  async getProject(): Promise<ProjectInfo | null> {
    return { ...this.project };
  }

  async getSequence(): Promise<SequenceInfo | null> {
    return { ...this.sequence, videoTrackCount: this.tracks.length };
  }

  async getSelection(): Promise<ClipInfo[]> {
    return this.allClips()
      .filter((c) => this.selected.has(c.id))
      .map(toInfo);
  }

  async getVideoTracks(): Promise<TrackInfo[]> {
    return this.tracks.map((clips, index) => ({
      index,
      name: this.trackNames[index] ?? `V${index + 1}`,
      clips: clips.map(toInfo),
    }));
  }

  async renderFrames(_times: Ticks[], _folder: string): Promise<string[] | null> {
    return null; // a browser page cannot render frames to disk
  }

  async importMedia(path: string, binName: string): Promise<MediaItem> {
    let bin = this.bins.get(binName);
    if (!bin) {
      bin = new Map();
      this.bins.set(binName, bin);
    }
    const existing = bin.get(path);
    if (existing) return existing;
    const item: MediaItem = { id: `m${this.nextId++}`, name: baseName(path), path };
    bin.set(path, item);
    this.importCounts.set(path, (this.importCounts.get(path) ?? 0) + 1);
    return item;
  }

  async applyEdit(edit: Edit): Promise<ClipInfo> {
    const { place } = edit;
    if (place.track < 0 || place.track > this.tracks.length) {
      throw new HostError(`There is no video track V${place.track + 1}.`);
    }
    if (place.sourceOut <= place.sourceIn) throw new HostError("The clip to place has no frames.");
    for (const clip of edit.remove) {
      if (!this.findClip(clip.id)) throw new HostError(`The clip "${clip.name}" is no longer in the sequence.`);
    }
    this.pushUndo(edit.label);
    for (const clip of edit.remove) this.removeClip(clip.id);
    if (place.track === this.tracks.length) {
      this.tracks.push([]);
      this.trackNames.push(`V${place.track + 1}`);
    }
    const end = place.start + (place.sourceOut - place.sourceIn);
    this.clearRange(place.track, place.start, end);
    const clip: SimulatedClip = {
      id: `c${this.nextId++}`,
      name: place.media.name,
      track: place.track,
      start: place.start,
      end,
      inPoint: place.sourceIn,
      outPoint: place.sourceOut,
      speed: 1,
      reversed: false,
      mediaPath: place.media.path,
      mediaFps: null,
      offline: false,
      record: edit.record,
      ...(place.audioTrack !== undefined ? { audioTrack: place.audioTrack } : {}),
    };
    this.insertSorted(place.track, clip);
    this.changed();
    return toInfo(clip);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Keeps the log in memory (`savedLogs`); the harness page offers it as a download. */
  async saveLog(name: string, text: string): Promise<string | null> {
    this.savedLogs.push({ name, text });
    this.changed();
    return name;
  }

  // -- what the harness and the tests do to the sequence -------------------------------------------------------

  addClip(clip: NewClip): SimulatedClip {
    while (this.tracks.length <= clip.track) {
      this.trackNames.push(`V${this.tracks.length + 1}`);
      this.tracks.push([]);
    }
    const full: SimulatedClip = {
      speed: 1,
      reversed: false,
      offline: false,
      mediaFps: null,
      ...clip,
      id: `c${this.nextId++}`,
      record: null,
    };
    this.clearRange(clip.track, clip.start, clip.end);
    this.insertSorted(clip.track, full);
    this.changed();
    return full;
  }

  /** Replaces the selection; an unknown id is an error so tests notice typos. */
  select(ids: string[]): void {
    for (const id of ids) if (!this.findClip(id)) throw new HostError(`no clip ${id}`);
    this.selected = new Set(ids);
    this.changed();
  }

  toggleSelected(id: string, additive: boolean): void {
    const next = additive ? new Set(this.selected) : new Set<string>();
    if (this.selected.has(id) && additive) next.delete(id);
    else next.add(id);
    this.select([...next]);
  }

  selectedIds(): string[] {
    return [...this.selected];
  }

  setPlayhead(ticks: Ticks): void {
    this.sequence = { ...this.sequence, playhead: ticks < 0n ? 0n : ticks };
    this.changed();
  }

  setInOut(inPoint: Ticks | null, outPoint: Ticks | null): void {
    this.sequence = { ...this.sequence, inPoint, outPoint };
    this.changed();
  }

  trackCount(): number {
    return this.tracks.length;
  }

  clip(id: string): SimulatedClip | undefined {
    return this.findClip(id);
  }

  clipsOn(track: number): SimulatedClip[] {
    return [...(this.tracks[track] ?? [])];
  }

  canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  undo(): string | null {
    const snapshot = this.undoStack.pop();
    const label = this.undoLabels.pop();
    if (!snapshot || label === undefined) return null;
    this.tracks = snapshot.tracks;
    this.trackNames = snapshot.trackNames;
    this.selected = new Set([...this.selected].filter((id) => this.findClip(id)));
    this.changed();
    return label;
  }

  // -- internals -----------------------------------------------------------------------------------------------

  private changed(): void {
    this.version++;
    for (const listener of [...this.listeners]) listener();
  }

  private allClips(): SimulatedClip[] {
    return this.tracks.flat();
  }

  private findClip(id: string): SimulatedClip | undefined {
    return this.allClips().find((c) => c.id === id);
  }

  private pushUndo(label: string): void {
    this.undoStack.push({ tracks: this.tracks.map((t) => t.map((c) => ({ ...c }))), trackNames: [...this.trackNames] });
    this.undoLabels.push(label);
  }

  private removeClip(id: string): void {
    this.tracks = this.tracks.map((clips) => clips.filter((c) => c.id !== id));
    this.selected.delete(id);
  }

  private insertSorted(track: number, clip: SimulatedClip): void {
    const clips = this.tracks[track];
    if (!clips) throw new HostError(`There is no video track V${track + 1}.`);
    clips.push(clip);
    clips.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  }

  /** Overwrite semantics: whatever covers [start, end) on the track is trimmed, split or removed; nothing moves. */
  private clearRange(track: number, start: Ticks, end: Ticks): void {
    const clips = this.tracks[track];
    if (!clips) return;
    const kept: SimulatedClip[] = [];
    for (const c of clips) {
      if (c.end <= start || c.start >= end) {
        kept.push(c);
        continue;
      }
      if (c.start < start) kept.push({ ...c, end: start, outPoint: c.inPoint + sourceSpan(c, start - c.start) });
      if (c.end > end) {
        const id = c.start < start ? `c${this.nextId++}` : c.id;
        kept.push({ ...c, id, start: end, inPoint: c.inPoint + sourceSpan(c, end - c.start) });
      }
      if (c.start >= start && c.end <= end) this.selected.delete(c.id);
    }
    this.tracks[track] = kept;
  }
}

function sourceSpan(clip: ClipInfo, sequenceTicks: Ticks): Ticks {
  if (clip.speed === 1) return sequenceTicks;
  return BigInt(Math.round(Number(sequenceTicks) * clip.speed));
}

function toInfo(clip: SimulatedClip): ClipInfo {
  const { record: _record, ...info } = clip;
  return { ...info };
}
