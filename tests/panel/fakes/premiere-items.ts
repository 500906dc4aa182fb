// Project-side fakes: clips, bins, the project with its lock, transactions and importFiles.
import type {
  Action,
  ClipProjectItem,
  CompoundAction,
  FolderItem,
  Guid,
  Project,
  ProjectItem,
  Sequence,
  TickTime,
} from "@adobe/premierepro";
import type { Engine } from "./premiere-engine.js";
import { FakeCompound, isThenable, tick, ticksOf, TYPE } from "./premiere-engine.js";
import type { FakeSequence } from "./premiere-timeline.js";

let nextId = 1;

export class FakeClip implements Pick<ClipProjectItem, "name" | "type" | "getMediaFilePath" | "isOffline" | "createSetInOutPointsAction" | "createClearInOutPointsAction"> {
  readonly type = TYPE.CLIP;
  readonly id = `item-${nextId++}`;
  markIn: bigint | null = null;
  markOut: bigint | null = null;
  xmp = "";
  projectMetadata = "";
  /** Whether getInPoint/getOutPoint answer (not every item is documented to). */
  inOutReadable = true;
  constructor(
    private readonly engine: Engine,
    readonly name: string,
    readonly path: string,
    readonly durationTicks: bigint,
    readonly fps: number | null,
    /** Media with an audio stream also lands on an audio track when it is edited in. */
    readonly hasAudio = false,
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
  /** The frames the item shows: its In/Out, or the whole media. */
  async getInPoint(mediaType: number): Promise<TickTime> {
    void mediaType;
    if (!this.inOutReadable) throw new Error("no In point for this media type");
    return tick(this.markIn ?? 0n);
  }
  async getOutPoint(mediaType: number): Promise<TickTime> {
    void mediaType;
    if (!this.inOutReadable) throw new Error("no Out point for this media type");
    return tick(this.markOut ?? this.durationTicks);
  }
  createClearInOutPointsAction(): Action {
    return this.engine.action("ClipProjectItem.createClearInOutPointsAction", () => {
      this.markIn = null;
      this.markOut = null;
    });
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
    // Whether Premiere rolls a mixed compound action back when one action fails is not confirmed, so the fake takes
    // the worst case: the actions before the failing one stay applied and the half-done step is on the undo list.
    let applied = 0;
    try {
      for (const action of compound.actions) {
        action.apply();
        applied++;
      }
    } catch {
      if (applied > 0) engine.undo.push(undoString as string);
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
      bin.items.push(new FakeClip(this.engine, name, path, 254016000000n * 10n, 24000 / 1001, this.engine.filesWithAudio.has(path)));
    }
    return true;
  }
}
