// Timeline-side fakes: track items, video and audio tracks, the selection, the sequence and its editor.
import type {
  Action,
  Guid,
  ProjectItem,
  RectF,
  Sequence,
  TickTime,
  AudioTrack,
  TrackItemSelection,
  VideoClipTrackItem,
  VideoTrack,
} from "@adobe/premierepro";
import type { Engine } from "./premiere-engine.js";
import { RuleViolation, tick, ticksOf, TRACK_ITEM_CLIP } from "./premiere-engine.js";
import { FakeClip } from "./premiere-items.js";

export interface TrackItemData {
  name: string;
  start: bigint;
  end: bigint;
  inPoint: bigint;
  outPoint: bigint;
  clip: FakeClip;
  speed: number;
}

export type TrackKind = "video" | "audio";

export class FakeTrackItem
  implements
    Pick<
      VideoClipTrackItem,
      "getName" | "getTrackIndex" | "getStartTime" | "getEndTime" | "getInPoint" | "getOutPoint" | "getSpeed" | "isSpeedReversed" | "getProjectItem"
    >
{
  /** The audio (or video) item that Premiere selects and removes with this one unless told otherwise. */
  linked: FakeTrackItem[] = [];
  constructor(
    readonly data: TrackItemData,
    private readonly track: () => number,
  ) {}
  async getName() {
    return this.data.name;
  }
  async getTrackIndex() {
    return this.track();
  }
  async getStartTime() {
    return tick(this.data.start);
  }
  async getEndTime() {
    return tick(this.data.end);
  }
  async getInPoint() {
    return tick(this.data.inPoint);
  }
  async getOutPoint() {
    return tick(this.data.outPoint);
  }
  async getSpeed() {
    return this.data.speed;
  }
  async isSpeedReversed() {
    return this.data.speed < 0 ? 1 : 0;
  }
  async getProjectItem() {
    return this.data.clip as unknown as ProjectItem;
  }
}

/** A video track item: only video items can take video transitions, which is how the adapter tells them apart. */
export class FakeVideoItem extends FakeTrackItem {
  createAddVideoTransitionAction(): Action {
    throw new RuleViolation("not used");
  }
}

export class FakeTrack implements Pick<VideoTrack, "name" | "getTrackItems"> {
  items: FakeTrackItem[] = [];
  constructor(
    private readonly engine: Engine,
    readonly name: string,
    readonly kind: TrackKind = "video",
  ) {}
  getTrackItems(trackItemType: number, includeEmptyTrackItems: boolean): VideoClipTrackItem[] {
    if (trackItemType !== TRACK_ITEM_CLIP) this.engine.violate("read clips with Constants.TrackItemType.CLIP");
    void includeEmptyTrackItems;
    return [...this.items].sort((a, b) => (a.data.start < b.data.start ? -1 : 1)) as unknown as VideoClipTrackItem[];
  }
}

/**
 * A track item selection. One made by `TrackItemSelection.createEmptySelection` lives only while its callback runs
 * (Adobe's no-empty-selection-escape rule); touched later it fails the way Premiere does.
 */
export class FakeSelection implements Pick<TrackItemSelection, "addItem" | "getTrackItems"> {
  valid = true;
  constructor(
    private readonly engine: Engine,
    readonly items: FakeTrackItem[] = [],
  ) {}
  check(): void {
    if (!this.valid) this.engine.violate("The script object is no longer valid (a selection used after its createEmptySelection callback)");
  }
  addItem(trackItem: VideoClipTrackItem): boolean {
    this.check();
    this.items.push(trackItem as unknown as FakeTrackItem);
    return true;
  }
  async getTrackItems() {
    this.check();
    return [...this.items] as unknown as VideoClipTrackItem[];
  }
}

export class FakeSequence
  implements
    Pick<
      Sequence,
      | "name"
      | "getTimebase"
      | "getFrameSize"
      | "getPlayerPosition"
      | "getInPoint"
      | "getOutPoint"
      | "getEndTime"
      | "getVideoTrackCount"
      | "getVideoTrack"
      | "getAudioTrackCount"
      | "getAudioTrack"
      | "getSelection"
      | "getSequenceVideoTimeDisplayFormat"
    >
{
  readonly tracks: FakeTrack[];
  readonly audioTracks: FakeTrack[];
  selected: FakeTrackItem[] = [];
  playhead = 0n;
  inPoint = 0n;
  outPoint: bigint | null = null;
  /** Premiere's time display code: 110 is 23.976 timecode, 102 is 29.97 drop-frame. */
  displayFormat = 110;
  readonly guid = { toString: () => "seq-guid-1" } as unknown as Guid;
  constructor(
    private readonly engine: Engine,
    readonly name: string,
    readonly timebase: string,
    readonly size: { width: number; height: number },
    trackCount: number,
    audioTrackCount = 2,
  ) {
    this.tracks = Array.from({ length: trackCount }, (_, i) => new FakeTrack(engine, `Video ${i + 1}`));
    this.audioTracks = Array.from({ length: audioTrackCount }, (_, i) => new FakeTrack(engine, `Audio ${i + 1}`, "audio"));
  }
  end(): bigint {
    return this.tracks.flatMap((t) => t.items).reduce((e, i) => (i.data.end > e ? i.data.end : e), 0n);
  }
  async getTimebase() {
    return this.timebase;
  }
  async getSequenceVideoTimeDisplayFormat() {
    return { type: this.displayFormat };
  }
  async getFrameSize() {
    return { ...this.size } as unknown as RectF;
  }
  async getPlayerPosition() {
    return tick(this.playhead);
  }
  async getInPoint() {
    return tick(this.inPoint);
  }
  async getOutPoint() {
    return tick(this.outPoint ?? this.end());
  }
  async getEndTime() {
    return tick(this.end());
  }
  async getVideoTrackCount() {
    return this.tracks.length;
  }
  async getVideoTrack(trackIndex: number): Promise<VideoTrack> {
    const track = this.tracks[trackIndex];
    if (!Number.isInteger(trackIndex) || !track) throw new Error(`Invalid video track index ${trackIndex} (0-based)`);
    return track as unknown as VideoTrack;
  }
  async getAudioTrackCount() {
    return this.audioTracks.length;
  }
  async getAudioTrack(trackIndex: number): Promise<AudioTrack> {
    const track = this.audioTracks[trackIndex];
    if (!Number.isInteger(trackIndex) || !track) throw new Error(`Invalid audio track index ${trackIndex} (0-based)`);
    return track as unknown as AudioTrack;
  }
  async getSelection() {
    return new FakeSelection(this.engine, [...this.selected]) as unknown as TrackItemSelection;
  }
  trackIndexOf(item: FakeTrackItem): number {
    const tracks = item instanceof FakeVideoItem ? this.tracks : this.audioTracks;
    return tracks.findIndex((t) => t.items.includes(item));
  }
  /** Premiere puts edits on frame boundaries: a start between frames lands on the nearest one. */
  snap(ticks: bigint): bigint {
    const frame = BigInt(this.timebase);
    return ((ticks + frame / 2n) / frame) * frame;
  }
  /** Overwrite: trims or splits what the range covers on the track; nothing else moves. */
  overwrite(track: FakeTrack, data: TrackItemData): FakeTrackItem {
    const kept: FakeTrackItem[] = [];
    for (const item of track.items) {
      const d = item.data;
      if (d.end <= data.start || d.start >= data.end) kept.push(item);
      else {
        if (d.start < data.start) kept.push(this.item({ ...d, end: data.start, outPoint: d.inPoint + (data.start - d.start) }, track.kind));
        if (d.end > data.end) kept.push(this.item({ ...d, start: data.end, inPoint: d.inPoint + (data.end - d.start) }, track.kind));
      }
    }
    const placed = this.item(data, track.kind);
    kept.push(placed);
    track.items = kept;
    return placed;
  }
  item(data: TrackItemData, kind: TrackKind = "video"): FakeTrackItem {
    const item: FakeTrackItem = kind === "video" ? new FakeVideoItem(data, () => this.trackIndexOf(item)) : new FakeTrackItem(data, () => this.trackIndexOf(item));
    return item;
  }
  /** Places a clip's video (and its audio, when the media has some) from `at`, linked like Premiere links them. */
  place(clip: FakeClip, at: bigint, video: FakeTrack, audio: FakeTrack | undefined): void {
    const inPoint = clip.markIn ?? 0n;
    const outPoint = clip.markOut ?? clip.durationTicks;
    const start = this.snap(at);
    const data = { name: clip.name, start, end: start + (outPoint - inPoint), inPoint, outPoint, clip, speed: 1 };
    const v = this.overwrite(video, data);
    if (clip.hasAudio && audio) {
      const a = this.overwrite(audio, { ...data });
      v.linked = [a];
      a.linked = [v];
    }
  }
}

const MEDIA_TYPE = { ANY: 0, VIDEO: 2, AUDIO: 3 } as const;

export class FakeEditor {
  constructor(
    private readonly engine: Engine,
    private readonly sequence: FakeSequence,
  ) {}
  private clipOf(projectItem: ProjectItem): FakeClip {
    const clip = projectItem as unknown as FakeClip;
    if (!(clip instanceof FakeClip)) this.engine.violate("edits take a clip project item");
    return clip;
  }
  createOverwriteItemAction(projectItem: ProjectItem, time: TickTime, videoTrackIndex: number, audioTrackIndex: number): Action {
    const at = ticksOf(this.engine, time);
    const clip = this.clipOf(projectItem);
    if (!Number.isInteger(videoTrackIndex) || videoTrackIndex < 0 || !Number.isInteger(audioTrackIndex) || audioTrackIndex < 0) {
      this.engine.violate("track indices are whole numbers from 0");
    }
    return this.engine.action("SequenceEditor.createOverwriteItemAction", () => {
      const seq = this.sequence;
      // Only insert makes new tracks (SequenceEditor docs); an overwrite past the last video track, or naming an audio
      // track that does not exist, is reported to "succeed" and place nothing.
      const video = seq.tracks[videoTrackIndex];
      const audio = seq.audioTracks[audioTrackIndex];
      if (!video || !audio || this.engine.dropOverwrites) return;
      seq.place(clip, at, video, audio);
    });
  }
  createRemoveItemsAction(selection: TrackItemSelection, ripple: boolean, mediaType: number): Action {
    if (ripple) this.engine.violate("a rippling removal moves the user's edit; Tessera never ripples");
    const fake = selection as unknown as FakeSelection;
    fake.check();
    // ANY takes the linked audio too; VIDEO or AUDIO only items of that kind
    const chosen = fake.items.flatMap((i) => (mediaType === MEDIA_TYPE.ANY ? [i, ...i.linked] : [i]));
    const items = chosen.filter((i) => mediaType !== MEDIA_TYPE.VIDEO || i instanceof FakeVideoItem).filter((i) => mediaType !== MEDIA_TYPE.AUDIO || !(i instanceof FakeVideoItem));
    return this.engine.action("SequenceEditor.createRemoveItemsAction", () => {
      for (const track of [...this.sequence.tracks, ...this.sequence.audioTracks]) track.items = track.items.filter((i) => !items.includes(i));
    });
  }
  /**
   * Insert moves everything after the edit point, so Tessera may use it only the documented way to add a track:
   * video and audio indices past the last tracks (new, empty tracks) and the shift limited to them.
   */
  createInsertProjectItemAction(projectItem: ProjectItem, time: TickTime, videoTrackIndex: number, audioTrackIndex: number, limitShift: boolean): Action {
    const at = ticksOf(this.engine, time);
    const clip = this.clipOf(projectItem);
    const seq = this.sequence;
    if (videoTrackIndex < seq.tracks.length || audioTrackIndex < seq.audioTracks.length || !limitShift) {
      this.engine.violate("insert edits ripple the sequence; Tessera inserts only onto new tracks with the shift limited");
    }
    return this.engine.action("SequenceEditor.createInsertProjectItemAction", () => {
      const video = new FakeTrack(this.engine, `Video ${seq.tracks.length + 1}`);
      seq.tracks.push(video);
      let audio: FakeTrack | undefined;
      if (clip.hasAudio) {
        audio = new FakeTrack(this.engine, `Audio ${seq.audioTracks.length + 1}`, "audio");
        seq.audioTracks.push(audio);
      }
      seq.place(clip, at, video, audio);
    });
  }
}
