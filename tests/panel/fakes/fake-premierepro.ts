/**
 * A strict stand-in for Premiere's `premierepro` module, typed by @adobe/premierepro so every method it offers has
 * the real signature. It enforces what the Premiere notes document (and what Tessera promises), throwing a
 * RuleViolation where Premiere would misbehave:
 *  - actions are created inside `project.lockedAccess` and applied only by `executeTransaction` (26.3 rule);
 *    nothing is awaited inside: a callback that returns a promise, or an action created after the lock ended, fails
 *  - every transaction has an undo label; a throwing action rolls the whole transaction back
 *  - TickTime only from tick strings (createWithTicks with a decimal string)
 *  - importFiles resolves to a boolean only, throws "Illegal Parameter type" for an undefined bin, and "succeeds"
 *    without importing anything for a path that does not exist (as reported for Premiere)
 *  - video track indices are 0-based; an overwrite past the last track + 1 reports success and places nothing
 *  - no ripple: insert edits and rippling removals are violations
 */
import type {
  Action,
  ClipProjectItem,
  CompoundAction,
  FolderItem,
  FrameRate,
  Guid,
  Project,
  ProjectItem,
  RectF,
  Sequence,
  TickTime,
  TrackItemSelection,
  VideoClipTrackItem,
  VideoTrack,
  premierepro,
} from "@adobe/premierepro";

export class RuleViolation extends Error {
  override readonly name = "RuleViolation";
}

const TYPE = { CLIP: 1, BIN: 2, ROOT: 3 } as const;
const TRACK_ITEM_CLIP = 1;

// -- engine: the lock, the open transaction, the undo list ---------------------------------------------------------

export class Engine {
  inLock = false;
  transaction: FakeCompound | null = null;
  readonly undo: string[] = [];
  readonly files = new Set<string>();
  readonly importCalls: { paths: string[]; bin: unknown }[] = [];
  readonly exported: { ticks: string; filename: string; folder: string; width: number; height: number }[] = [];
  readonly schema: string[] = [];
  canExport = true;
  /** Premiere's reported quirk: an overwrite that "succeeds" and places nothing. */
  dropOverwrites = false;

  violate(message: string): never {
    throw new RuleViolation(message);
  }

  action(what: string, apply: () => void): Action {
    if (!this.inLock) this.violate(`${what} was created outside project.lockedAccess (Premiere 26.3 rule)`);
    return new FakeAction(what, apply) as unknown as Action;
  }
}

class FakeAction {
  constructor(
    readonly what: string,
    readonly apply: () => void,
  ) {}
}

class FakeCompound implements Pick<CompoundAction, "addAction" | "empty"> {
  readonly actions: FakeAction[] = [];
  open = true;
  constructor(private readonly engine: Engine) {}
  addAction(action: Action): boolean {
    if (!this.open) this.engine.violate("addAction after the transaction ended (was something awaited inside?)");
    if (!(action instanceof FakeAction)) this.engine.violate("addAction takes an action made by a create*Action call");
    this.actions.push(action);
    return true;
  }
  get empty(): boolean {
    return this.actions.length === 0;
  }
}

const isThenable = (v: unknown) => typeof (v as { then?: unknown } | null)?.then === "function";

// -- time ----------------------------------------------------------------------------------------------------------

export class FakeTickTime {
  constructor(readonly value: bigint) {}
  get ticks(): string {
    return this.value.toString();
  }
  get ticksNumber(): number {
    return Number(this.value);
  }
  get seconds(): number {
    return Number(this.value) / 254016000000;
  }
  equals(other: TickTime): boolean {
    return other.ticks === this.ticks;
  }
}
const tick = (value: bigint): TickTime => new FakeTickTime(value) as unknown as TickTime;
function ticksOf(engine: Engine, time: TickTime): bigint {
  if (!(time instanceof FakeTickTime)) engine.violate("times must be TickTime objects made from tick strings");
  return time.value;
}

// -- project items -------------------------------------------------------------------------------------------------

let nextId = 1;

export class FakeClip implements Pick<ClipProjectItem, "name" | "type" | "getMediaFilePath" | "isOffline" | "createSetInOutPointsAction"> {
  readonly type = TYPE.CLIP;
  readonly id = `item-${nextId++}`;
  markIn: bigint | null = null;
  markOut: bigint | null = null;
  xmp = "";
  projectMetadata = "";
  constructor(
    private readonly engine: Engine,
    readonly name: string,
    readonly path: string,
    readonly durationTicks: bigint,
    readonly fps: number | null,
  ) {}
  getId(): string {
    return this.id;
  }
  async getMediaFilePath(): Promise<string> {
    return this.path;
  }
  async isOffline(): Promise<boolean> {
    return false;
  }
  async getFootageInterpretation(): Promise<{ getFrameRate(): number }> {
    if (this.fps === null) throw new Error("no footage interpretation for synthetic media");
    const fps = this.fps;
    return { getFrameRate: () => fps };
  }
  createSetInOutPointsAction(inPoint: TickTime, outPoint: TickTime): Action {
    const [a, b] = [ticksOf(this.engine, inPoint), ticksOf(this.engine, outPoint)];
    return this.engine.action("ClipProjectItem.createSetInOutPointsAction", () => {
      if (b <= a || b > this.durationTicks) throw new Error("in/out outside the media");
      this.markIn = a;
      this.markOut = b;
    });
  }
}

export class FakeBin implements Pick<FolderItem, "name" | "type" | "getItems" | "createBinAction"> {
  readonly items: (FakeBin | FakeClip)[] = [];
  readonly id = `bin-${nextId++}`;
  constructor(
    private readonly engine: Engine,
    readonly name: string,
    readonly type: number = TYPE.BIN,
  ) {}
  getId(): string {
    return this.id;
  }
  async getItems(): Promise<ProjectItem[]> {
    return [...this.items] as unknown as ProjectItem[];
  }
  createBinAction(name: string, makeUnique: boolean): Action {
    return this.engine.action("FolderItem.createBinAction", () => {
      const taken = this.items.some((i) => i.name === name);
      this.items.push(new FakeBin(this.engine, taken && makeUnique ? `${name} 1` : name));
    });
  }
}

// -- timeline ------------------------------------------------------------------------------------------------------

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

class FakeSelection implements Pick<TrackItemSelection, "addItem" | "getTrackItems"> {
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
    >
{
  readonly tracks: FakeTrack[];
  selected: FakeTrackItem[] = [];
  playhead = 0n;
  inPoint = 0n;
  outPoint: bigint | null = null;
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

class FakeEditor {
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

export class FakeProject implements Pick<Project, "name" | "path" | "lockedAccess" | "executeTransaction" | "importFiles"> {
  readonly root: FakeBin;
  readonly guid = { toString: () => "project-guid-1" } as unknown as Guid;
  sequence: FakeSequence | null = null;
  constructor(
    private readonly engine: Engine,
    readonly name: string,
    readonly path: string,
  ) {
    this.root = new FakeBin(engine, "root", TYPE.ROOT);
  }
  async getActiveSequence() {
    return this.sequence as unknown as Sequence;
  }
  async getRootItem() {
    return this.root as unknown as FolderItem;
  }
  lockedAccess(callback: () => void): void {
    if (this.engine.inLock) this.engine.violate("lockedAccess is not re-entrant here");
    this.engine.inLock = true;
    let result: unknown;
    try {
      result = callback();
    } finally {
      this.engine.inLock = false;
    }
    if (isThenable(result)) this.engine.violate("the lockedAccess callback returned a promise: nothing may be awaited inside");
  }
  executeTransaction(callback: (compoundAction: CompoundAction) => void, undoString?: string): boolean {
    const engine = this.engine;
    if (!engine.inLock) engine.violate("executeTransaction outside lockedAccess");
    if (!undoString) engine.violate("every transaction needs an undo label");
    const compound = new FakeCompound(engine);
    engine.transaction = compound;
    let result: unknown;
    try {
      result = callback(compound as unknown as CompoundAction);
    } finally {
      compound.open = false;
      engine.transaction = null;
    }
    if (isThenable(result)) engine.violate("the transaction callback returned a promise: nothing may be awaited inside");
    const before = this.snapshot();
    try {
      for (const action of compound.actions) action.apply();
    } catch {
      this.restore(before);
      return false;
    }
    engine.undo.push(undoString as string);
    return true;
  }
  async importFiles(filePaths: string[], suppressUI?: boolean, targetBin?: ProjectItem, asNumberedStills?: boolean): Promise<boolean> {
    // the documented failure needs an explicit undefined, which only `arguments` can tell from a missing one
    if (arguments.length >= 3 && targetBin === undefined) throw new Error("Illegal Parameter type");
    if (!Array.isArray(filePaths) || filePaths.some((p) => typeof p !== "string")) throw new Error("Illegal Parameter type");
    void suppressUI;
    void asNumberedStills;
    const bin = (targetBin ?? this.root) as unknown as FakeBin;
    this.engine.importCalls.push({ paths: [...filePaths], bin });
    for (const path of filePaths) {
      if (!this.engine.files.has(path)) continue; // "success", nothing imported
      const name = path.split(/[\\/]/).pop() ?? path;
      bin.items.push(new FakeClip(this.engine, name, path, 254016000000n * 10n, 24000 / 1001));
    }
    return true;
  }
  private snapshot() {
    const seq = this.sequence;
    return seq ? seq.tracks.map((t) => [...t.items]) : [];
  }
  private restore(tracks: FakeVideoItem[][]) {
    const seq = this.sequence;
    if (!seq) return;
    seq.tracks.length = tracks.length;
    tracks.forEach((items, i) => {
      const t = seq.tracks[i];
      if (t) t.items = items;
    });
  }
}

// -- the module ----------------------------------------------------------------------------------------------------

export interface FakePremiere {
  ppro: premierepro;
  engine: Engine;
  project: FakeProject;
  /** No project open from now on. */
  closeProject(): void;
}

export function createFakePremiere(options: { projectPath?: string; timebase?: string; tracks?: number } = {}): FakePremiere {
  const engine = new Engine();
  const project = new FakeProject(engine, "Edit.prproj", options.projectPath ?? "/Volumes/Work/Edit/Edit.prproj");
  project.sequence = new FakeSequence(engine, "Sequence 01", options.timebase ?? "10594584000", { width: 1920, height: 1080 }, options.tracks ?? 2);
  let active: FakeProject | null = project;

  const TickTimeStatic: Pick<premierepro["TickTime"], "createWithTicks" | "createWithSeconds" | "createWithFrameAndFrameRate"> = {
    createWithTicks(ticks: string): TickTime {
      if (typeof ticks !== "string" || !/^-?\d+$/.test(ticks)) engine.violate(`createWithTicks takes a decimal tick string, got ${String(ticks)}`);
      return tick(BigInt(ticks));
    },
    createWithSeconds(seconds: number): TickTime {
      return engine.violate(`seconds lose precision (${seconds}); make times from tick strings`);
    },
    createWithFrameAndFrameRate(frameCount: number, frameRate: FrameRate): TickTime {
      void frameRate;
      return engine.violate(`frame ${frameCount}: make times from tick strings`);
    },
  };
  const ProjectStatic: Pick<premierepro["Project"], "getActiveProject"> = {
    async getActiveProject() {
      return active as unknown as Project;
    },
  };
  const cast = <T>(kind: number, what: string) => (item: unknown): T => {
    if ((item as { type?: number } | null)?.type !== kind) throw new Error(`cannot cast to ${what}`);
    return item as T;
  };
  const ppro = {
    Project: ProjectStatic,
    TickTime: TickTimeStatic,
    ProjectItem: {
      cast: (item: unknown) => item as ProjectItem,
      TYPE_CLIP: TYPE.CLIP,
      TYPE_BIN: TYPE.BIN,
      TYPE_ROOT: TYPE.ROOT,
      TYPE_FILE: 4,
      TYPE_STYLE: 5,
      TYPE_COMPOUND: 6,
    } satisfies premierepro["ProjectItem"],
    ClipProjectItem: { cast: cast<ClipProjectItem>(TYPE.CLIP, "ClipProjectItem") } satisfies premierepro["ClipProjectItem"],
    FolderItem: {
      cast: (item: ProjectItem): FolderItem => {
        const type = (item as { type?: number }).type;
        if (type !== TYPE.BIN && type !== TYPE.ROOT) throw new Error("cannot cast to FolderItem");
        return item as unknown as FolderItem;
      },
    } satisfies premierepro["FolderItem"],
    TrackItemSelection: {
      createEmptySelection(callback0: (selection: TrackItemSelection) => void): boolean {
        callback0(new FakeSelection() as unknown as TrackItemSelection);
        return true;
      },
    } satisfies premierepro["TrackItemSelection"],
    SequenceEditor: {
      getEditor: (sequence: Sequence) => new FakeEditor(engine, sequence as unknown as FakeSequence) as unknown as ReturnType<premierepro["SequenceEditor"]["getEditor"]>,
    } satisfies Pick<premierepro["SequenceEditor"], "getEditor">,
    Metadata: {
      METADATA_TYPE_INTEGER: 0,
      METADATA_TYPE_REAL: 1,
      METADATA_TYPE_TEXT: 2,
      METADATA_TYPE_BOOLEAN: 3,
      async getXMPMetadata(projectItem: ProjectItem) {
        return (projectItem as unknown as FakeClip).xmp;
      },
      createSetXMPMetadataAction(projectItem: ProjectItem, metadata: string): Action {
        return engine.action("Metadata.createSetXMPMetadataAction", () => {
          (projectItem as unknown as FakeClip).xmp = metadata;
        });
      },
      createSetProjectMetadataAction(projectItem: ProjectItem, metadata: string, updatedFields: string[]): Action {
        return engine.action("Metadata.createSetProjectMetadataAction", () => {
          if (updatedFields.some((f) => !engine.schema.includes(f))) throw new Error("field not in the project metadata schema");
          (projectItem as unknown as FakeClip).projectMetadata = metadata;
        });
      },
      async addPropertyToProjectMetadataSchema(name: string, label: string, type: number) {
        void label;
        void type;
        if (!engine.schema.includes(name)) engine.schema.push(name);
        return true;
      },
    } satisfies Pick<
      premierepro["Metadata"],
      | "getXMPMetadata"
      | "createSetXMPMetadataAction"
      | "createSetProjectMetadataAction"
      | "addPropertyToProjectMetadataSchema"
      | "METADATA_TYPE_INTEGER"
      | "METADATA_TYPE_REAL"
      | "METADATA_TYPE_TEXT"
      | "METADATA_TYPE_BOOLEAN"
    >,
    Exporter: {
      async exportSequenceFrame(sequence: Sequence, time: TickTime, filename: string, filepath: string, width: number, height: number) {
        void sequence;
        engine.exported.push({ ticks: ticksOf(engine, time).toString(), filename, folder: filepath, width, height });
        return engine.canExport;
      },
    } satisfies premierepro["Exporter"],
    Constants: {
      TrackItemType: { EMPTY: 0, CLIP: TRACK_ITEM_CLIP, TRANSITION: 2, PREVIEW: 3, FEEDBACK: 4 },
      MediaType: { ANY: 0, DATA: 1, VIDEO: 2, AUDIO: 3 },
    },
  };
  return {
    ppro: ppro as unknown as premierepro,
    engine,
    project,
    closeProject: () => {
      active = null;
    },
  };
}
