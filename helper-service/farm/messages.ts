/**
 * What travels through Redis between the coordinating helper and the workers, as zod schemas: job data (the
 * request and where the file goes, never file bytes), the worker's result (a reference and a checksum), small
 * progress payloads, and the record each worker keeps alive for `farm status`. Previews travel in the panel's own
 * binary preview format (shared/preview-header.ts) on a Redis channel of their own.
 * Both sides check what they read: a worker is another program, maybe another version.
 */
import { z } from "zod";
import { ErrorCodeSchema, ERRORS, type ErrorBody } from "../../shared/errors.js";
import { GenerationRequestSchema, JobOutputSchema, JobPhaseSchema, ModelInfoSchema } from "../../shared/protocol.js";
import type { Progress } from "../render/generator.js";

export const DeliverySchema = z.discriminatedUnion("kind", [
  /** Stream the file to the coordinator: `url` is its farm endpoint (http or https). */
  z.object({ kind: z.literal("http"), url: z.url() }),
  /** Write the file under the shared folder both sides mount (each side passes its own mount path). */
  z.object({ kind: z.literal("shared") }),
]);
export type Delivery = z.infer<typeof DeliverySchema>;

export const FarmJobDataSchema = z.object({
  protocol: z.number().int(),
  helperVersion: z.string(),
  request: GenerationRequestSchema,
  delivery: DeliverySchema,
});
export type FarmJobData = z.infer<typeof FarmJobDataSchema>;

export const FarmResultSchema = z.object({
  /** The output as the worker made it; the coordinator rewrites the path to where it publishes. */
  output: JobOutputSchema,
  bytes: z.number().int().min(0),
  /** Names this attempt's upload (http) or its folder under the share (shared). */
  deliveryKey: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
  /** File name within the shared folder's job folder (shared delivery). */
  fileName: z.string().min(1).max(255).optional(),
  worker: z.string(),
});
export type FarmResult = z.infer<typeof FarmResultSchema>;

/** Progress as BullMQ stores it: short keys, because every update is copied into the events stream. */
export const FarmProgressSchema = z.object({
  w: z.string().max(128),
  p: JobPhaseSchema,
  f: z.number().min(0).max(1),
  s: z.number().int().min(0),
  n: z.number().int().min(0),
  wi: z.number().int().min(0),
  wc: z.number().int().min(1),
  e: z.number().min(0).nullable(),
});
export type FarmProgress = z.infer<typeof FarmProgressSchema>;

export function packProgress(worker: string, p: Progress): FarmProgress {
  return { w: worker, p: p.phase, f: p.fraction, s: p.step, n: p.steps, wi: p.window.index, wc: p.window.count, e: p.etaSeconds };
}

export function unpackProgress(p: FarmProgress): Progress {
  return { phase: p.p, fraction: p.f, step: p.s, steps: p.n, window: { index: p.wi, count: p.wc }, etaSeconds: p.e };
}

/** An engine server a worker drives, as it last found it. */
export const EngineReportSchema = z.object({ name: z.string(), url: z.string(), reachable: z.boolean(), detail: z.string() });
export type EngineReport = z.infer<typeof EngineReportSchema>;

export const WorkerRecordSchema = z.object({
  name: z.string(),
  host: z.string(),
  pid: z.number().int(),
  version: z.string(),
  protocol: z.number().int(),
  /** "onnx, comfyui:studio-gpu": the engines whose models it runs. */
  engine: z.string(),
  device: z.string(),
  /** The ComfyUI servers it drives (absent from workers that drive none, and from older ones). */
  engines: z.array(EngineReportSchema).optional(),
  models: z.array(ModelInfoSchema),
  concurrency: z.number().int().min(1),
  running: z.array(z.string()),
  done: z.number().int().min(0),
  startedAt: z.string(),
  seenAt: z.string(),
});
export type WorkerRecord = z.infer<typeof WorkerRecordSchema>;

export const CoordinatorRecordSchema = z.object({ version: z.string(), protocol: z.number().int(), seenAt: z.string() });

/**
 * A job's error travels as BullMQ's failedReason (text): "tessera-error " + the JSON body, so the coordinator
 * gets the code and hint back; any other reason (a stall, a crash) is read as a crashed worker.
 */
const ERROR_MARK = "tessera-error ";
const ErrorBodySchema = z.object({ code: ErrorCodeSchema, message: z.string(), hint: z.string() });

export function encodeError(body: ErrorBody): string {
  return ERROR_MARK + JSON.stringify(body);
}

export function decodeError(reason: string | undefined): ErrorBody {
  if (reason?.startsWith(ERROR_MARK)) {
    try {
      const parsed = ErrorBodySchema.safeParse(JSON.parse(reason.slice(ERROR_MARK.length)));
      if (parsed.success) return parsed.data;
    } catch {
      // not ours after all: fall through
    }
  }
  const text = reason?.trim() || "no reason given";
  return { code: "E_WORKER_CRASHED", message: `${ERRORS.E_WORKER_CRASHED.message} On the farm: ${text}`, hint: ERRORS.E_WORKER_CRASHED.hint };
}
