/**
 * After Effects' AVLayer and LayerCollection as ExtendScript sees them: index 1 is the top of the stack, `add`
 * puts the new layer on top, `startTime` moves the whole layer (in and out points with it), in and out points stay
 * within the footage (clamped here without an error; whether After Effects clamps or throws, the host's read-back
 * catches it), a locked layer refuses every change, and `duplicate` puts the copy directly above the original.
 */

/** What a layer needs from its source item (FootageItem or CompItem in items.ts). */
export interface LayerSource {
  readonly id: number;
  name: string;
  readonly duration: number;
  readonly hasVideo: boolean;
}

export interface LayerComp {
  stack: AVLayer[];
  readonly duration: number;
  readonly frameDuration: number;
}

export interface LayerState {
  name: string | null;
  source: LayerSource | null;
  comment: string;
  start: number;
  in: number;
  out: number;
  stretch: number;
  selected: boolean;
  locked: boolean;
  remap: boolean;
  remapKeys: { time: number; value: number }[];
}

/** The Time Remap property ("ADBE Time Remapping"): source seconds at comp times, linear between keyframes. */
export class TimeRemap {
  keys: { time: number; value: number }[] = [];

  setValueAtTime(time: number, value: number): void {
    this.keys = [...this.keys.filter((k) => k.time !== time), { time, value }].sort((a, b) => a.time - b.time);
  }

  valueAtTime(time: number, _preExpression: boolean): number {
    const keys = this.keys;
    const first = keys[0];
    const last = keys[keys.length - 1];
    if (!first || !last) throw new Error("After Effects error: the property has no value.");
    if (time <= first.time) return first.value;
    if (time >= last.time) return last.value;
    const next = keys.findIndex((k) => k.time >= time);
    const a = keys[next - 1] as { time: number; value: number };
    const b = keys[next] as { time: number; value: number };
    return a.value + ((b.value - a.value) * (time - a.time)) / (b.time - a.time);
  }
}

export class AVLayer {
  readonly id: number;
  comment = "";
  selected = false;
  enabled = true;
  private remapOn = false;
  private readonly remap = new TimeRemap();
  private isLocked = false;
  private start = 0;
  private inTime: number;
  private outTime: number;
  private stretchPercent = 100;
  private layerSource: LayerSource | null;
  /** A name the user typed; without one a layer shows its source's name (and a text layer its text). */
  private customName: string | null = null;

  /** `source` is null for layers without footage (text, shape). */
  constructor(
    id: number,
    readonly containingComp: LayerComp,
    source: LayerSource | null,
    private readonly ownName = "",
  ) {
    this.id = id;
    this.layerSource = source;
    this.inTime = 0;
    this.outTime = this.mediaLength() ?? containingComp.duration;
  }

  get source(): LayerSource | null {
    return this.layerSource;
  }

  get name(): string {
    return this.customName ?? this.layerSource?.name ?? this.ownName;
  }
  set name(value: string) {
    this.customName = String(value);
  }

  get hasVideo(): boolean {
    return this.layerSource?.hasVideo ?? true;
  }

  /** AVLayer.replaceSource: the same layer (effects, masks, transform, name if typed) over other footage. */
  replaceSource(item: LayerSource, _fixExpressions: boolean): void {
    this.editable("source");
    if (!this.layerSource) throw new Error("After Effects error: this layer has no source to replace.");
    if (!item || typeof item.duration !== "number") throw new Error("After Effects error: replaceSource() needs an AVItem.");
    this.layerSource = item;
  }

  get index(): number {
    const at = this.containingComp.stack.indexOf(this);
    if (at < 0) throw new Error("After Effects error: Object is invalid (the layer was deleted).");
    return at + 1;
  }

  /** Comp seconds the footage lasts at this layer's stretch; null for sources without a length (stills, solids). */
  private mediaLength(): number | null {
    const duration = this.layerSource?.duration ?? 0;
    return duration > 0 ? (duration * Math.abs(this.stretchPercent)) / 100 : null;
  }

  /** A deleted layer is an invalid object in After Effects: every use throws. */
  private alive(): void {
    if (!this.containingComp.stack.includes(this)) throw new Error("After Effects error: Object is invalid (the layer was deleted).");
  }

  private editable(what: string): void {
    this.alive();
    if (this.isLocked) throw new Error(`After Effects error: Unable to set "${what}". Layer is locked.`);
  }

  /** Turning Time Remap on keys the source times the layer shows at its in and out points, as After Effects does. */
  get timeRemapEnabled(): boolean {
    return this.remapOn;
  }
  set timeRemapEnabled(value: boolean) {
    this.editable("timeRemapEnabled");
    if (value && !this.remapOn) {
      const at = (t: number) => ((t - this.start) * 100) / this.stretchPercent;
      this.remap.keys = [
        { time: this.inTime, value: at(this.inTime) },
        { time: this.outTime, value: at(this.outTime) },
      ];
    }
    this.remapOn = value;
  }

  /** Layer.property(matchName): only Time Remap is simulated. */
  property(matchName: string): TimeRemap | null {
    return matchName === "ADBE Time Remapping" ? this.remap : null;
  }

  get locked(): boolean {
    return this.isLocked;
  }
  set locked(value: boolean) {
    this.isLocked = value;
  }

  get startTime(): number {
    return this.start;
  }
  set startTime(value: number) {
    this.editable("startTime");
    const delta = value - this.start;
    this.start = value;
    this.inTime += delta;
    this.outTime += delta;
  }

  get inPoint(): number {
    return this.inTime;
  }
  set inPoint(value: number) {
    this.editable("inPoint");
    const low = this.mediaLength() === null ? -Infinity : this.start;
    this.inTime = Math.min(Math.max(value, low), this.outTime - this.containingComp.frameDuration);
  }

  get outPoint(): number {
    return this.outTime;
  }
  set outPoint(value: number) {
    this.editable("outPoint");
    const length = this.mediaLength();
    const high = length === null ? Infinity : this.start + length;
    this.outTime = Math.max(Math.min(value, high), this.inTime + this.containingComp.frameDuration);
  }

  get stretch(): number {
    return this.stretchPercent;
  }
  set stretch(value: number) {
    this.editable("stretch");
    if (value === 0) throw new Error("After Effects error: stretch cannot be 0.");
    this.stretchPercent = value;
  }

  private move(to: number): void {
    const stack = this.containingComp.stack;
    stack.splice(stack.indexOf(this), 1);
    stack.splice(to, 0, this);
  }

  private sibling(layer: AVLayer): number {
    this.alive();
    if (!(layer instanceof AVLayer) || layer.containingComp !== this.containingComp) {
      throw new Error("After Effects error: the layer must be in the same composition.");
    }
    return layer.index;
  }

  moveBefore(layer: AVLayer): void {
    this.sibling(layer);
    if (layer === this) return;
    this.containingComp.stack.splice(this.containingComp.stack.indexOf(this), 1);
    this.containingComp.stack.splice(layer.index - 1, 0, this);
  }

  moveAfter(layer: AVLayer): void {
    this.sibling(layer);
    if (layer === this) return;
    this.containingComp.stack.splice(this.containingComp.stack.indexOf(this), 1);
    this.containingComp.stack.splice(layer.index, 0, this);
  }

  moveToBeginning(): void {
    this.alive();
    this.move(0);
  }

  remove(): void {
    this.editable("remove");
    this.containingComp.stack.splice(this.index - 1, 1);
  }

  duplicate(): AVLayer {
    this.alive();
    const copy = new AVLayer(nextLayerId(this), this.containingComp, this.layerSource, this.ownName);
    copy.restore(this.snapshot());
    copy.isLocked = false;
    this.containingComp.stack.splice(this.index - 1, 0, copy);
    return copy;
  }

  snapshot(): LayerState {
    return {
      name: this.customName,
      source: this.layerSource,
      comment: this.comment,
      start: this.start,
      in: this.inTime,
      out: this.outTime,
      stretch: this.stretchPercent,
      selected: this.selected,
      locked: this.isLocked,
      remap: this.remapOn,
      remapKeys: this.remap.keys.map((k) => ({ ...k })),
    };
  }

  restore(state: LayerState): void {
    this.customName = state.name;
    this.layerSource = state.source;
    this.comment = state.comment;
    this.start = state.start;
    this.inTime = state.in;
    this.outTime = state.out;
    this.stretchPercent = state.stretch;
    this.selected = state.selected;
    this.isLocked = state.locked;
    this.remapOn = state.remap;
    this.remap.keys = state.remapKeys.map((k) => ({ ...k }));
  }
}

const idSources = new WeakMap<LayerComp, () => number>();

function nextLayerId(layer: AVLayer): number {
  const next = idSources.get(layer.containingComp);
  if (!next) throw new Error("After Effects error: the composition has no layer collection.");
  return next();
}

export class LayerCollection {
  constructor(
    private readonly comp: LayerComp,
    nextId: () => number,
  ) {
    idSources.set(comp, nextId);
  }

  get length(): number {
    return this.comp.stack.length;
  }

  /** LayerCollection.addText: a layer without footage, as long as the comp. */
  addText(text: string): AVLayer {
    const layer = new AVLayer(idSources.get(this.comp)?.() ?? 0, this.comp, null, String(text));
    this.comp.stack.unshift(layer);
    return layer;
  }

  /** A new layer on top of the stack, starting at 0 and lasting its footage (or the comp, for a still). */
  add(item: LayerSource): AVLayer {
    if (!item || typeof item.duration !== "number") throw new Error("After Effects error: add() needs an AVItem.");
    const layer = new AVLayer(idSources.get(this.comp)?.() ?? 0, this.comp, item);
    this.comp.stack.unshift(layer);
    return layer;
  }
}
