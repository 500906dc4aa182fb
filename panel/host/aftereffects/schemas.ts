// What host.jsx answers, as zod schemas (times in seconds of comp time, as After Effects reports them), and the
// arguments the panel sends it.
import { z } from "zod";

const seconds = z.number().finite();

export const SourceSchema = z.object({
  id: z.number().int(),
  kind: z.enum(["file", "still", "comp", "solid", "placeholder"]),
  name: z.string(),
  path: z.string().nullable(),
  /** 0 for sources without a rate (solids, stills). */
  frameRate: z.number().min(0),
  missing: z.boolean(),
});
export type AeSource = z.infer<typeof SourceSchema>;

export const LayerSchema = z.object({
  id: z.number().int(),
  /** 1 is the top of the stack. */
  index: z.number().int().min(1),
  name: z.string(),
  startTime: seconds,
  inPoint: seconds,
  outPoint: seconds,
  /** Source time shown at the in and out points (Time Remap or stretch applied); out < in for a reversed layer. */
  sourceIn: seconds,
  sourceOut: seconds,
  /** Percent: 100 normal, 200 half speed, negative reversed. */
  stretch: z.number().finite(),
  timeRemap: z.boolean(),
  selected: z.boolean(),
  locked: z.boolean(),
  video: z.boolean(),
  source: SourceSchema.nullable(),
});
export type AeLayer = z.infer<typeof LayerSchema>;

export const CompSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  frameRate: z.number().positive(),
  /** The comp counts drop-frame timecode (CompItem.dropFrame); absent from an older host.jsx: non-drop. */
  dropFrame: z.boolean().optional(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  time: seconds,
  duration: z.number().positive(),
  workAreaStart: seconds,
  workAreaDuration: z.number().min(0),
  /** Top of the stack first. */
  layers: z.array(LayerSchema),
});
export type AeComp = z.infer<typeof CompSchema>;

export const StateSchema = z.object({
  project: z.object({ name: z.string(), path: z.string().nullable() }).nullable(),
  comp: CompSchema.nullable(),
});
export type AeState = z.infer<typeof StateSchema>;

export const FootageSchema = z.object({ id: z.number().int(), name: z.string(), path: z.string() });

export const PlacedSchema = z.object({ layerId: z.number().int() });

/** Where a saved file went; null when the user cancelled the save dialog. */
export const SavedSchema = z.object({ path: z.string().min(1).nullable() });

/** Where the clip goes in the stack; "replace" swaps the footage of that layer (After Effects' Replace Footage). */
export type StackPosition = { relation: "top" } | { relation: "above" | "below" | "replace"; layer: number };

export interface EditArgs {
  label: string;
  compId: number;
  /** The layer ids top first as the panel last read them: host.jsx refuses the edit if the comp changed since. */
  expect: number[];
  remove: number[];
  /** Layers that overlap the new clip's range on its track: trimmed or split around it, as an overwrite does. */
  cuts: number[];
  place: StackPosition & { itemId: number; startTime: number; inPoint: number; outPoint: number; comment: string | null };
}
