/**
 * A simulated After Effects for the browser harness and the tests: the `app` object with its project, undo groups
 * and import, faithful to what host.jsx relies on (ae-scripting.docsforadobe.dev: Application.beginUndoGroup /
 * endUndoGroup, Project.importFile / itemByID / activeItem / rootFolder, ItemCollection.addFolder / addComp,
 * ImportOptions). Undo groups nest (only the outermost one makes an undo step) and an endUndoGroup without a
 * begin does nothing, as in After Effects.
 */
import {
  CompItem,
  FileSource,
  FolderItem,
  FootageItem,
  PlaceholderSource,
  SimFile,
  SimFolder,
  SolidSource,
  type Item,
  type MediaProbe,
  type ProjectLike,
  type SimDisk,
} from "./items.js";
import { AVLayer, type LayerState } from "./layers.js";

export interface SimAfterEffectsOptions {
  /** The saved project file; null for an untitled project. */
  projectPath?: string | null;
  /** Whether a file exists (File.exists); everything exists by default. */
  fileExists?: (path: string) => boolean;
  /** What an imported file holds; by default 60 s of 23.976 fps 1920x1080. */
  probe?: (path: string) => MediaProbe;
  /** The user's desktop (Folder.desktop). */
  desktop?: string;
  /** What the user does in a save dialog that suggests `suggested`: the path chosen, or null for Cancel; Save by default. */
  saveDialog?: (suggested: string) => string | null;
  /** Whether a file can be written there; everywhere by default. */
  canWrite?: (path: string) => boolean;
}

export class ImportOptions {
  constructor(public file: SimFile | null = null) {}
}

interface Snapshot {
  items: Item[];
  folders: Map<FolderItem, Item[]>;
  parents: Map<Item, FolderItem | null>;
  text: Map<Item, { name: string; comment: string }>;
  comps: Map<CompItem, { stack: AVLayer[]; layers: Map<AVLayer, LayerState> }>;
}

class ItemCollection {
  constructor(private readonly project: SimProject) {}
  get length(): number {
    return this.project.allItems.length;
  }
  addFolder(name: string): FolderItem {
    return this.project.adopt(new FolderItem(this.project, name));
  }
  addComp(name: string, width: number, height: number, _pixelAspect: number, duration: number, frameRate: number): CompItem {
    return this.project.adopt(new CompItem(this.project, name, width, height, duration, frameRate));
  }
}

export class SimProject implements ProjectLike {
  private lastId = 0;
  readonly allItems: Item[] = [];
  readonly rootFolder: FolderItem;
  readonly items = new ItemCollection(this);
  activeItem: Item | null = null;

  constructor(
    readonly file: SimFile | null,
    private readonly makeFile: (path: string) => SimFile,
    private readonly probe: (path: string) => MediaProbe,
  ) {
    this.rootFolder = new FolderItem(this, "Root");
  }

  nextId(): number {
    return ++this.lastId;
  }

  adopt<T extends Item>(item: T): T {
    this.allItems.push(item);
    item.parentFolder = this.rootFolder;
    return item;
  }

  forget(item: Item): void {
    const at = this.allItems.indexOf(item);
    if (at >= 0) this.allItems.splice(at, 1);
    if (this.activeItem === item) this.activeItem = null;
  }

  itemByID(id: number): Item | null {
    return this.allItems.find((item) => item.id === id) ?? null;
  }

  importFile(options: ImportOptions): FootageItem {
    const file = options?.file;
    if (!(file instanceof SimFile)) throw new Error("After Effects error: ImportOptions has no file.");
    if (!file.exists) throw new Error(`After Effects error: Unable to import “${file.fsName}”: file not found.`);
    const probe = this.probe(file.fsName);
    return this.adopt(new FootageItem(this, file.displayName, new FileSource(this.makeFile(file.fsName), probe.still === true), probe));
  }

  /** Footage that is not a file: what a harness placeholder or a missing file shows as. */
  addPlaceholder(name: string, duration: number, frameRate: number, width: number, height: number): FootageItem {
    return this.adopt(new FootageItem(this, name, new PlaceholderSource(), { duration, frameRate, width, height }));
  }

  addSolid(name: string, width: number, height: number): FootageItem {
    return this.adopt(new FootageItem(this, name, new SolidSource(), { duration: 0, frameRate: 0, width, height, still: true }));
  }
}

export interface UndoStep {
  label: string;
  snapshot: Snapshot;
}

export class SimApp {
  readonly project: SimProject;
  /** How many undo groups are open now. */
  undoDepth = 0;
  readonly undoHistory: UndoStep[] = [];
  private pending: { label: string; snapshot: Snapshot } | null = null;

  constructor(project: SimProject) {
    this.project = project;
  }

  beginUndoGroup(label: string): void {
    if (this.undoDepth === 0) this.pending = { label: String(label), snapshot: this.snapshot() };
    this.undoDepth++;
  }

  endUndoGroup(): void {
    if (this.undoDepth === 0) return;
    this.undoDepth--;
    if (this.undoDepth === 0 && this.pending) {
      this.undoHistory.push(this.pending);
      this.pending = null;
    }
  }

  /** Edit > Undo: puts the project back as it was before the last undo group. */
  undo(): string | null {
    const step = this.undoHistory.pop();
    if (!step) return null;
    this.restore(step.snapshot);
    return step.label;
  }

  private snapshot(): Snapshot {
    const items = [...this.project.allItems];
    const folders = new Map<FolderItem, Item[]>();
    const parents = new Map<Item, FolderItem | null>();
    const text = new Map<Item, { name: string; comment: string }>();
    const comps = new Map<CompItem, { stack: AVLayer[]; layers: Map<AVLayer, LayerState> }>();
    for (const item of [this.project.rootFolder, ...items]) {
      parents.set(item, item.storedParent);
      text.set(item, { name: item.name, comment: item.comment });
      if (item instanceof FolderItem) folders.set(item, [...item.children]);
      if (item instanceof CompItem) comps.set(item, { stack: [...item.stack], layers: new Map(item.stack.map((l) => [l, l.snapshot()])) });
    }
    return { items, folders, parents, text, comps };
  }

  private restore(snapshot: Snapshot): void {
    this.project.allItems.splice(0, this.project.allItems.length, ...snapshot.items);
    for (const [folder, children] of snapshot.folders) folder.children = [...children];
    for (const [item, parent] of snapshot.parents) item.storedParent = parent;
    for (const [item, { name, comment }] of snapshot.text) Object.assign(item, { name, comment });
    for (const [comp, { stack, layers }] of snapshot.comps) {
      comp.stack = [...stack];
      for (const [layer, state] of layers) layer.restore(state);
    }
  }
}

const DEFAULT_PROBE: MediaProbe = { duration: 60, frameRate: 24000 / 1001, width: 1920, height: 1080 };

/** One simulated After Effects: `app` and the classes host.jsx uses as globals. */
export class SimAfterEffects {
  readonly app: SimApp;
  readonly File: new (path: string) => SimFile;
  readonly disk: SimDisk;
  private readonly desktop: string;

  constructor(options: SimAfterEffectsOptions = {}) {
    const disk: SimDisk = {
      exists: options.fileExists ?? (() => true),
      chooseSave: options.saveDialog ?? ((suggested) => suggested),
      canWrite: options.canWrite ?? (() => true),
      written: new Map(),
    };
    this.disk = disk;
    this.desktop = options.desktop ?? "/Users/editor/Desktop";
    const File = class extends SimFile {
      constructor(path: string) {
        super(String(path), disk);
      }
    };
    this.File = File;
    const project = new SimProject(options.projectPath ? new File(options.projectPath) : null, (path) => new File(path), options.probe ?? (() => DEFAULT_PROBE));
    this.app = new SimApp(project);
  }

  get project(): SimProject {
    return this.app.project;
  }

  /** The globals host.jsx sees in After Effects' ExtendScript engine. */
  globals(): Record<string, unknown> {
    const File = this.File;
    return {
      app: this.app,
      CompItem,
      FootageItem,
      FolderItem,
      FileSource,
      SolidSource,
      PlaceholderSource,
      ImportOptions,
      File,
      Folder: { desktop: new SimFolder(this.desktop) },
      AVLayer,
    };
  }
}
