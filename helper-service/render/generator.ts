/**
 * The seam between the job machinery and the thing that makes a clip. The helper runs a Generator inside the
 * inference child process; the real one chains pipeline -> conform -> encode -> metadata, and tests can load a
 * scriptable one instead (any module whose default export is a GeneratorFactory).
 */
import { z } from "zod";
import {
  GenerationRequestSchema,
  JobOutputSchema,
  JobProgressSchema,
  ModelInfoSchema,
  type GenerationRequest,
  type JobOutput,
  type ModelInfo,
} from "../../shared/protocol.js";

/** One run of one job. `output` is a folder (file named slug_seed_jobid.ext) or an exact file (CLI --out). */
export const RenderJobSchema = z.object({
  jobId: z.uuid(),
  attempt: z.number().int().min(1),
  request: GenerationRequestSchema,
  output: z.union([z.object({ folder: z.string().min(1) }), z.object({ file: z.string().min(1) })]),
});
export type RenderJob = z.infer<typeof RenderJobSchema>;

export const ProgressSchema = JobProgressSchema.omit({ type: true, jobId: true });
export type Progress = z.infer<typeof ProgressSchema>;

export interface PreviewImage {
  frameIndex: number;
  width: number;
  height: number;
  jpeg: Uint8Array;
}

export interface RenderHooks {
  signal: AbortSignal;
  onProgress(progress: Progress): void;
  onPreview(preview: PreviewImage): void;
  onNotice?(level: "info" | "warning", message: string): void;
}

export const GeneratorInfoSchema = z.object({
  device: z.string(),
  models: z.array(ModelInfoSchema),
  /** Things the user should know at start, e.g. a fallback from the GPU to the CPU. */
  notices: z.array(z.string()).default([]),
});
export type GeneratorInfo = z.infer<typeof GeneratorInfoSchema>;

export interface Generator {
  /** Device that runs and the installed models. */
  info(): Promise<GeneratorInfo>;
  /** Makes the clip and publishes it by atomic rename; rejects with a TesseraError (E_CANCELLED on abort). */
  render(job: RenderJob, hooks: RenderHooks): Promise<JobOutput>;
  close?(): Promise<void>;
}

export const GeneratorConfigSchema = z.object({
  dataDir: z.string(),
  /** Model package folders, the default first. */
  modelDirs: z.array(z.string()),
  policyPath: z.string(),
  threads: z.number().int().min(1).optional(),
  /**
   * Open the default package when asked for info, to learn which device really runs it (the default). A run
   * that only drives an engine (a CLI job on an engine model) says false: it never pays for loading ONNX sessions.
   */
  probeDevice: z.boolean().optional(),
  /** The farm worker's name when this generator runs farm jobs: each generation record names it. */
  worker: z.string().optional(),
});
export type GeneratorConfig = z.infer<typeof GeneratorConfigSchema>;

export type GeneratorFactory = (config: GeneratorConfig) => Promise<Generator>;

export { JobOutputSchema };
export type { GenerationRequest, JobOutput, ModelInfo };
