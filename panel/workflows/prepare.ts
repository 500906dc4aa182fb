/**
 * From a button press to a request: read the host, plan where the clip goes, gather the conditioning frames,
 * choose the seed and build the generation request. The panel model only has to send what this returns.
 */
import type { AudioMode, AudioSource, Conditioning, GenerationRequest, ModelInfo, OutputFormat, RenderQuality } from "../../shared/protocol.js";
import type { FrameRate } from "../../shared/time.js";
import { termsOf, type ClipInfo, type EditorHost } from "../host/editor-host.js";
import { joinPath, mediaFolderFor } from "../host/paths.js";
import { extendConditioning, fillConditioning, mediaSource } from "./conditioning.js";
import { lengthRefusal } from "./length.js";
import { brollFrames, planBroll, planExtend, planFill, planReplace, type Plan, type PlanInput, type PlanWorkflow, type TrackChoice, type TrackQuestion } from "./plan.js";
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
  /** Extend and fill: continue the footage's sound (default) or not. */
  audio?: AudioMode;
  /** B-roll: a seamless loop (no handles: the loop point is the file's end). */
  loop?: boolean;
  /** Draft (fast, small) or final; absent: final. */
  renderQuality?: RenderQuality;
}

export type Prepared =
  | { kind: "job"; plan: Plan; request: GenerationRequest }
  | { kind: "refused"; reason: string }
  | { kind: "ask"; question: TrackQuestion };

/**
 * The footage whose sound continues under the new frames, for the sides whose conditioning frames were rendered
 * from the sequence (rendered frames carry no sound; media conditioning is its own sound source).
 */
function soundSources(conditioning: Conditioning, clips: { before?: ClipInfo; after?: ClipInfo }, fps: FrameRate): { before?: AudioSource; after?: AudioSource } | undefined {
  const sources: { before?: AudioSource; after?: AudioSource } = {};
  for (const side of ["before", "after"] as const) {
    const clip = clips[side];
    if (conditioning[side]?.kind !== "frames" || !clip) continue;
    const media = mediaSource(clip, fps);
    if (media?.kind === "media") sources[side] = { path: media.path, inFrame: media.inFrame, outFrame: media.outFrame };
  }
  return sources.before || sources.after ? sources : undefined;
}

export async function prepareJob(input: PrepareInput): Promise<Prepared> {
  const { host } = input;
  const [project, sequence, selection, tracks] = await Promise.all([
    host.getProject(),
    host.getSequence(),
    host.getSelection(),
    host.getVideoTracks(),
  ]);
  const terms = termsOf(host);
  if (!sequence) return { kind: "refused", reason: `Open a ${terms.timeline} in the timeline first.` };
  const planInput: PlanInput = {
    sequence,
    tracks,
    selection,
    prompt: input.prompt,
    frames: input.frames(sequence.fps, { dropFrame: sequence.dropFrame ?? false }),
    handles: input.loop && input.workflow === "broll" ? 0 : input.handles,
    whenNoTrackFree: input.whenNoTrackFree,
    terms,
    ...(input.choice ? { choice: input.choice } : {}),
  };
  // B-roll knows its length before asking where it goes: no question about a clip the model cannot make
  const brollTooLong = input.workflow === "broll" && lengthRefusal(input.model, { workflow: "broll", frames: brollFrames(sequence, planInput.frames), handles: input.handles }, sequence.fps);
  if (brollTooLong) return { kind: "refused", reason: brollTooLong };
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
  const tooLong = lengthRefusal(input.model, plan, sequence.fps);
  if (tooLong) return { kind: "refused", reason: tooLong };
  const mediaFolder = mediaFolderFor(project?.path ?? null);
  let conditioning: Conditioning | null = null;
  let audioSources: { before?: AudioSource; after?: AudioSource } | undefined;
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
    if (input.audio !== "none") {
      audioSources = soundSources(conditioning, plan.workflow === "fill" ? { before: a, after: b } : input.extendAt === "tail" ? { before: a } : { after: a }, sequence.fps);
    }
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
    ...(input.audio ? { audio: input.audio } : {}),
    ...(audioSources ? { audioSources } : {}),
    ...(input.loop && plan.workflow === "broll" ? { loop: true } : {}),
    ...(input.renderQuality ? { renderQuality: input.renderQuality } : {}),
  });
  return { kind: "job", plan, request };
}
