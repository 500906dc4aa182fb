// The generation request for a plan: what the helper must deliver (exact frames at the sequence's rate and size,
// plus handles) and how (prompt, seed, quality, model, conditioning, output folder).
import { z } from "zod";
import { describeIssues } from "../../shared/parse.js";
import {
  GenerationRequestSchema,
  type AudioMode,
  type AudioSource,
  type FitModeSchema,
  type Conditioning,
  type RenderQuality,
  type GenerationRequest,
  type ModelInfo,
  type OutputFormat,
} from "../../shared/protocol.js";
import { HelperError } from "../client/errors.js";
import type { ProjectInfo, SequenceInfo } from "../host/editor-host.js";
import type { Plan } from "./plan.js";

export type FitMode = z.infer<typeof FitModeSchema>;

export const QualitySchema = z.enum(["draft", "standard", "high"]);
export type Quality = z.infer<typeof QualitySchema>;

/** Denoising steps for a preset, from the model's validated default. */
export function stepsFor(quality: Quality, model: ModelInfo | null): number | undefined {
  if (!model) return undefined;
  const steps = model.defaults.steps;
  // a draft: a quarter of the steps (and the helper makes it at the model's smallest size)
  if (quality === "draft") return Math.max(2, Math.round(steps / 4));
  if (quality === "high") return Math.min(200, Math.round(steps * 1.5));
  return steps;
}

export interface RequestInput {
  plan: Plan;
  prompt: string;
  negativePrompt: string;
  seed: number;
  quality: Quality;
  model: ModelInfo | null;
  format: OutputFormat;
  fit: FitMode;
  sequence: SequenceInfo;
  project: ProjectInfo | null;
  conditioning: Conditioning | null;
  outputFolder: string | null;
  /** Extend and fill: continue the footage's sound ("extend", the default) or not. */
  audio?: AudioMode;
  /** The footage's media, for its sound, when the conditioning frames were rendered from the sequence. */
  audioSources?: { before?: AudioSource; after?: AudioSource };
  loop?: boolean;
  renderQuality?: RenderQuality;
}

/** A prompt for workflows that can run without one: the placeholder's or clip's name says what belongs there. */
export function effectivePrompt(plan: Plan, prompt: string): string {
  const text = prompt.trim();
  if (text) return text;
  if (plan.replace) return plan.replace.name;
  if (plan.source) return plan.source.name;
  return "";
}

export function buildRequest(input: RequestInput): GenerationRequest {
  const { plan, sequence } = input;
  const candidate = {
    prompt: effectivePrompt(plan, input.prompt),
    negativePrompt: input.negativePrompt,
    seed: input.seed,
    frames: plan.frames,
    fps: sequence.fps,
    width: sequence.width,
    height: sequence.height,
    handles: plan.handles,
    steps: stepsFor(input.quality, input.model),
    modelId: input.model?.id,
    fit: input.fit,
    conditioning: input.conditioning ?? undefined,
    output: { format: input.format, ...(input.outputFolder ? { folder: input.outputFolder } : {}) },
    workflow: plan.workflow,
    projectId: input.project?.id,
    sequenceId: sequence.id,
    ...(input.conditioning && input.audio ? { audio: input.audio } : {}),
    ...(input.audioSources && (input.audioSources.before || input.audioSources.after) ? { audioSources: input.audioSources } : {}),
    ...(input.loop ? { loop: true } : {}),
    ...(input.renderQuality ? { quality: input.renderQuality } : {}),
  };
  const checked = GenerationRequestSchema.safeParse(candidate);
  if (!checked.success) throw HelperError.of("E_BAD_REQUEST", describeIssues(checked.error));
  return checked.data;
}
