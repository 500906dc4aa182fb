/**
 * The WebSocket protocol between the panel and the helper: zod schemas for every message, and the types inferred
 * from them. JSON text frames carry messages; binary frames carry only live previews (see preview-header.ts).
 *
 * Before `hello` a socket may send only `pair.request` and `pair`. Every other request carries a `requestId` that
 * its reply echoes; every job event carries the job's `jobId` (a UUID).
 */
import { z } from "zod";
import { ErrorCodeSchema } from "./errors.js";
import { FrameRateSchema } from "./time.js";

export const PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------------------------------------------------------
// Building blocks

const RequestId = z.string().min(1).max(64);
const JobId = z.uuid();
const ClientJobId = z.string().min(1).max(128);
const Int = z.number().int();
/** Paths travel as text; the helper checks them against its allowed roots before touching the disk. */
const FilePath = z.string().min(1).max(4096);

export const JOB_PHASES = [
  "load",
  "source-decode",
  "vae-encode",
  "encode-text",
  "denoise",
  "decode",
  "conform",
  "encode-video",
  "finalize",
] as const;
export const JobPhaseSchema = z.enum(JOB_PHASES);
export type JobPhase = z.infer<typeof JobPhaseSchema>;

export const JobStateSchema = z.enum(["queued", "running", "done", "failed", "cancelled"]);
export type JobState = z.infer<typeof JobStateSchema>;

export const OutputFormatSchema = z.enum(["h264", "prores", "png"]);
export type OutputFormat = z.infer<typeof OutputFormatSchema>;

/** How the model's native frame is mapped onto the sequence frame. */
export const FitModeSchema = z.enum(["fill", "fit", "stretch"]);
/** How the model's native frame rate is mapped onto the sequence rate. */
export const RetimeModeSchema = z.enum(["blend", "interpolate"]);
export const WorkflowSchema = z.enum(["broll", "replace", "extend", "fill", "cli"]);
export type Workflow = z.infer<typeof WorkflowSchema>;

/**
 * Frames that condition the model. `media`: a file and the range of it that the viewer sees, in that file's own
 * frame numbers ([inFrame, outFrame), outFrame exclusive); the helper decodes the frames next to the new clip.
 * `frames`: images the panel rendered from the sequence, in display order, at `fps`.
 */
export const ConditioningSourceSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("media"),
      path: FilePath,
      inFrame: Int.min(0),
      outFrame: Int.min(1),
    })
    .refine((s) => s.outFrame > s.inFrame, { message: "outFrame must be after inFrame", path: ["outFrame"] }),
  z.object({
    kind: z.literal("frames"),
    paths: z.array(FilePath).min(1).max(64),
    fps: FrameRateSchema,
  }),
]);
export type ConditioningSource = z.infer<typeof ConditioningSourceSchema>;

/**
 * `before`: footage that ends where the new clip starts (tail extend, gap fill). `after`: footage that starts where
 * the new clip ends (head extend, gap fill). Both: fill the gap between them.
 */
export const ConditioningSchema = z
  .object({
    before: ConditioningSourceSchema.optional(),
    after: ConditioningSourceSchema.optional(),
  })
  .refine((c) => c.before !== undefined || c.after !== undefined, {
    message: "conditioning needs `before`, `after` or both",
  });
export type Conditioning = z.infer<typeof ConditioningSchema>;

/**
 * Sound under new frames: "extend" continues the footage's own audio (room tone) under an extension or a fill when
 * that footage has audio; "none" leaves the new clip silent. Footage without audio never gets invented silence.
 */
export const AudioModeSchema = z.enum(["none", "extend"]);
export type AudioMode = z.infer<typeof AudioModeSchema>;

/** A media file's visible range ([inFrame, outFrame) in its own frames) whose audio the new clip continues. */
export const AudioSourceSchema = z
  .object({ path: FilePath, inFrame: Int.min(0), outFrame: Int.min(1) })
  .refine((s) => s.outFrame > s.inFrame, { message: "outFrame must be after inFrame", path: ["outFrame"] });
export type AudioSource = z.infer<typeof AudioSourceSchema>;

/** "draft": few steps at the model's smallest size, to judge a shot fast; "final": the full settings. */
export const RenderQualitySchema = z.enum(["draft", "final"]);
export type RenderQuality = z.infer<typeof RenderQualitySchema>;

export const GenerationRequestSchema = z
  .object({
    prompt: z.string().trim().min(1, "prompt is empty").max(2000),
    negativePrompt: z.string().max(2000).default(""),
    seed: Int.min(0).max(0xffffffff),
    /** Whole sequence frames to deliver, not counting handles. */
    frames: Int.min(1, "ask for at least one frame"),
    fps: FrameRateSchema,
    width: Int.min(16).max(8192),
    height: Int.min(16).max(8192),
    /** Extra frames before and after, trimmed by the placed item's in/out so dissolves have media. */
    handles: Int.min(0).max(240).default(0),
    steps: Int.min(1).max(200).optional(),
    guidance: z.number().min(1).max(30).optional(),
    modelId: z.string().min(1).max(128).optional(),
    fit: FitModeSchema.default("fill"),
    retime: RetimeModeSchema.default("blend"),
    conditioning: ConditioningSchema.optional(),
    output: z
      .object({
        format: OutputFormatSchema.default("h264"),
        folder: FilePath.optional(),
      })
      .default({ format: "h264" }),
    workflow: WorkflowSchema.default("broll"),
    projectId: z.string().max(256).optional(),
    sequenceId: z.string().max(256).optional(),
    /** Order on a studio farm: high runs before normal, normal before low; first come, first served within one. */
    priority: z.enum(["high", "normal", "low"]).optional(),
    /** Absent: "extend" (optional rather than defaulted, so requests written before it still type-check). */
    audio: AudioModeSchema.optional(),
    /**
     * Where the footage's audio is when the conditioning frames carry none (frames rendered from the sequence);
     * media conditioning sources are their own audio source.
     */
    audioSources: z.object({ before: AudioSourceSchema.optional(), after: AudioSourceSchema.optional() }).optional(),
    /** A clip whose last frame flows into its first (the end is conditioned on the start). */
    loop: z.boolean().optional(),
    /** Absent: "final". */
    quality: RenderQualitySchema.optional(),
  })
  .refine((r) => r.frames / (r.fps.num / r.fps.den) <= 600, {
    message: "duration is longer than 10 minutes",
    path: ["frames"],
  })
  .refine((r) => !r.loop || (r.handles === 0 && r.conditioning === undefined), {
    message: "a loop is made from the prompt alone and has no handles (its end is its start)",
    path: ["loop"],
  });
export type GenerationRequest = z.infer<typeof GenerationRequestSchema>;
export type GenerationRequestInput = z.input<typeof GenerationRequestSchema>;

/** The machine that ran a job: its host name, and the farm worker's name when a farm worker ran it. */
export const MachineSchema = z.object({ host: z.string(), worker: z.string().optional() });
export type Machine = z.infer<typeof MachineSchema>;

/** What was made and how: written into the file's metadata, the sidecar JSON and history. */
export const GenerationRecordSchema = z.object({
  tool: z.object({ name: z.literal("Tessera"), version: z.string() }),
  model: z.object({ id: z.string(), version: z.string(), sha256: z.string() }),
  prompt: z.string(),
  negativePrompt: z.string(),
  seed: Int,
  steps: Int,
  guidance: z.number(),
  shift: z.number(),
  device: z.string(),
  workflow: WorkflowSchema,
  conditioning: z.string().nullable(),
  /** The sides whose audio continues under the new frames (absent in records from before sound was made). */
  audio: z.object({ mode: AudioModeSchema, continued: z.array(z.enum(["before", "after"])) }).optional(),
  loop: z.boolean().optional(),
  quality: RenderQualitySchema.optional(),
  /** The model frame size the clip was made at, [width, height]. */
  modelSize: z.tuple([Int, Int]).optional(),
  digitalSourceType: z.literal("trainedAlgorithmicMedia"),
  createdAt: z.iso.datetime(),
  /** Which machine ran the job (records written before this field have none). */
  machine: MachineSchema.optional(),
  /** Set when an engine server made the frames: which server ran which template on which model files. */
  engine: z
    .object({
      kind: z.string(),
      name: z.string(),
      server: z.string(),
      template: z.string(),
      modelFiles: z.array(z.string()),
      promptId: z.string(),
      /** A clip longer than one prompt makes: each window's template, prompt, seed and new frames, in order made. */
      windows: z.array(z.object({ template: z.string(), promptId: z.string(), seed: Int, frames: Int })).optional(),
    })
    .optional(),
});
export type GenerationRecord = z.infer<typeof GenerationRecordSchema>;

export const JobOutputSchema = z.object({
  path: FilePath,
  /** Frames in the file: the requested frames plus handles on both sides. */
  frames: Int.min(1),
  fps: FrameRateSchema,
  width: Int,
  height: Int,
  handles: Int.min(0),
  /** Duration of the whole file in Premiere ticks, as a decimal string (long sequences overflow doubles). */
  durationTicks: z.string().regex(/^\d+$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  record: GenerationRecordSchema,
  /** The file has a sound track (continued from the footage's audio). */
  audio: z.boolean().optional(),
});
export type JobOutput = z.infer<typeof JobOutputSchema>;

export const ModelInfoSchema = z.object({
  id: z.string(),
  version: z.string(),
  description: z.string(),
  fps: z.number().positive(),
  sizes: z.array(z.tuple([Int, Int])),
  maxFrames: Int,
  maxTokens: Int,
  defaults: z.object({ steps: Int, guidance: z.number() }),
  capabilities: z.object({
    textToVideo: z.boolean(),
    extendTail: z.boolean(),
    extendHead: z.boolean(),
    fill: z.boolean(),
    conditionFrames: Int,
  }),
  /**
   * The longest clip the model makes, in model frames at `fps`, per kind of request: text only, after footage
   * (tail), before footage (head), between two clips (fill). A kind left out has no limit: its windows are chained
   * (packages always; engine models whose templates can be conditioned on the frames before).
   */
  longest: z.object({ textToVideo: Int.min(1), extendTail: Int.min(1), extendHead: Int.min(1), fill: Int.min(1) }).partial().optional(),
  /** The engine that runs the model when it is not the built-in one ("studio-gpu"), and its display name. */
  engine: z.string().optional(),
  name: z.string().optional(),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;

const ErrorFields = {
  code: ErrorCodeSchema,
  message: z.string(),
  hint: z.string(),
};

export const QueueEntrySchema = z.object({
  jobId: JobId,
  clientJobId: ClientJobId,
  state: JobStateSchema,
  phase: JobPhaseSchema.optional(),
  position: Int.min(0).optional(),
  fraction: z.number().min(0).max(1),
  prompt: z.string(),
  workflow: WorkflowSchema,
  output: JobOutputSchema.optional(),
  /** Where the job runs when not on this machine, e.g. "farm worker gpu-02". */
  runsOn: z.string().max(200).optional(),
});
export type QueueEntry = z.infer<typeof QueueEntrySchema>;

export const HistoryItemSchema = z.object({
  jobId: JobId,
  clientJobId: ClientJobId,
  state: JobStateSchema,
  createdAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().optional(),
  request: GenerationRequestSchema,
  output: JobOutputSchema.optional(),
  error: z.object(ErrorFields).optional(),
});
export type HistoryItem = z.infer<typeof HistoryItemSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Client -> helper

export const HelloSchema = z.object({
  type: z.literal("hello"),
  protocol: z.literal(PROTOCOL_VERSION),
  token: z.string().min(1).max(256),
  client: z.object({ name: z.string().max(64), version: z.string().max(32) }).optional(),
});
export const PairRequestSchema = z.object({ type: z.literal("pair.request") });
export const PairSchema = z.object({ type: z.literal("pair"), code: z.string().regex(/^\d{6}$/, "6 digits") });
export const GenerateSchema = z.object({
  type: z.literal("generate"),
  requestId: RequestId,
  clientJobId: ClientJobId,
  request: GenerationRequestSchema,
});
export const CancelSchema = z.object({ type: z.literal("cancel"), requestId: RequestId, jobId: JobId });
export const HistoryQuerySchema = z.object({
  type: z.literal("history.query"),
  requestId: RequestId,
  text: z.string().max(500).optional(),
  projectId: z.string().max(256).optional(),
  sequenceId: z.string().max(256).optional(),
  limit: Int.min(1).max(200).default(50),
  /** Page backwards: only items created before this time. */
  before: z.iso.datetime().optional(),
});
export const ModelsListSchema = z.object({ type: z.literal("models.list"), requestId: RequestId });
export const SystemGetSchema = z.object({ type: z.literal("system.get"), requestId: RequestId });

export const ClientMessageSchema = z.discriminatedUnion("type", [
  HelloSchema,
  PairRequestSchema,
  PairSchema,
  GenerateSchema,
  CancelSchema,
  HistoryQuerySchema,
  ModelsListSchema,
  SystemGetSchema,
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
export type ClientMessageInput = z.input<typeof ClientMessageSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Helper -> client

export const WelcomeSchema = z.object({
  type: z.literal("welcome"),
  version: z.string(),
  protocol: z.literal(PROTOCOL_VERSION),
  device: z.string(),
  models: z.array(ModelInfoSchema),
  queue: z.array(QueueEntrySchema),
});
export const PairedSchema = z.object({ type: z.literal("paired"), token: z.string() });
export const ErrorReplySchema = z.object({
  type: z.literal("error"),
  requestId: RequestId.optional(),
  ...ErrorFields,
  /** With E_PROTOCOL_VERSION: the helper's own version, so the client can say which side to update. */
  helper: z.object({ version: z.string().max(64), protocol: Int }).optional(),
});
export const JobAcceptedSchema = z.object({
  type: z.literal("job.accepted"),
  requestId: RequestId,
  jobId: JobId,
  clientJobId: ClientJobId,
});
export const JobQueuedSchema = z.object({ type: z.literal("job.queued"), jobId: JobId, position: Int.min(0) });
export const JobStartedSchema = z.object({
  type: z.literal("job.started"),
  jobId: JobId,
  /** Where it runs when not on this machine (a farm worker); sent again when that changes. */
  runsOn: z.string().max(200).optional(),
});
export const JobProgressSchema = z.object({
  type: z.literal("job.progress"),
  jobId: JobId,
  phase: JobPhaseSchema,
  window: z.object({ index: Int.min(0), count: Int.min(1) }),
  step: Int.min(0),
  steps: Int.min(0),
  /** Progress of the whole job, 0..1. */
  fraction: z.number().min(0).max(1),
  etaSeconds: z.number().min(0).nullable(),
});
export const JobDoneSchema = z.object({ type: z.literal("job.done"), jobId: JobId, output: JobOutputSchema });
export const JobFailedSchema = z.object({ type: z.literal("job.failed"), jobId: JobId, ...ErrorFields });
export const JobCancelledSchema = z.object({
  type: z.literal("job.cancelled"),
  jobId: JobId,
  requestId: RequestId.optional(),
});
export const HistoryResultSchema = z.object({
  type: z.literal("history.result"),
  requestId: RequestId,
  items: z.array(HistoryItemSchema),
});
export const ModelsResultSchema = z.object({
  type: z.literal("models.result"),
  requestId: RequestId,
  models: z.array(ModelInfoSchema),
});
/** An engine server's state as the helper sees it (Settings shows it): reachable, GPU, templates ready or missing what. */
export const EngineStateSchema = z.object({
  name: z.string(),
  kind: z.literal("comfyui"),
  url: z.string(),
  reachable: z.boolean(),
  detail: z.string(),
  templates: z.array(z.object({ id: z.string(), model: z.string(), ready: z.boolean(), missing: z.array(z.string()) })),
});
export type EngineState = z.infer<typeof EngineStateSchema>;

export const SystemResultSchema = z.object({
  type: z.literal("system.result"),
  requestId: RequestId,
  version: z.string(),
  device: z.string(),
  threads: Int.min(1),
  platform: z.string(),
  queueLength: Int.min(0),
  engines: z.array(EngineStateSchema).optional(),
});
/** Something the user should see that is not an error, e.g. a fallback from the GPU to the CPU. */
export const NoticeSchema = z.object({
  type: z.literal("notice"),
  level: z.enum(["info", "warning"]),
  message: z.string(),
  jobId: JobId.optional(),
});

export const HelperMessageSchema = z.discriminatedUnion("type", [
  WelcomeSchema,
  PairedSchema,
  ErrorReplySchema,
  JobAcceptedSchema,
  JobQueuedSchema,
  JobStartedSchema,
  JobProgressSchema,
  JobDoneSchema,
  JobFailedSchema,
  JobCancelledSchema,
  HistoryResultSchema,
  ModelsResultSchema,
  SystemResultSchema,
  NoticeSchema,
]);
export type HelperMessage = z.infer<typeof HelperMessageSchema>;
export type HelperMessageOf<T extends HelperMessage["type"]> = Extract<HelperMessage, { type: T }>;
export type ClientMessageOf<T extends ClientMessage["type"]> = Extract<ClientMessage, { type: T }>;
