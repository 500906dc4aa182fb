/**
 * EditorHost on Premiere Pro's UXP API: the only file that touches `require("premierepro")`.
 *
 * Rules this file follows (see the Premiere UXP notes): every getter is async, so everything a transaction needs
 * is fetched first; actions are created inside `project.lockedAccess` and applied in one `executeTransaction`
 * with the undo label, and nothing is awaited in between; a track item selection is made, filled and consumed inside
 * its `createEmptySelection` callback, which runs inside the transaction (it is dead once the callback returns);
 * times go in as tick strings; `importFiles` answers only true/false, so the new item is looked up in its bin
 * afterwards (and a reported success that imported nothing is caught); track indices are 0-based; an overwrite goes
 * only onto tracks that exist (a new track is made by the documented insert past the last track), its audio index
 * names an existing audio track that is empty over the edit; every edit is read back from the timeline, within half
 * a frame, because Premiere can report success for an edit that placed nothing.
 */
import type {
  ClipProjectItem,
  FolderItem,
  Project,
  ProjectItem,
  Sequence,
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
import { baseName, samePath } from "./paths.js";
import { exportFrames } from "./premiere-frames.js";
import { readItemState, restoreItem } from "./premiere-restore.js";
import { displaysDropFrame, findClipAt, quietAudioTrack, ticksOf } from "./premiere-tracks.js";

export interface PremiereHostOptions {
  /** How often subscribers are told to re-read the sequence: Premiere has no playhead event. */
  pollMs?: number;
  /** Makes a folder (with parents); the entry point passes UXP's fs. Frames are not rendered without it. */
  makeFolder?: (path: string) => Promise<void>;
  /** Whether a file exists; the entry point passes UXP's fs. Frames are not rendered without it. */
  fileExists?: (path: string) => Promise<boolean>;
  /** How long to wait for an exported frame to appear (Windows writes it after the call returns), in ms. */
  frameWaitMs?: number;
  /** Asks where to save a text file and writes it; the path, or null when the user cancels. The entry passes UXP's. */
  saveFile?: (suggestedName: string, text: string) => Promise<string | null>;
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

/** Premiere's timebase is ticks per frame as a decimal string: 10594584000 is 24000/1001. */
export function frameRateFromTimebase(timebase: string): FrameRate {
  const ticksPerFrame = Number(timebase);
  if (!Number.isSafeInteger(ticksPerFrame) || ticksPerFrame <= 0) {
    throw new HostError(`Premiere reported a sequence timebase of "${timebase}", which is not a frame duration.`);
  }
  return snapFrameRate(reduce({ num: Number(TICKS_PER_SECOND), den: ticksPerFrame }));
}

/** An In/Out pair Premiere reports for a sequence without one covers everything (or is invalid): that is "none". */
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
  private readonly options: Required<Omit<PremiereHostOptions, "makeFolder" | "fileExists" | "saveFile">> &
    Pick<PremiereHostOptions, "makeFolder" | "fileExists" | "saveFile">;

  constructor(
    private readonly ppro: premierepro,
    options: PremiereHostOptions = {},
  ) {
    this.options = {
      pollMs: options.pollMs ?? 500,
      renderWidth: options.renderWidth ?? 640,
      importWaitMs: options.importWaitMs ?? 3000,
      frameWaitMs: options.frameWaitMs ?? 2000,
      makeFolder: options.makeFolder,
      fileExists: options.fileExists,
      saveFile: options.saveFile,
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
    const { makeFolder, fileExists } = this.options;
    if (!makeFolder || !fileExists) return null;
    const project = await this.activeProject();
    const sequence = await this.activeSequence(project);
    try {
      await makeFolder(folder);
      return await exportFrames(this.ppro, sequence, times, folder, {
        width: this.options.renderWidth,
        fileExists,
        waitMs: this.options.frameWaitMs,
        pollMs: 50,
      });
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
    // 1. everything async first: project, sequence, tracks, the items, metadata text, what to restore on failure
    const project = await this.activeProject();
    const sequence = await this.activeSequence(project);
    const [trackCount, audioTrackCount, timebase] = await Promise.all([
      sequence.getVideoTrackCount(),
      sequence.getAudioTrackCount(),
      sequence.getTimebase(),
    ]);
    const halfFrame = BigInt(timebase) / 2n;
    if (place.track < 0 || place.track > trackCount) throw new HostError(`There is no video track V${place.track + 1}.`);
    const newTrack = place.track === trackCount;
    if (!newTrack && audioTrackCount === 0) {
      throw new HostError("The sequence has no audio track, and Premiere places nothing without one: add one (Sequence > Add Tracks).");
    }
    const item = this.items.get(place.media.id);
    if (!item) throw new HostError(`${place.media.name} is not imported in this session; import it first.`);
    const clip = this.ppro.ClipProjectItem.cast(item);
    const removals: VideoClipTrackItem[] = [];
    for (const target of edit.remove) {
      const found = await findClipAt(this.ppro, sequence, target.track, target.start, halfFrame);
      if (!found) throw new HostError(`The clip "${target.name}" is no longer where it was.`);
      removals.push(found);
    }
    const end = place.start + (place.sourceOut - place.sourceIn);
    // A file with sound goes on the footage's own audio track where that is empty under the edit, else on the first
    // empty one; without sound any empty track does (nothing lands on it). No audio of the user's is overwritten.
    const quiet = newTrack ? audioTrackCount : await quietAudioTrack(this.ppro, sequence, audioTrackCount, place.start, end, place.audioTrack);
    if (quiet === null && place.audioTrack !== undefined) {
      throw new HostError(
        `Every audio track has sound under the new clip, and its own sound would cut into it: add an audio track (Sequence > Add Tracks) and try again.`,
      );
    }
    const audioTrack = quiet ?? 0;
    const VIDEO = this.ppro.Constants.MediaType.VIDEO;
    const before = await readItemState(this.ppro, item);
    const xmp = edit.record ? withTesseraXmp(before.xmp, edit.record) : null;
    const column = edit.record && (await this.ensureColumn()) ? projectColumnMetadata(edit.record) : null;
    const time = (ticks: Ticks) => this.ppro.TickTime.createWithTicks(ticks.toString());
    const editor = this.ppro.SequenceEditor.getEditor(sequence);

    // 2. one transaction, one undo step; actions are made under the lock and nothing is awaited in here. The order
    // puts what may fail first: metadata, then the item's In/Out (which chooses the frames shown, so the handles stay
    // in the file), then the removal and the placement, so a refusal changes no clip of the user's
    let committed = false;
    project.lockedAccess(() => {
      committed = project.executeTransaction((compound) => {
        if (xmp) compound.addAction(this.ppro.Metadata.createSetXMPMetadataAction(item, xmp));
        if (column) compound.addAction(this.ppro.Metadata.createSetProjectMetadataAction(item, column, [PROJECT_COLUMN.name]));
        compound.addAction(clip.createSetInOutPointsAction(time(place.sourceIn), time(place.sourceOut)));
        if (removals.length > 0) {
          // the selection lives only inside this callback: fill it and make the removal here. VIDEO only: the
          // placeholder's linked audio is the user's and stays
          this.ppro.TrackItemSelection.createEmptySelection((selection) => {
            for (const target of removals) selection.addItem(target, true);
            compound.addAction(editor.createRemoveItemsAction(selection, false, VIDEO));
          });
        }
        compound.addAction(
          newTrack
            ? // the documented way to make a track: insert past the last video and audio tracks, the shift limited to them
              editor.createInsertProjectItemAction(item, time(place.start), trackCount, audioTrackCount, true)
            : editor.createOverwriteItemAction(item, time(place.start), place.track, audioTrack),
        );
      }, edit.label);
    });

    // 3. read back: Premiere can report success and place nothing
    const placed = committed ? await findClipAt(this.ppro, sequence, place.track, place.start, halfFrame) : null;
    if (placed) return this.clipInfo(placed);
    // whether Premiere rolls a partly applied transaction back is not documented: put the item's In/Out and XMP back
    await restoreItem(this.ppro, project, item, before, edit.label);
    if (!committed) throw new HostError(`Premiere refused the edit "${edit.label}".`);
    throw new HostError(`Premiere reported "${edit.label}" done, but no clip is on V${place.track + 1}.`);
  }

  async saveLog(name: string, text: string): Promise<string | null> {
    if (!this.options.saveFile) throw new HostError("This panel cannot save files.");
    return this.options.saveFile(name, text);
  }

  subscribe(listener: () => void): () => void {
    const timer = setInterval(listener, this.options.pollMs);
    return () => clearInterval(timer);
  }
}
