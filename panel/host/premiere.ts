/**
 * EditorHost on Premiere Pro's UXP API: the only file that touches `require("premierepro")`.
 *
 * Rules this file follows (see the Premiere UXP notes): every getter is async, so everything a transaction needs
 * is fetched first; actions are created inside `project.lockedAccess` and applied in one `executeTransaction`
 * with the undo label, and nothing is awaited in between; times go in as tick strings; `importFiles` answers only
 * true/false, so the new item is looked up in its bin afterwards (and a reported success that imported nothing is
 * caught); track indices are 0-based; every edit is read back from the timeline because Premiere can report
 * success for an edit that placed nothing.
 */
import type {
  Action,
  ClipProjectItem,
  FolderItem,
  Project,
  ProjectItem,
  Sequence,
  TickTime,
  TrackItemSelection,
  VideoClipTrackItem,
  premierepro,
} from "@adobe/premierepro";
import { reduce, snapFrameRate, parseFrameRate, TICKS_PER_SECOND, type FrameRate } from "../../shared/time.js";
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
import { PROJECT_COLUMN, projectColumnMetadata, withTesseraXmp } from "./metadata.js";
import { baseName, joinPath, samePath } from "./paths.js";

export interface PremiereHostOptions {
  /** How often subscribers are told to re-read the sequence: Premiere has no playhead event. */
  pollMs?: number;
  /** Makes a folder (with parents); the entry point passes UXP's fs. Frames are not rendered without it. */
  makeFolder?: (path: string) => Promise<void>;
  /** Largest width of frames rendered for conditioning: the model works far below the sequence size. */
  renderWidth?: number;
  /** How long to look for an imported item before giving up, in ms. */
  importWaitMs?: number;
}

/** Loads Premiere's module; call only inside Premiere. */
export function loadPremiere(): premierepro {
  // UXP provides host modules only through its global require; the bundle keeps this call as it is.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("premierepro") as premierepro;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function ticksOf(time: TickTime): Ticks {
  return BigInt(time.ticks);
}

/** Premiere's timebase is ticks per frame as a decimal string: 10594584000 is 24000/1001. */
export function frameRateFromTimebase(timebase: string): FrameRate {
  const ticksPerFrame = Number(timebase);
  if (!Number.isSafeInteger(ticksPerFrame) || ticksPerFrame <= 0) {
    throw new HostError(`Premiere reported a sequence timebase of "${timebase}", which is not a frame duration.`);
  }
  return snapFrameRate(reduce({ num: Number(TICKS_PER_SECOND), den: ticksPerFrame }));
}

/** An In/Out pair Premiere reports for a sequence without one covers everything (or is invalid): that is "none". */
// Premiere's time display codes (TimeDisplay.type), as its scripting constants number them: 102 is 29.97 drop-frame
// timecode and 106 is 59.94 drop-frame; every other code counts whole frames.
const DROP_FRAME_DISPLAYS: ReadonlySet<number> = new Set([102, 106]);

/** Whether the sequence shows drop-frame timecode; false where this Premiere cannot say. */
async function displaysDropFrame(sequence: Sequence): Promise<boolean> {
  const read = (sequence as Partial<Pick<Sequence, "getSequenceVideoTimeDisplayFormat">>).getSequenceVideoTimeDisplayFormat;
  if (typeof read !== "function") return false;
  try {
    return DROP_FRAME_DISPLAYS.has((await read.call(sequence)).type);
  } catch {
    return false;
  }
}

function inOutRange(inPoint: Ticks, outPoint: Ticks, end: Ticks): { inPoint: Ticks | null; outPoint: Ticks | null } {
  const unset = inPoint < 0n || outPoint <= inPoint || (inPoint === 0n && outPoint >= end);
  return unset ? { inPoint: null, outPoint: null } : { inPoint, outPoint };
}

function isVideoItem(item: { getTrackIndex(): Promise<number> }): item is VideoClipTrackItem {
  // Only video track items can take video transitions; audio items lack the method.
  return typeof (item as Partial<VideoClipTrackItem>).createAddVideoTransitionAction === "function";
}

export class PremiereHost implements EditorHost {
  readonly name = "Premiere Pro";
  private readonly items = new Map<string, ProjectItem>();
  private columnReady: Promise<boolean> | null = null;
  private readonly options: Required<Omit<PremiereHostOptions, "makeFolder">> & Pick<PremiereHostOptions, "makeFolder">;

  constructor(
    private readonly ppro: premierepro,
    options: PremiereHostOptions = {},
  ) {
    this.options = {
      pollMs: options.pollMs ?? 500,
      renderWidth: options.renderWidth ?? 640,
      importWaitMs: options.importWaitMs ?? 3000,
      makeFolder: options.makeFolder,
    };
  }

  // -- reading -------------------------------------------------------------------------------------------------

  private async activeProject(): Promise<Project> {
    const project = await this.ppro.Project.getActiveProject();
    if (!project) throw new HostError("No project is open in Premiere Pro.");
    return project;
  }

  private async activeSequence(project: Project): Promise<Sequence> {
    const sequence = await project.getActiveSequence();
    if (!sequence) throw new HostError("No sequence is open: open one in the Timeline panel.");
    return sequence;
  }

  async getProject(): Promise<ProjectInfo | null> {
    const project = await this.ppro.Project.getActiveProject();
    if (!project) return null;
    return { id: project.guid.toString(), name: project.name, path: project.path || null };
  }

  async getSequence(): Promise<SequenceInfo | null> {
    const project = await this.ppro.Project.getActiveProject();
    if (!project) return null;
    const sequence = await project.getActiveSequence();
    if (!sequence) return null;
    const [timebase, size, playhead, inPoint, outPoint, end, videoTrackCount, dropFrame] = await Promise.all([
      sequence.getTimebase(),
      sequence.getFrameSize(),
      sequence.getPlayerPosition(),
      sequence.getInPoint(),
      sequence.getOutPoint(),
      sequence.getEndTime(),
      sequence.getVideoTrackCount(),
      displaysDropFrame(sequence),
    ]);
    return {
      id: sequence.guid.toString(),
      name: sequence.name,
      fps: frameRateFromTimebase(timebase),
      width: Math.round(size.width),
      height: Math.round(size.height),
      playhead: ticksOf(playhead),
      ...inOutRange(ticksOf(inPoint), ticksOf(outPoint), ticksOf(end)),
      videoTrackCount,
      ...(dropFrame ? { dropFrame } : {}),
    };
  }

  private async clipInfo(item: VideoClipTrackItem): Promise<ClipInfo> {
    const [name, track, start, end, inPoint, outPoint, speed, reversed, projectItem] = await Promise.all([
      item.getName(),
      item.getTrackIndex(),
      item.getStartTime(),
      item.getEndTime(),
      item.getInPoint(),
      item.getOutPoint(),
      item.getSpeed(),
      item.isSpeedReversed(),
      item.getProjectItem(),
    ]);
    const media = await this.mediaOf(projectItem);
    return {
      id: `${track}:${start.ticks}`,
      name,
      track,
      start: ticksOf(start),
      end: ticksOf(end),
      inPoint: ticksOf(inPoint),
      outPoint: ticksOf(outPoint),
      speed: Math.abs(speed) || 1,
      reversed: Boolean(reversed) || speed < 0,
      ...media,
    };
  }

  /** Path, frame rate and offline state; colour mattes, slugs and titles have no media file. */
  private async mediaOf(projectItem: ProjectItem): Promise<Pick<ClipInfo, "mediaPath" | "mediaFps" | "offline">> {
    if (projectItem.type !== this.ppro.ProjectItem.TYPE_CLIP) return { mediaPath: null, mediaFps: null, offline: false };
    const clip = this.ppro.ClipProjectItem.cast(projectItem);
    try {
      const [offline, path] = await Promise.all([clip.isOffline(), clip.getMediaFilePath()]);
      let mediaFps: FrameRate | null = null;
      try {
        const fps = (await clip.getFootageInterpretation()).getFrameRate();
        mediaFps = fps > 0 ? parseFrameRate(fps) : null;
      } catch {
        mediaFps = null; // synthetic media has no interpretation
      }
      return { mediaPath: path && !offline ? path : null, mediaFps, offline };
    } catch {
      return { mediaPath: null, mediaFps: null, offline: false };
    }
  }

  async getSelection(): Promise<ClipInfo[]> {
    const sequence = await this.activeSequence(await this.activeProject());
    const selection = await sequence.getSelection();
    const items = await selection.getTrackItems();
    const video = items.filter(isVideoItem);
    // Linked audio is selected with its video (Premiere's linked selection): the audio item over the same range
    // tells which audio track the clip's sound is on, where the sound of an extension belongs.
    const audio = await Promise.all(
      items.filter((item) => !isVideoItem(item)).map(async (item) => ({ start: ticksOf(await item.getStartTime()), end: ticksOf(await item.getEndTime()), track: await item.getTrackIndex() })),
    );
    const clips = await Promise.all(
      video.map(async (item) => {
        const info = await this.clipInfo(item);
        const linked = audio.find((a) => a.start === info.start && a.end === info.end);
        return linked ? { ...info, audioTrack: linked.track } : info;
      }),
    );
    return clips.sort((a, b) => a.track - b.track || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  }

  private async trackItems(sequence: Sequence, index: number): Promise<VideoClipTrackItem[]> {
    const track = await sequence.getVideoTrack(index);
    return track.getTrackItems(this.ppro.Constants.TrackItemType.CLIP, false);
  }

  async getVideoTracks(): Promise<TrackInfo[]> {
    const sequence = await this.activeSequence(await this.activeProject());
    const count = await sequence.getVideoTrackCount();
    const tracks: TrackInfo[] = [];
    for (let index = 0; index < count; index++) {
      const track = await sequence.getVideoTrack(index);
      const items = track.getTrackItems(this.ppro.Constants.TrackItemType.CLIP, false);
      const clips = await Promise.all(items.map((item) => this.clipInfo(item)));
      tracks.push({ index, name: track.name || `V${index + 1}`, clips });
    }
    return tracks;
  }

  async renderFrames(times: Ticks[], folder: string): Promise<string[] | null> {
    if (!this.options.makeFolder) return null;
    const project = await this.activeProject();
    const sequence = await this.activeSequence(project);
    const size = await sequence.getFrameSize();
    const width = Math.min(this.options.renderWidth, Math.round(size.width));
    const height = Math.max(2, Math.round((size.height * width) / size.width / 2) * 2);
    try {
      await this.options.makeFolder(folder);
      const paths: string[] = [];
      for (const [i, time] of times.entries()) {
        const name = `frame_${String(i).padStart(3, "0")}.png`;
        const at = this.ppro.TickTime.createWithTicks(time.toString());
        const ok = await this.ppro.Exporter.exportSequenceFrame(sequence, at, name, folder, width, height);
        if (!ok) return null;
        paths.push(joinPath(folder, name));
      }
      return paths;
    } catch {
      return null; // the workflow falls back to the source media's frames
    }
  }

  // -- importing -----------------------------------------------------------------------------------------------

  private async findBin(root: FolderItem, name: string): Promise<FolderItem | null> {
    for (const item of await root.getItems()) {
      if (item.type === this.ppro.ProjectItem.TYPE_BIN && item.name === name) return this.ppro.FolderItem.cast(item);
    }
    return null;
  }

  private async findInBin(bin: FolderItem, path: string): Promise<ProjectItem | null> {
    for (const item of await bin.getItems()) {
      if (item.type !== this.ppro.ProjectItem.TYPE_CLIP) continue;
      const clip: ClipProjectItem = this.ppro.ClipProjectItem.cast(item);
      if (samePath(await clip.getMediaFilePath(), path)) return item;
    }
    return null;
  }

  private async binFor(project: Project, name: string): Promise<FolderItem> {
    const root = await project.getRootItem();
    const found = await this.findBin(root, name);
    if (found) return found;
    let committed = false;
    project.lockedAccess(() => {
      committed = project.executeTransaction((compound) => {
        compound.addAction(root.createBinAction(name, false));
      }, `Tessera: create bin "${name}"`);
    });
    const made = committed ? await this.findBin(root, name) : null;
    if (!made) throw new HostError(`Premiere could not create the bin "${name}".`);
    return made;
  }

  private remember(item: ProjectItem, path: string): MediaItem {
    const media = { id: item.getId(), name: item.name || baseName(path), path };
    this.items.set(media.id, item);
    return media;
  }

  async importMedia(path: string, binName: string): Promise<MediaItem> {
    const project = await this.activeProject();
    const bin = await this.binFor(project, binName);
    const existing = await this.findInBin(bin, path);
    if (existing) return this.remember(existing, path);
    // suppressUI: no dialogs; the bin is passed explicitly (undefined throws "Illegal Parameter type").
    const ok = await project.importFiles([path], true, this.ppro.ProjectItem.cast(bin), false);
    if (!ok) throw new HostError(`Premiere could not import ${path}.`);
    const deadline = Date.now() + this.options.importWaitMs;
    for (;;) {
      const item = await this.findInBin(bin, path);
      if (item) return this.remember(item, path);
      if (Date.now() > deadline) {
        throw new HostError(`Premiere reported importing ${baseName(path)} but it is not in the "${binName}" bin.`);
      }
      await sleep(100);
    }
  }

  // -- editing -------------------------------------------------------------------------------------------------

  private async findClipAt(sequence: Sequence, track: number, start: Ticks): Promise<VideoClipTrackItem | null> {
    const count = await sequence.getVideoTrackCount();
    if (track >= count) return null;
    const items = await this.trackItems(sequence, track);
    const starts = await Promise.all(items.map((item) => item.getStartTime()));
    const index = starts.findIndex((t) => ticksOf(t) === start);
    return index < 0 ? null : (items[index] ?? null);
  }

  private ensureColumn(): Promise<boolean> {
    this.columnReady ??= this.ppro.Metadata.addPropertyToProjectMetadataSchema(
      PROJECT_COLUMN.name,
      PROJECT_COLUMN.label,
      this.ppro.Metadata.METADATA_TYPE_TEXT,
    ).catch(() => false);
    return this.columnReady;
  }

  async applyEdit(edit: Edit): Promise<ClipInfo> {
    const { place } = edit;
    // 1. everything async first: project, sequence, the items, metadata text
    const project = await this.activeProject();
    const sequence = await this.activeSequence(project);
    const trackCount = await sequence.getVideoTrackCount();
    if (place.track < 0 || place.track > trackCount) throw new HostError(`There is no video track V${place.track + 1}.`);
    const item = this.items.get(place.media.id);
    if (!item) throw new HostError(`${place.media.name} is not imported in this session; import it first.`);
    const clip = this.ppro.ClipProjectItem.cast(item);
    const removals: VideoClipTrackItem[] = [];
    for (const target of edit.remove) {
      const found = await this.findClipAt(sequence, target.track, target.start);
      if (!found) throw new HostError(`The clip "${target.name}" is no longer where it was.`);
      removals.push(found);
    }
    let selection: TrackItemSelection | null = null;
    if (removals.length > 0) {
      this.ppro.TrackItemSelection.createEmptySelection((empty) => {
        selection = empty;
      });
      if (!selection) throw new HostError("Premiere did not create a track item selection.");
      for (const target of removals) (selection as TrackItemSelection).addItem(target, true);
    }
    const xmp = edit.record ? withTesseraXmp(await this.ppro.Metadata.getXMPMetadata(item), edit.record) : null;
    const column = edit.record && (await this.ensureColumn()) ? projectColumnMetadata(edit.record) : null;
    const time = (ticks: Ticks) => this.ppro.TickTime.createWithTicks(ticks.toString());
    const editor = this.ppro.SequenceEditor.getEditor(sequence);

    // 2. one transaction, one undo step; actions are made under the lock and nothing is awaited in here
    let committed = false;
    project.lockedAccess(() => {
      const actions: Action[] = [];
      if (selection) actions.push(editor.createRemoveItemsAction(selection, false, this.ppro.Constants.MediaType.ANY));
      // the item's In/Out choose the frames shown, so the handles stay in the file for trims and dissolves
      actions.push(clip.createSetInOutPointsAction(time(place.sourceIn), time(place.sourceOut)));
      // a file with sound lands its audio on the track the footage's sound is on (A1 when unknown)
      actions.push(editor.createOverwriteItemAction(item, time(place.start), place.track, place.audioTrack ?? 0));
      if (xmp) actions.push(this.ppro.Metadata.createSetXMPMetadataAction(item, xmp));
      if (column) actions.push(this.ppro.Metadata.createSetProjectMetadataAction(item, column, [PROJECT_COLUMN.name]));
      committed = project.executeTransaction((compound) => {
        for (const action of actions) compound.addAction(action);
      }, edit.label);
    });
    if (!committed) throw new HostError(`Premiere refused the edit "${edit.label}".`);

    // 3. read back: Premiere can report success and place nothing (e.g. a track index past the last)
    const placed = await this.findClipAt(sequence, place.track, place.start);
    if (!placed) throw new HostError(`Premiere reported "${edit.label}" done, but no clip is on V${place.track + 1}.`);
    return this.clipInfo(placed);
  }

  subscribe(listener: () => void): () => void {
    const timer = setInterval(listener, this.options.pollMs);
    return () => clearInterval(timer);
  }
}
