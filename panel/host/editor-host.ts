/**
 * What the workflows need from an editing application, in editor terms. Premiere implements it in premiere.ts, the
 * browser harness and the tests in simulated.ts, After Effects in aftereffects.ts (over ExtendScript).
 *
 * Times are Premiere ticks (254016000000 per second) as bigint: a long sequence overflows a double, and every
 * common frame rate is a whole number of ticks per frame.
 */
import type { GenerationRecord } from "../../shared/protocol.js";
import type { FrameRate } from "../../shared/time.js";

export type Ticks = bigint;

export interface ProjectInfo {
  id: string;
  name: string;
  /** The project file on disk; null for an unsaved project (or the harness). */
  path: string | null;
}

export interface SequenceInfo {
  id: string;
  name: string;
  fps: FrameRate;
  width: number;
  height: number;
  playhead: Ticks;
  /** The sequence In/Out range; null when it is not set. */
  inPoint: Ticks | null;
  outPoint: Ticks | null;
  videoTrackCount: number;
  /** The sequence displays drop-frame timecode (29.97, 59.94); absent: non-drop. */
  dropFrame?: boolean;
}

/** A clip on a video track. */
export interface ClipInfo {
  /** Stable while the clip stays where it is; workflows find clips again by track and start. */
  id: string;
  name: string;
  /** 0-based video track index: 0 is V1. */
  track: number;
  /** Sequence time [start, end). */
  start: Ticks;
  end: Ticks;
  /** Source time shown at start and end (relative to the media's start). */
  inPoint: Ticks;
  outPoint: Ticks;
  /** Playback speed as a factor: 1 normal, 0.5 slow motion. */
  speed: number;
  reversed: boolean;
  /** The media file, or null for synthetic items (colour matte, slug, title) and offline clips. */
  mediaPath: string | null;
  /** The media file's frame rate where the host knows it. */
  mediaFps: FrameRate | null;
  offline: boolean;
  /** The audio track (0 is A1) of the clip's linked audio, where the host knows it; absent: none or unknown. */
  audioTrack?: number;
}

export interface TrackInfo {
  index: number;
  name: string;
  clips: ClipInfo[];
}

/** A file imported into the project. */
export interface MediaItem {
  id: string;
  name: string;
  path: string;
}

/** Where an imported file goes. `sourceIn`/`sourceOut` choose the frames shown; the rest stays as handles. */
export interface Placement {
  media: MediaItem;
  track: number;
  start: Ticks;
  sourceIn: Ticks;
  sourceOut: Ticks;
  /**
   * The file has sound: it goes on this audio track (0 is A1), linked to the video, where that track is empty under
   * the edit (Premiere takes the first empty one otherwise; After Effects plays it from the layer). Absent: no sound.
   */
  audioTrack?: number;
}

/** One edit the user can undo in one step. Overwrites only: nothing after it moves. */
export interface Edit {
  /** The undo step's name, e.g. "Tessera: B-roll". */
  label: string;
  /** Clips taken out (without ripple) before placing, e.g. the placeholder being replaced. */
  remove: ClipInfo[];
  place: Placement;
  /** Written into the new item's XMP and project metadata. */
  record: GenerationRecord | null;
}

/**
 * The host's own words for what the panel names: Premiere's sequence, playhead and tracks; After Effects' comp,
 * current time and layers, where a "track" is a level of the layer stack (aftereffects/tracks.ts).
 */
export interface HostTerms {
  /** What holds the clips: "sequence", "comp". */
  timeline: string;
  /** Where B-roll goes: "playhead", "current time". */
  playhead: string;
  /** What a clip is: "clip", "layer". */
  clip: string;
  /** What clips sit on, as in "the first free video track": "video track", "level". */
  track: string;
  /** The range B-roll fills when it is set: "In/Out range", "work area". */
  range: string;
  /** One track by its 0-based index: "V2", "level 2". */
  trackName(index: number): string;
  /** The choice that puts a clip on a track that does not exist yet: "New track V3", "New layer on top". */
  newTrack(index: number): string;
  /** The setting that always does so: "Add a track above", "Add a layer on top". */
  addTrack: string;
}

export const PREMIERE_TERMS: HostTerms = {
  timeline: "sequence",
  playhead: "playhead",
  clip: "clip",
  track: "video track",
  range: "In/Out range",
  trackName: (index) => `V${index + 1}`,
  newTrack: (index) => `New track V${index + 1}`,
  addTrack: "Add a track above",
};

/** The host's words; Premiere's where it names none. */
export function termsOf(host: Pick<EditorHost, "terms">): HostTerms {
  return host.terms ?? PREMIERE_TERMS;
}

export interface EditorHost {
  /** "Premiere Pro", "Simulated sequence". */
  readonly name: string;
  /** How the panel names the host's objects; Premiere's words when left out. */
  readonly terms?: HostTerms;
  getProject(): Promise<ProjectInfo | null>;
  getSequence(): Promise<SequenceInfo | null>;
  getSelection(): Promise<ClipInfo[]>;
  getVideoTracks(): Promise<TrackInfo[]>;
  /**
   * Frames of the sequence as the viewer sees them (speed, reverse and effects applied), written as PNG files into
   * `folder`, one per time. Null when the host cannot render.
   */
  renderFrames(times: Ticks[], folder: string): Promise<string[] | null>;
  /** Imports a file into the named bin (made when missing) and returns it; a file already there is reused. */
  importMedia(path: string, binName: string): Promise<MediaItem>;
  /** Applies the edit as one named undo step and returns the clip it placed, read back from the timeline. */
  applyEdit(edit: Edit): Promise<ClipInfo>;
  /** Called when the sequence, selection or playhead may have changed; hosts without events return a no-op. */
  subscribe(listener: () => void): () => void;
  /**
   * Saves the panel's log as a text file where the user can find it (a save dialog in Premiere and After Effects),
   * and returns where it went; null when the user cancelled. Hosts that cannot write files leave it out.
   */
  saveLog?(name: string, text: string): Promise<string | null>;
}

/** Refused host operations carry a sentence for the user. */
export class HostError extends Error {
  override readonly name = "HostError";
}
