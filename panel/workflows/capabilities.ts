// Which actions the panel offers right now, each with the reason when it cannot: the connection, the model's
// declared capabilities, the open sequence and the timeline selection all gate them.
import type { ModelInfo } from "../../shared/protocol.js";
import type { ConnectionState } from "../client/connection-state.js";
import { PREMIERE_TERMS, type ClipInfo, type HostTerms, type SequenceInfo, type Ticks } from "../host/editor-host.js";
import { lengthRefusal, type LengthAsk } from "./length.js";
import { brollFrames } from "./plan.js";
import { framesIn } from "./timeline.js";

export type ActionName = "generate" | "replace" | "extend" | "fill";
export interface Availability {
  enabled: boolean;
  /** Why not; null when enabled. */
  reason: string | null;
}

export interface GateInput {
  connection: ConnectionState;
  model: ModelInfo | null;
  sequence: SequenceInfo | null;
  selection: ClipInfo[];
  prompt: string;
  extendAt: "head" | "tail";
  busy: boolean;
  /** The host's words in the reasons; Premiere's when left out. */
  terms?: HostTerms;
  /** The duration field in sequence frames, and the handles setting: a model's longest clip gates on them. */
  frames?: number;
  handles?: number;
}

/** Loops are made by Tessera's own model packages; an engine's templates run one window and cannot close a loop. */
export function canLoop(model: ModelInfo | null): boolean {
  return !model?.engine;
}

const yes: Availability = { enabled: true, reason: null };
const no = (reason: string): Availability => ({ enabled: false, reason });
const terms = (input: GateInput): HostTerms => input.terms ?? PREMIERE_TERMS;

function common(input: GateInput): Availability | null {
  if (input.connection.kind !== "connected") return no("Connect to the Tessera helper first.");
  if (!input.model) return no("The helper has no model ready (still loading, or none installed: see `tessera models`).");
  if (!input.sequence) return no(`Open a ${terms(input).timeline} in the timeline.`);
  if (input.busy) return no("Preparing the previous request…");
  return null;
}

/** Refused when the model cannot make a clip this long (frames unknown: left to the request's own check). */
function tooLong(input: GateInput, ask: Omit<LengthAsk, "handles">, handles = input.handles ?? 0): Availability | null {
  if (!input.sequence || !Number.isFinite(ask.frames) || ask.frames < 1) return null;
  const reason = lengthRefusal(input.model, { ...ask, handles }, input.sequence.fps);
  return reason ? no(reason) : null;
}

const span = (input: GateInput, start: Ticks, end: Ticks): number => framesIn(start, end, input.sequence!.fps);

export function gateGenerate(input: GateInput): Availability {
  const blocked = common(input);
  if (blocked) return blocked;
  if (!input.model?.capabilities.textToVideo) return no(`${input.model?.id} cannot generate from text.`);
  if (!input.prompt.trim()) return no("Type a prompt.");
  return tooLong(input, { workflow: "broll", frames: brollFrames(input.sequence!, input.frames ?? NaN) }) ?? yes;
}

export function gateReplace(input: GateInput): Availability {
  const blocked = common(input);
  if (blocked) return blocked;
  if (!input.model?.capabilities.textToVideo) return no(`${input.model?.id} cannot generate from text.`);
  const { clip } = terms(input);
  if (input.selection.length === 0) return no(`Select the placeholder ${clip} to replace.`);
  if (input.selection.length > 1) return no(`Select only one ${clip} to replace.`);
  const selected = input.selection[0] as ClipInfo;
  return tooLong(input, { workflow: "replace", frames: span(input, selected.start, selected.end) }) ?? yes;
}

export function gateExtend(input: GateInput): Availability {
  const blocked = common(input);
  if (blocked) return blocked;
  const caps = input.model?.capabilities;
  const can = input.extendAt === "tail" ? caps?.extendTail : caps?.extendHead;
  if (!can) return no(`${input.model?.id} cannot extend a clip's ${input.extendAt}.`);
  if (input.selection.length !== 1) return no(`Select one ${terms(input).clip} to extend.`);
  const clip = input.selection[0] as ClipInfo;
  if (!clip.mediaPath) return no(`"${clip.name}" has no media file to continue from.`);
  return tooLong(input, { workflow: "extend", at: input.extendAt, frames: input.frames ?? NaN }, 0) ?? yes;
}

export function gateFill(input: GateInput): Availability {
  const blocked = common(input);
  if (blocked) return blocked;
  if (!input.model?.capabilities.fill) return no(`${input.model?.id} cannot fill a gap.`);
  const { clip, track } = terms(input);
  if (input.selection.length !== 2) return no(`Select the two ${clip}s on either side of a gap.`);
  const [a, b] = input.selection as [ClipInfo, ClipInfo];
  if (a.track !== b.track) return no(`Select two ${clip}s on the same ${track}.`);
  const [first, second] = a.start <= b.start ? [a, b] : [b, a];
  if (second.start <= first.end) return no("The selected clips touch: there is no gap to fill.");
  return tooLong(input, { workflow: "fill", frames: span(input, first.end, second.start) }, 0) ?? yes;
}

export function gateAll(input: GateInput): Record<ActionName, Availability> {
  return {
    generate: gateGenerate(input),
    replace: gateReplace(input),
    extend: gateExtend(input),
    fill: gateFill(input),
  };
}
