/**
 * What the workflows need from an editing application, in editor terms. Premiere implements it in premiere.ts, the
 * browser harness and the tests in simulated.ts; an After Effects adapter would be a third implementation.
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
  /** The file has sound: it goes on this audio track (0 is A1), linked to the video. Absent: no sound. */
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

export interface EditorHost {
  /** "Premiere Pro", "Simulated sequence". */
  readonly name: string;
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
}

/** Refused host operations carry a sentence for the user. */
export class HostError extends Error {
  override readonly name = "HostError";
}
