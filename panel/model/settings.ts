// What the user set, read back through zod from storage (a value from an older panel falls back to its default).
import { z } from "zod";
import { AudioModeSchema, FitModeSchema, OutputFormatSchema } from "../../shared/protocol.js";
import { durationFrames, durationSeconds, type FrameRate, type TimecodeOptions } from "../../shared/time.js";
import type { KeyValueStore } from "../workflows/ledger.js";
import { QualitySchema } from "../workflows/request.js";

export const SettingsSchema = z.object({
  /** Extra frames before and after B-roll and replacements, trimmed by the placed item's In/Out. */
  handles: z.number().int().min(0).max(120).catch(12),
  format: OutputFormatSchema.catch("h264"),
  fit: FitModeSchema.catch("fill"),
  whenNoTrackFree: z.enum(["ask", "new-track"]).catch("ask"),
  /** A fixed helper port; null probes 48750-48753. */
  port: z.number().int().min(1).max(65535).nullable().catch(null),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const FormSchema = z.object({
  prompt: z.string().catch(""),
  negativePrompt: z.string().catch(""),
  duration: z.number().positive().catch(4),
  durationUnit: z.enum(["seconds", "frames"]).catch("seconds"),
  quality: QualitySchema.catch("standard"),
  seed: z.number().int().min(0).max(0xffffffff).catch(0),
  seedLocked: z.boolean().catch(false),
  modelId: z.string().nullable().catch(null),
  extendAt: z.enum(["head", "tail"]).catch("tail"),
  /** Extend and fill: continue the footage's sound under the new frames, or leave them silent. */
  sound: AudioModeSchema.catch("extend"),
  /** B-roll: a clip whose last frame flows into its first. */
  loop: z.boolean().catch(false),
});
export type Form = z.infer<typeof FormSchema>;

export const DEFAULT_SECONDS = 4;

function load<T>(store: KeyValueStore, key: string, schema: z.ZodType<T>): T {
  let raw: unknown = {};
  try {
    raw = JSON.parse(store.getItem(key) ?? "{}");
  } catch {
    raw = {};
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : schema.parse({});
}

export const loadSettings = (store: KeyValueStore): Settings => load(store, "tessera.settings", SettingsSchema);
export const saveSettings = (store: KeyValueStore, s: Settings): void => store.setItem("tessera.settings", JSON.stringify(s));
export const loadForm = (store: KeyValueStore): Form => load(store, "tessera.form", FormSchema);
export const saveForm = (store: KeyValueStore, f: Form): void => store.setItem("tessera.form", JSON.stringify(f));

/**
 * Whole sequence frames for the duration field, as editors count seconds: the frames of that timecode (4 s at
 * 23.976 is 00:00:04:00, 96 frames; drop-frame where the sequence displays it).
 */
export function requestedFrames(form: Pick<Form, "duration" | "durationUnit">, fps: FrameRate, timecode?: TimecodeOptions): number {
  const frames = form.durationUnit === "frames" ? Math.round(form.duration) : durationFrames(form.duration, fps, timecode);
  return Math.max(1, frames);
}

/** The same duration in the other unit, so switching units keeps the length. */
export function convertDuration(form: Pick<Form, "duration" | "durationUnit">, fps: FrameRate, timecode?: TimecodeOptions): number {
  const frames = requestedFrames(form, fps, timecode);
  return form.durationUnit === "seconds" ? frames : durationSeconds(frames, fps, timecode);
}
