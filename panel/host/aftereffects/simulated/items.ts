/**
 * After Effects' project items as ExtendScript sees them (ae-scripting.docsforadobe.dev: Item, FolderItem,
 * FootageItem, CompItem, FileSource, SolidSource, PlaceholderSource): 1-based collections, ids that stay with an
 * item, `parentFolder` that moves it. Layers are in layers.ts; the application and undo in app.ts.
 */
import type { AVLayer } from "./layers.js";
import { LayerCollection } from "./layers.js";

/** What the simulated import knows about a file (a real After Effects reads it from the file). */
export interface MediaProbe {
  duration: number;
  frameRate: number;
  width: number;
  height: number;
  still?: boolean;
}

export interface ProjectLike {
  nextId(): number;
  rootFolder: FolderItem;
  forget(item: Item): void;
}

/**
 * The disk as the simulated File sees it: which files exist, what the user picks in a save dialog, which folders
 * can be written, and what was written (with the encoding it was written in).
 */
export interface SimDisk {
  exists(path: string): boolean;
  /** The path chosen in a save dialog that suggests `suggested`; null for Cancel. */
  chooseSave(suggested: string): string | null;
  canWrite(path: string): boolean;
  readonly written: Map<string, { text: string; encoding: string }>;
}

/** ExtendScript's File: a path, plus the dialog and text writing host.jsx uses to save the panel's log. */
export class SimFile {
  readonly fsName: string;
  /** ExtendScript writes in the system's encoding unless told otherwise. */
  encoding = "CP1252";
  /** The last error, as File.error gives it. */
  error = "";
  private openFor: string | null = null;
  constructor(
    path: string,
    private readonly disk: SimDisk,
  ) {
    this.fsName = path;
  }
  /** The name as shown. */
  get displayName(): string {
    return this.fsName.split(/[\\/]/).pop() ?? this.fsName;
  }
  /** ExtendScript's File.name is URI-encoded. */
  get name(): string {
    return encodeURIComponent(this.displayName);
  }
  get exists(): boolean {
    return this.disk.exists(this.fsName) || this.disk.written.has(this.fsName);
  }
  /** File.saveDlg: the platform's save dialog, starting at this file; the file chosen, or null for Cancel. */
  saveDlg(_prompt?: string, _filter?: string): SimFile | null {
    const chosen = this.disk.chooseSave(this.fsName);
    return chosen === null ? null : new SimFile(chosen, this.disk);
  }
  /** File.open: "w" makes the file empty (or new); false, with `error` set, when the folder cannot be written. */
  open(mode: string): boolean {
    if (mode !== "w") throw new Error(`After Effects error: the simulated File opens for writing only, not "${mode}".`);
    if (!this.disk.canWrite(this.fsName)) {
      this.error = "Permission denied";
      return false;
    }
    this.disk.written.set(this.fsName, { text: "", encoding: this.encoding });
    this.openFor = mode;
    return true;
  }
  write(...text: string[]): boolean {
    const file = this.disk.written.get(this.fsName);
    if (this.openFor !== "w" || !file) {
      this.error = "File is not open";
      return false;
    }
    file.text += text.join("");
    return true;
  }
  close(): boolean {
    const open = this.openFor !== null;
    this.openFor = null;
    return open;
  }
  remove(): boolean {
    return this.disk.written.delete(this.fsName);
  }
}

/** ExtendScript's Folder, as far as host.jsx uses it: where the user's desktop is. */
export class SimFolder {
  constructor(readonly fsName: string) {}
}

export class FileSource {
  constructor(
    readonly file: SimFile,
    readonly isStill: boolean,
  ) {}
}
export class SolidSource {
  readonly isStill = true;
}
export class PlaceholderSource {
  readonly isStill = false;
}

export abstract class Item {
  readonly id: number;
  comment = "";
  private parent: FolderItem | null = null;

  constructor(
    protected readonly project: ProjectLike,
    public name: string,
  ) {
    this.id = project.nextId();
  }

  abstract readonly typeName: string;

  get parentFolder(): FolderItem {
    return this.parent ?? this.project.rootFolder;
  }

  set parentFolder(folder: FolderItem) {
    if (!(folder instanceof FolderItem)) throw new Error("After Effects error: parentFolder must be a FolderItem.");
    this.parent?.children.splice(this.parent.children.indexOf(this), 1);
    this.parent = folder;
    folder.children.push(this);
  }

  /** Item.remove(): out of the project (a folder with everything in it). */
  remove(): void {
    if (this instanceof FolderItem) for (const child of [...this.children]) child.remove();
    this.parent?.children.splice(this.parent.children.indexOf(this), 1);
    this.parent = null;
    this.project.forget(this);
  }

  /** For undo: the folder as stored (null: the root), set without touching the folders' lists. */
  get storedParent(): FolderItem | null {
    return this.parent;
  }
  set storedParent(folder: FolderItem | null) {
    this.parent = folder;
  }
}

export class FolderItem extends Item {
  readonly typeName = "Folder";
  children: Item[] = [];
  get numItems(): number {
    return this.children.length;
  }
  item(index: number): Item {
    const found = this.children[index - 1];
    if (!found) throw new Error(`After Effects error: index ${index} out of range.`);
    return found;
  }
}

export class FootageItem extends Item {
  readonly typeName = "Footage";
  readonly hasVideo = true;
  footageMissing = false;
  constructor(
    project: ProjectLike,
    name: string,
    readonly mainSource: FileSource | SolidSource | PlaceholderSource,
    readonly probe: MediaProbe,
  ) {
    super(project, name);
  }
  get file(): SimFile | null {
    return this.mainSource instanceof FileSource ? this.mainSource.file : null;
  }
  get frameRate(): number {
    return this.probe.still ? 0 : this.probe.frameRate;
  }
  get duration(): number {
    return this.probe.still ? 0 : this.probe.duration;
  }
  get width(): number {
    return this.probe.width;
  }
  get height(): number {
    return this.probe.height;
  }
}

export class CompItem extends Item {
  readonly typeName = "Composition";
  readonly hasVideo = true;
  time = 0;
  workAreaStart = 0;
  /** CompItem.dropFrame: the comp shows drop-frame timecode. */
  dropFrame = false;
  workAreaDuration: number;
  /** The stack, top first (index 1). */
  stack: AVLayer[] = [];
  readonly layers: LayerCollection;

  constructor(
    project: ProjectLike,
    name: string,
    public width: number,
    public height: number,
    public duration: number,
    public frameRate: number,
  ) {
    super(project, name);
    this.workAreaDuration = duration;
    this.layers = new LayerCollection(this, () => project.nextId());
  }
  get frameDuration(): number {
    return 1 / this.frameRate;
  }
  get numLayers(): number {
    return this.stack.length;
  }
  layer(index: number): AVLayer {
    const found = this.stack[index - 1];
    if (!found) throw new Error(`After Effects error: layer index ${index} out of range.`);
    return found;
  }
  get selectedLayers(): AVLayer[] {
    return this.stack.filter((l) => l.selected);
  }
}
