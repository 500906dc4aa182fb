/**
 * EditorHost on After Effects (CEP + ExtendScript): the comp is the sequence, its layers are the clips. Everything
 * goes through the JSON bridge to host.jsx (panel/host/aftereffects/), which answers in seconds of comp time; this
 * file turns that into ticks on the comp's frame grid and reads the layer stack as tracks (aftereffects/tracks.ts).
 *
 * - The comp's current time is the playhead; its frame rate and size are read from the comp. The work area is the
 *   In/Out range only when it is narrower than the comp (a fresh comp's work area covers everything).
 * - Each edit is one call, so one undo group, and host.jsx refuses it if the layers changed since they were read.
 * - Replacing a layer with footage swaps its footage (Replace Footage), so its effects, masks and transform stay;
 *   a text or shape layer is taken out and the clip takes its place in the stack.
 * - Frames for conditioning come from the layer's source file (renderFrames answers null), as in the harness.
 * - Every placement is read back: a layer's in/out cannot pass the ends of its footage, and a clamp would otherwise
 *   go unnoticed.
 * - The panel's log is saved through After Effects' own save dialog, written by host.jsx.
 */
import { parseFrameRate, TICKS_PER_SECOND, framesToTicks, secondsToFrames, ticksToSeconds, ticksToFrames, type FrameRate } from "../../shared/time.js";
import { z } from "zod";
import type { GenerationRecord } from "../../shared/protocol.js";
import { AfterEffectsError, type JsxBridge } from "./aftereffects/bridge.js";
import { FootageSchema, PlacedSchema, SavedSchema, StateSchema, type AeComp, type AeLayer, type AeState, type EditArgs } from "./aftereffects/schemas.js";
import { choosePosition, packTracks, trackOf, type Span } from "./aftereffects/tracks.js";
import {
  HostError,
  type ClipInfo,
  type Edit,
  type EditorHost,
  type HostTerms,
  type MediaItem,
  type ProjectInfo,
  type SequenceInfo,
  type Ticks,
  type TrackInfo,
} from "./editor-host.js";
import { recordSummary } from "./metadata.js";

export interface AfterEffectsHostOptions {
  /** How often the comp's stamp is checked: ExtendScript has no time or selection events for panels. */
  pollMs?: number;
  /** Subscribers re-read everything after this many unchanged stamps too (a trim of a layer not selected). */
  fullEvery?: number;
}

/** After Effects reports 23.976 as 23.9760246276855; the shared parser snaps decimals to the exact rational. */
export function compFrameRate(frameRate: number): FrameRate {
  return parseFrameRate(Number(frameRate.toFixed(6)));
}

/** Comp seconds to ticks on the comp's frame grid (After Effects keeps layer times on frames; floats do not). */
function compTicks(seconds: number, fps: FrameRate): Ticks {
  return framesToTicks(secondsToFrames(seconds, fps, "round"), fps, "round");
}

/** Source seconds to ticks, not snapped: the workflows count the source's own frames. */
function sourceTicks(seconds: number): Ticks {
  return BigInt(Math.round(seconds * Number(TICKS_PER_SECOND)));
}

function compKey(state: AeState, comp: AeComp): string {
  return `${state.project?.path ?? "unsaved"}#${comp.id}`;
}

function spanOf(layer: AeLayer, fps: FrameRate): Span {
  return { id: layer.id, start: compTicks(layer.inPoint, fps), end: compTicks(layer.outPoint, fps) };
}

/**
 * After Effects' words: the comp, its current time and layers. A "track" is a level of the layer stack (level 1 the
 * run of layers at the bottom, aftereffects/tracks.ts); a new one is a layer on top.
 */
export const AFTER_EFFECTS_TERMS: HostTerms = {
  timeline: "comp",
  playhead: "current time",
  clip: "layer",
  track: "level",
  range: "work area",
  trackName: (index) => `level ${index + 1}`,
  newTrack: () => "New layer on top",
  addTrack: "Add a layer on top",
};

export class AfterEffectsHost implements EditorHost {
  readonly name = "After Effects";
  readonly terms = AFTER_EFFECTS_TERMS;
  private readonly pollMs: number;
  private readonly fullEvery: number;
  private reading: Promise<AeState> | null = null;

  constructor(
    private readonly bridge: JsxBridge,
    options: AfterEffectsHostOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 500;
    this.fullEvery = options.fullEvery ?? 10;
  }

  /**
   * The comp as After Effects shows it now. Reads asked for while one is under way share it: the panel asks for
   * project, comp and selection together on every poll, and each read runs on After Effects' main thread.
   */
  private state(): Promise<AeState> {
    this.reading ??= this.bridge.call("readState", {}, StateSchema).finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  /** A read started after this call: what an edit is planned on and read back from. */
  private freshState(): Promise<AeState> {
    return this.bridge.call("readState", {}, StateSchema);
  }

  private async activeComp(fresh = false): Promise<{ state: AeState; comp: AeComp }> {
    const state = await (fresh ? this.freshState() : this.state());
    if (!state.comp) throw new HostError("No composition is active: open one in the Timeline panel.");
    return { state, comp: state.comp };
  }

  private clips(comp: AeComp): { tracks: ClipInfo[][]; byId: Map<number, ClipInfo> } {
    const fps = compFrameRate(comp.frameRate);
    const packed = packTracks(comp.layers.map((l) => spanOf(l, fps)));
    const track = trackOf(packed);
    const byId = new Map<number, ClipInfo>();
    for (const layer of comp.layers) byId.set(layer.id, this.clipInfo(layer, track.get(layer.id) ?? 0, fps));
    return { tracks: packed.map((members) => members.map((m) => byId.get(m.id) as ClipInfo)), byId };
  }

  private clipInfo(layer: AeLayer, track: number, fps: FrameRate): ClipInfo {
    const shown = layer.outPoint - layer.inPoint;
    const played = Math.abs(layer.sourceOut - layer.sourceIn);
    // a time-remapped layer's speed is its average over the layer; a freeze frame counts as normal speed
    const speed = shown > 0 && played > 0 ? played / shown : 1;
    const source = layer.source;
    // audio-only layers have a file but no picture to continue
    const hasFile = layer.video && source !== null && (source.kind === "file" || source.kind === "still") && source.path !== null;
    return {
      id: String(layer.id),
      name: layer.name,
      track,
      start: compTicks(layer.inPoint, fps),
      end: compTicks(layer.outPoint, fps),
      inPoint: sourceTicks(Math.min(layer.sourceIn, layer.sourceOut)),
      outPoint: sourceTicks(Math.max(layer.sourceIn, layer.sourceOut)),
      speed,
      reversed: layer.sourceOut < layer.sourceIn,
      mediaPath: hasFile && !source.missing ? source.path : null,
      mediaFps: source && source.frameRate > 0 ? compFrameRate(source.frameRate) : null,
      offline: source?.missing === true,
    };
  }

  async getProject(): Promise<ProjectInfo | null> {
    const { project } = await this.state();
    if (!project) return null;
    return { id: project.path ?? `unsaved:${project.name}`, name: project.name, path: project.path };
  }

  async getSequence(): Promise<SequenceInfo | null> {
    const state = await this.state();
    const comp = state.comp;
    if (!comp) return null;
    const fps = compFrameRate(comp.frameRate);
    const end = compTicks(comp.duration, fps);
    const inPoint = compTicks(comp.workAreaStart, fps);
    const outPoint = compTicks(comp.workAreaStart + comp.workAreaDuration, fps);
    const whole = inPoint <= 0n && outPoint >= end;
    return {
      id: compKey(state, comp),
      name: comp.name,
      fps,
      width: comp.width,
      height: comp.height,
      playhead: framesToTicks(secondsToFrames(comp.time, fps, "floor"), fps, "round"),
      inPoint: whole || outPoint <= inPoint ? null : inPoint,
      outPoint: whole || outPoint <= inPoint ? null : outPoint,
      videoTrackCount: this.clips(comp).tracks.length,
      ...(comp.dropFrame ? { dropFrame: true } : {}),
    };
  }

  async getSelection(): Promise<ClipInfo[]> {
    const { comp } = await this.activeComp();
    const { byId } = this.clips(comp);
    return comp.layers
      .filter((l) => l.selected)
      .map((l) => byId.get(l.id) as ClipInfo)
      .sort((a, b) => a.track - b.track || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  }

  async getVideoTracks(): Promise<TrackInfo[]> {
    const { comp } = await this.activeComp();
    return this.clips(comp).tracks.map((clips, index) => ({
      index,
      name: AFTER_EFFECTS_TERMS.trackName(index),
      clips: [...clips].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0)),
    }));
  }

  async renderFrames(_times: Ticks[], _folder: string): Promise<string[] | null> {
    return null; // extend and fill read the layer's source file
  }

  async importMedia(path: string, binName: string): Promise<MediaItem> {
    const item = await this.bridge.call("importFootage", { path, folder: binName }, FootageSchema);
    return { id: String(item.id), name: item.name, path: item.path || path };
  }

  async applyEdit(edit: Edit): Promise<ClipInfo> {
    const { place } = edit;
    const { comp } = await this.activeComp(true);
    const fps = compFrameRate(comp.frameRate);
    const spans = comp.layers.map((l) => spanOf(l, fps));
    const tracks = packTracks(spans);
    if (place.track < 0 || place.track > tracks.length) throw new HostError(`There is no ${AFTER_EFFECTS_TERMS.trackName(place.track)} in "${comp.name}".`);
    if (place.sourceOut <= place.sourceIn) throw new HostError("The clip to place has no frames.");
    const itemId = Number(place.media.id);
    if (!Number.isSafeInteger(itemId)) throw new HostError(`${place.media.name} is not an After Effects project item; import it first.`);
    const remove = edit.remove.map((clip) => {
      const layer = comp.layers.find((l) => String(l.id) === clip.id);
      if (!layer) throw new HostError(`The layer "${clip.name}" is no longer in "${comp.name}".`);
      return layer.id;
    });
    const end = place.start + (place.sourceOut - place.sourceIn);
    const placed: Span = { id: Math.min(0, ...spans.map((s) => -Math.abs(s.id))) - 1, start: place.start, end };
    const cuts = (tracks[place.track] ?? []).filter((m) => !remove.includes(m.id) && m.start < end && m.end > place.start).map((m) => m.id);
    // one layer with footage taken out where the clip goes exactly: swap its footage instead, as Replace Footage does
    const replaced = remove.length === 1 ? comp.layers.find((l) => l.id === remove[0]) : undefined;
    const swap = replaced?.source && replaced.video && spanOf(replaced, fps).start === place.start && spanOf(replaced, fps).end === end;
    const position = swap ? { relation: "replace" as const, layer: replaced.id } : choosePosition({ layers: spans, placed, track: place.track, remove, cuts });
    const args: EditArgs = {
      label: edit.label,
      compId: comp.id,
      expect: comp.layers.map((l) => l.id),
      remove: swap ? [] : remove,
      cuts,
      place: {
        ...position,
        itemId,
        startTime: ticksToSeconds(place.start - place.sourceIn),
        inPoint: ticksToSeconds(place.start),
        outPoint: ticksToSeconds(end),
        comment: edit.record ? recordComment(edit.record) : null,
      },
    };
    const { layerId } = await this.bridge.call("applyEdit", args, PlacedSchema);
    return this.readBack(edit, layerId, end);
  }

  /** The placed layer as the comp now shows it; an edit that did not place the frames asked for is an error. */
  private async readBack(edit: Edit, layerId: number, end: Ticks): Promise<ClipInfo> {
    const state = await this.freshState();
    const layer = state.comp?.layers.find((l) => l.id === layerId);
    if (!state.comp || !layer) throw new HostError(`After Effects reported "${edit.label}" done, but the new layer is not in the comp.`);
    const clip = this.clips(state.comp).byId.get(layerId) as ClipInfo;
    const fps = compFrameRate(state.comp.frameRate);
    const frames = (t: Ticks) => ticksToFrames(t, fps, "round");
    if (frames(clip.start) !== frames(edit.place.start) || frames(clip.end) !== frames(end)) {
      throw new AfterEffectsError(
        "clamped",
        `After Effects placed "${layer.name}" from frame ${frames(clip.start)} to ${frames(clip.end)} instead of ${frames(edit.place.start)} to ${frames(end)} (the footage is shorter than asked?). Edit > Undo reverts it.`,
      );
    }
    return clip;
  }

  /**
   * Settings > Export log: After Effects' save dialog (ExtendScript's File.saveDlg) picks the place and host.jsx
   * writes the file, since a CEP panel without Node.js cannot write files itself.
   */
  async saveLog(name: string, text: string): Promise<string | null> {
    const { path } = await this.bridge.call("saveText", { name, text }, SavedSchema);
    return path;
  }

  /**
   * Polls a cheap stamp of the comp (current time, layer count, selection and its in/out) and tells the listener
   * when it changed, and every few seconds regardless: a whole-comp read runs on After Effects' main thread once per
   * property per layer, so it is not repeated while nothing changes.
   */
  subscribe(listener: () => void): () => void {
    let last: string | null = null;
    let quiet = 0;
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      this.bridge
        .call("readStamp", {}, z.string())
        .catch((error: unknown) => `failed: ${String(error)}`)
        .then((stamp) => {
          quiet = stamp === last ? quiet + 1 : 0;
          const changed = stamp !== last;
          last = stamp;
          if (changed || quiet % this.fullEvery === 0) listener();
        })
        .finally(() => {
          busy = false;
        });
    }, this.pollMs);
    return () => clearInterval(timer);
  }
}

/** The project panel's Comment column and the layer comment: what an editor scans for when picking a take. */
export function recordComment(record: GenerationRecord): string {
  return `Tessera (AI-generated): ${recordSummary(record)}`;
}
