/**
 * What a ComfyUI server sends, as zod schemas (read from ComfyUI 0.3.64's server.py, execution.py, main.py and
 * comfy_execution/progress.py). Objects are loose: newer servers add fields (workflow_id, asset, ...) and that
 * must not break a job. Binary WebSocket frames are parsed here too.
 */
import { z } from "zod";

/** One input spec: `[type_or_options, {opts}?]`; type is a name ("INT", "COMBO", "MODEL") or, for legacy combos, the list. */
export const InputSpecSchema = z.tuple([z.union([z.string(), z.array(z.unknown())])]).rest(z.unknown());
export type InputSpec = z.infer<typeof InputSpecSchema>;

export const NodeInfoSchema = z.looseObject({
  input: z.looseObject({
    required: z.record(z.string(), InputSpecSchema).optional(),
    optional: z.record(z.string(), InputSpecSchema).optional(),
  }),
  output: z.array(z.union([z.string(), z.array(z.unknown())])).default([]),
  output_node: z.boolean().default(false),
  name: z.string().optional(),
  display_name: z.string().optional(),
});
export type NodeInfo = z.infer<typeof NodeInfoSchema>;
export const ObjectInfoSchema = z.record(z.string(), NodeInfoSchema);
export type ObjectInfo = z.infer<typeof ObjectInfoSchema>;

export const SystemStatsSchema = z.looseObject({
  system: z.looseObject({ comfyui_version: z.string().optional(), os: z.string().optional() }),
  devices: z
    .array(z.looseObject({ name: z.string(), type: z.string().optional(), vram_total: z.number().optional(), vram_free: z.number().optional() }))
    .default([]),
});
export type SystemStats = z.infer<typeof SystemStatsSchema>;

const NodeErrorSchema = z.looseObject({
  type: z.string().optional(),
  message: z.string(),
  details: z.string().optional(),
  extra_info: z.looseObject({ input_name: z.string().optional() }).optional(),
});
export const NodeErrorsSchema = z.record(
  z.string(),
  z.looseObject({ errors: z.array(NodeErrorSchema).default([]), class_type: z.string().optional() }),
);
export type NodeErrors = z.infer<typeof NodeErrorsSchema>;

export const PromptAcceptedSchema = z.looseObject({
  prompt_id: z.string(),
  number: z.number().optional(),
  node_errors: NodeErrorsSchema.default({}),
});
export const PromptRejectedSchema = z.looseObject({
  error: z.union([z.looseObject({ type: z.string().optional(), message: z.string(), details: z.string().optional() }), z.string()]),
  node_errors: NodeErrorsSchema.default({}),
});

export const UploadReplySchema = z.looseObject({ name: z.string(), subfolder: z.string().default(""), type: z.string().default("input") });

/** A saved file as SaveVideo / SaveWEBM / SaveAnimatedWEBP report it ({filename, subfolder, type}). */
export const SavedFileSchema = z.looseObject({ filename: z.string(), subfolder: z.string().default(""), type: z.string().default("output") });
export type SavedFile = z.infer<typeof SavedFileSchema>;
/** A node's ui dict: core video savers use `images` (+ `animated`), VideoHelperSuite uses `gifs`. */
export const NodeOutputSchema = z.looseObject({
  images: z.array(SavedFileSchema).optional(),
  gifs: z.array(SavedFileSchema).optional(),
  videos: z.array(SavedFileSchema).optional(),
});
export type NodeOutput = z.infer<typeof NodeOutputSchema>;

export const HistoryEntrySchema = z.looseObject({
  outputs: z.record(z.string(), NodeOutputSchema).default({}),
  status: z
    .looseObject({
      status_str: z.string().optional(),
      completed: z.boolean().optional(),
      messages: z.array(z.tuple([z.string(), z.unknown()])).default([]),
    })
    .optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;
export const HistorySchema = z.record(z.string(), HistoryEntrySchema);

const QueueItemSchema = z.array(z.unknown()).min(2);
export const QueueSchema = z.looseObject({ queue_running: z.array(QueueItemSchema).default([]), queue_pending: z.array(QueueItemSchema).default([]) });

export const ExecutionErrorSchema = z.looseObject({
  prompt_id: z.string(),
  node_id: z.union([z.string(), z.number()]).optional(),
  node_type: z.string().optional(),
  exception_message: z.string().default(""),
  exception_type: z.string().default(""),
});
export type ExecutionError = z.infer<typeof ExecutionErrorSchema>;

/** JSON text frames: `{type, data}`. Only the fields the job needs are typed; others pass. */
export const WsMessageSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("status"),
    data: z.looseObject({
      sid: z.string().optional(),
      status: z.looseObject({ exec_info: z.looseObject({ queue_remaining: z.number().int().min(0) }) }).optional(),
    }),
  }),
  z.object({ type: z.literal("execution_start"), data: z.looseObject({ prompt_id: z.string() }) }),
  z.object({ type: z.literal("execution_cached"), data: z.looseObject({ prompt_id: z.string(), nodes: z.array(z.union([z.string(), z.number()])) }) }),
  z.object({ type: z.literal("executing"), data: z.looseObject({ prompt_id: z.string().optional(), node: z.union([z.string(), z.number()]).nullable() }) }),
  z.object({ type: z.literal("progress"), data: z.looseObject({ prompt_id: z.string().optional(), value: z.number(), max: z.number(), node: z.union([z.string(), z.number()]).nullable().optional() }) }),
  z.object({ type: z.literal("executed"), data: z.looseObject({ prompt_id: z.string(), node: z.union([z.string(), z.number()]), output: NodeOutputSchema.nullable() }) }),
  z.object({ type: z.literal("execution_success"), data: z.looseObject({ prompt_id: z.string() }) }),
  z.object({ type: z.literal("execution_error"), data: ExecutionErrorSchema }),
  z.object({ type: z.literal("execution_interrupted"), data: z.looseObject({ prompt_id: z.string() }) }),
]);
export type WsMessage = z.infer<typeof WsMessageSchema>;

/** server.py BinaryEventTypes. */
export const BINARY_PREVIEW_IMAGE = 1;
export const BINARY_TEXT = 3;
export const BINARY_PREVIEW_WITH_METADATA = 4;

const PreviewMetadataSchema = z.looseObject({ prompt_id: z.string().optional(), node_id: z.string().optional(), image_type: z.string().optional() });

export interface BinaryPreview {
  mime: "image/jpeg" | "image/png";
  image: Uint8Array;
  promptId?: string;
}

/**
 * A binary frame as a preview image, or null for frames that carry none (progress text, unknown kinds, a frame
 * too short or with a broken header: a preview is never worth failing a job for).
 */
export function parseBinaryFrame(frame: Uint8Array): BinaryPreview | null {
  if (frame.byteLength < 8) return null;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const event = view.getUint32(0);
  if (event === BINARY_PREVIEW_IMAGE) {
    const format = view.getUint32(4);
    if (format !== 1 && format !== 2) return null;
    return { mime: format === 1 ? "image/jpeg" : "image/png", image: frame.subarray(8) };
  }
  if (event === BINARY_PREVIEW_WITH_METADATA) {
    const length = view.getUint32(4);
    if (8 + length > frame.byteLength) return null;
    let meta: z.infer<typeof PreviewMetadataSchema>;
    try {
      meta = PreviewMetadataSchema.parse(JSON.parse(new TextDecoder().decode(frame.subarray(8, 8 + length))));
    } catch {
      return null;
    }
    const mime = meta.image_type === "image/png" ? "image/png" : "image/jpeg";
    return { mime, image: frame.subarray(8 + length), ...(meta.prompt_id ? { promptId: meta.prompt_id } : {}) };
  }
  return null;
}
