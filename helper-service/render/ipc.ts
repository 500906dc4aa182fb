/**
 * Messages between the helper and its inference child process (Node IPC, advanced serialisation so preview
 * images travel as bytes). Both sides validate what they receive: a child is a separate program.
 */
import { z } from "zod";
import { ErrorCodeSchema } from "../../shared/errors.js";
import { JobOutputSchema } from "../../shared/protocol.js";
import { GeneratorConfigSchema, GeneratorInfoSchema, ProgressSchema, RenderJobSchema } from "./generator.js";

const ErrorBody = z.object({ code: ErrorCodeSchema, message: z.string(), hint: z.string() });

export const ToChildSchema = z.discriminatedUnion("type", [
  /** The configuration of a child started in standby (bin/standby-child.js); the first message it gets. */
  z.object({ type: z.literal("configure"), config: GeneratorConfigSchema }),
  z.object({ type: z.literal("run"), job: RenderJobSchema }),
  z.object({ type: z.literal("cancel"), jobId: z.uuid() }),
  /** Re-read the installed models (a package may have been installed since the start). */
  z.object({ type: z.literal("info") }),
]);
export type ToChild = z.infer<typeof ToChildSchema>;

export const FromChildSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready"), info: GeneratorInfoSchema, pid: z.number().int() }),
  z.object({ type: z.literal("info"), info: GeneratorInfoSchema }),
  /** The generator could not even start (no ffmpeg, broken install); the helper reports it and retries later. */
  z.object({ type: z.literal("fatal"), error: ErrorBody }),
  z.object({ type: z.literal("progress"), jobId: z.uuid(), progress: ProgressSchema }),
  z.object({
    type: z.literal("preview"),
    jobId: z.uuid(),
    frameIndex: z.number().int().min(0),
    width: z.number().int().min(1).max(0xffff),
    height: z.number().int().min(1).max(0xffff),
    jpeg: z.custom<Uint8Array>((v) => v instanceof Uint8Array, "expected bytes"),
  }),
  z.object({ type: z.literal("notice"), jobId: z.uuid().optional(), level: z.enum(["info", "warning"]), message: z.string() }),
  z.object({ type: z.literal("done"), jobId: z.uuid(), output: JobOutputSchema }),
  z.object({ type: z.literal("failed"), jobId: z.uuid(), error: ErrorBody }),
  z.object({ type: z.literal("cancelled"), jobId: z.uuid() }),
]);
export type FromChild = z.infer<typeof FromChildSchema>;

/**
 * What the helper passes on the child's command line (one JSON argument): the configuration, or standby (it
 * comes later as a "configure" message; the real pipeline only).
 */
export const ChildArgsSchema = z.union([
  z.object({ generatorModule: z.string().optional(), config: GeneratorConfigSchema }),
  z.object({ standby: z.literal(true) }),
]);
export type ChildArgs = z.infer<typeof ChildArgsSchema>;
