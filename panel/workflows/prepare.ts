/**
 * From a button press to a request: read the host, plan where the clip goes, gather the conditioning frames,
 * choose the seed and build the generation request. The panel model only has to send what this returns.
 */
import type { Conditioning, GenerationRequest, ModelInfo, OutputFormat } from "../../shared/protocol.js";
import type { ClipInfo, EditorHost } from "../host/editor-host.js";
import { joinPath, mediaFolderFor } from "../host/paths.js";
import { extendConditioning, fillConditioning } from "./conditioning.js";
import { planBroll, planExtend, planFill, planReplace, type Plan, type PlanInput, type PlanWorkflow, type TrackChoice, type TrackQuestion } from "./plan.js";
import { buildRequest, type FitMode, type Quality } from "./request.js";

export interface PrepareInput {
  host: EditorHost;
  workflow: PlanWorkflow;
  clientJobId: string;
  prompt: string;
  negativePrompt: string;
  /** Requested frames at the sequence rate, from the duration field (seconds count the sequence's timecode). */
  frames: (fps: { num: number; den: number }, timecode: { dropFrame: boolean }) => number;
  quality: Quality;
  /** The seed to use, or null for a fresh random one. */
  seed: number | null;
  extendAt: "head" | "tail";
  model: ModelInfo | null;
  handles: number;
  format: OutputFormat;
  fit: FitMode;
  whenNoTrackFree: "ask" | "new-track";
  choice?: TrackChoice;
  random: () => number;
}

export type Prepared =
  | { kind: "job"; plan: Plan; request: GenerationRequest }
  | { kind: "refused"; reason: string }
  | { kind: "ask"; question: TrackQuestion };

export async function prepareJob(input: PrepareInput): Promise<Prepared> {
  const { host } = input;
  const [project, sequence, selection, tracks] = await Promise.all([
    host.getProject(),
    host.getSequence(),
    host.getSelection(),
    host.getVideoTracks(),
  ]);
  if (!sequence) return { kind: "refused", reason: "Open a sequence in the timeline first." };
  const planInput: PlanInput = {
    sequence,
    tracks,
    selection,
    prompt: input.prompt,
    frames: input.frames(sequence.fps, { dropFrame: sequence.dropFrame ?? false }),
    handles: input.handles,
    whenNoTrackFree: input.whenNoTrackFree,
    ...(input.choice ? { choice: input.choice } : {}),
  };
  const planned =
    input.workflow === "broll"
      ? planBroll(planInput)
      : input.workflow === "replace"
        ? planReplace(planInput)
        : input.workflow === "extend"
          ? planExtend(planInput, input.extendAt)
          : planFill(planInput);
  if (planned.kind !== "plan") return planned;
  const plan: Plan = sequence.dropFrame ? { ...planned.plan, dropFrame: true } : planned.plan;
  const mediaFolder = mediaFolderFor(project?.path ?? null);
  let conditioning: Conditioning | null = null;
  if ((plan.workflow === "extend" || plan.workflow === "fill") && input.model) {
    const ctx = {
      host,
      sequence,
      model: input.model,
      renderFolder: mediaFolder ? joinPath(mediaFolder, ".conditioning", input.clientJobId) : null,
    };
    const [a, b] = [...selection].sort((x, y) => (x.start < y.start ? -1 : 1)) as [ClipInfo, ClipInfo];
    conditioning = plan.workflow === "extend" ? await extendConditioning(ctx, a, input.extendAt) : await fillConditioning(ctx, a, b);
    if (!conditioning) return { kind: "refused", reason: "The selected clips have no frames to continue from." };
  }
  const request = buildRequest({
    plan,
    prompt: input.prompt,
    negativePrompt: input.negativePrompt,
    seed: input.seed ?? Math.floor(input.random() * 0x100000000) >>> 0,
    quality: input.quality,
    model: input.model,
    format: input.format,
    fit: input.fit,
    sequence,
    project,
    conditioning,
    outputFolder: mediaFolder,
  });
  return { kind: "job", plan, request };
}
