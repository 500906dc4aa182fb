// Timeline-side fakes: track items, tracks, the selection, the sequence and its editor (overwrite only).
import type {
  Action,
  Guid,
  ProjectItem,
  RectF,
  Sequence,
  TickTime,
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

export class FakeTrackItem
  implements
    Pick<
      VideoClipTrackItem,
      "getName" | "getTrackIndex" | "getStartTime" | "getEndTime" | "getInPoint" | "getOutPoint" | "getSpeed" | "isSpeedReversed" | "getProjectItem"
    >
{
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
  items: FakeVideoItem[] = [];
  constructor(
    private readonly engine: Engine,
    readonly name: string,
  ) {}
  getTrackItems(trackItemType: number, includeEmptyTrackItems: boolean): VideoClipTrackItem[] {
    if (trackItemType !== TRACK_ITEM_CLIP) this.engine.violate("read clips with Constants.TrackItemType.CLIP");
    void includeEmptyTrackItems;
    return [...this.items].sort((a, b) => (a.data.start < b.data.start ? -1 : 1)) as unknown as VideoClipTrackItem[];
  }
}

export class FakeSelection implements Pick<TrackItemSelection, "addItem" | "getTrackItems"> {
  constructor(readonly items: FakeTrackItem[] = []) {}
  addItem(trackItem: VideoClipTrackItem): boolean {
    this.items.push(trackItem as unknown as FakeTrackItem);
    return true;
  }
  async getTrackItems() {
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
      | "getSelection"
      | "getSequenceVideoTimeDisplayFormat"
    >
{
  readonly tracks: FakeTrack[];
  selected: FakeTrackItem[] = [];
  playhead = 0n;
  inPoint = 0n;
  outPoint: bigint | null = null;
  /** The audio track index of every overwrite, in order (where a file's sound would go). */
  readonly audioTargets: number[] = [];
  /** Premiere's time display code: 110 is 23.976 timecode, 102 is 29.97 drop-frame. */
  displayFormat = 110;
  readonly guid = { toString: () => "seq-guid-1" } as unknown as Guid;
  constructor(
    private readonly engine: Engine,
    readonly name: string,
    readonly timebase: string,
    readonly size: { width: number; height: number },
    trackCount: number,
  ) {
    this.tracks = Array.from({ length: trackCount }, (_, i) => new FakeTrack(engine, `Video ${i + 1}`));
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
  async getSelection() {
    return new FakeSelection([...this.selected]) as unknown as TrackItemSelection;
  }
  trackIndexOf(item: FakeTrackItem): number {
    return this.tracks.findIndex((t) => t.items.includes(item as FakeVideoItem));
  }
  /** Overwrite: trims or splits what the range covers on the track; nothing else moves. */
  overwrite(index: number, data: TrackItemData): void {
    const track = this.tracks[index];
    if (!track) return;
    const kept: FakeVideoItem[] = [];
    for (const item of track.items) {
      const d = item.data;
      if (d.end <= data.start || d.start >= data.end) kept.push(item);
      else {
        if (d.start < data.start) kept.push(this.item({ ...d, end: data.start, outPoint: d.inPoint + (data.start - d.start) }));
        if (d.end > data.end) kept.push(this.item({ ...d, start: data.end, inPoint: d.inPoint + (data.end - d.start) }));
      }
    }
    kept.push(this.item(data));
    track.items = kept;
  }
  item(data: TrackItemData): FakeVideoItem {
    const item: FakeVideoItem = new FakeVideoItem(data, () => this.trackIndexOf(item));
    return item;
  }
}

export class FakeEditor {
  constructor(
    private readonly engine: Engine,
    private readonly sequence: FakeSequence,
  ) {}
  createOverwriteItemAction(projectItem: ProjectItem, time: TickTime, videoTrackIndex: number, audioTrackIndex: number): Action {
    const at = ticksOf(this.engine, time);
    const clip = projectItem as unknown as FakeClip;
    if (!(clip instanceof FakeClip)) this.engine.violate("overwrite takes a clip project item");
    if (!Number.isInteger(videoTrackIndex) || videoTrackIndex < 0 || audioTrackIndex < 0) {
      this.engine.violate("track indices are whole numbers from 0");
    }
    return this.engine.action("SequenceEditor.createOverwriteItemAction", () => {
      const seq = this.sequence;
      if (videoTrackIndex > seq.tracks.length || this.engine.dropOverwrites) return; // "succeeds", places nothing
      if (videoTrackIndex === seq.tracks.length) seq.tracks.push(new FakeTrack(this.engine, `Video ${videoTrackIndex + 1}`));
      const inPoint = clip.markIn ?? 0n;
      const outPoint = clip.markOut ?? clip.durationTicks;
      seq.audioTargets.push(audioTrackIndex);
      seq.overwrite(videoTrackIndex, { name: clip.name, start: at, end: at + (outPoint - inPoint), inPoint, outPoint, clip, speed: 1 });
    });
  }
  createRemoveItemsAction(selection: TrackItemSelection, ripple: boolean, mediaType: number): Action {
    if (ripple) this.engine.violate("a rippling removal moves the user's edit; Tessera never ripples");
    void mediaType;
    const items = (selection as unknown as FakeSelection).items;
    return this.engine.action("SequenceEditor.createRemoveItemsAction", () => {
      for (const track of this.sequence.tracks) track.items = track.items.filter((i) => !items.includes(i));
    });
  }
  createInsertProjectItemAction(): Action {
    this.engine.violate("insert edits ripple the sequence; Tessera only overwrites");
  }
}

