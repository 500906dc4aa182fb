// Provenance on every output: the generation record as XMP inside the file (with IPTC DigitalSourceType
// trainedAlgorithmicMedia, which Adobe apps and C2PA readers recognise) and as a sidecar JSON next to it.
// ffmpeg cannot write XMP, so exiftool-vendored does; a small exiftool config declares Tessera's XMP namespace.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { readFile, readdir, rename, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import nodePath from "node:path";
import { ExifTool } from "exiftool-vendored";
import { z } from "zod";
import { TesseraError } from "../../shared/errors.js";
import { GenerationRecordSchema, type GenerationRecord } from "../../shared/protocol.js";

export const DIGITAL_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";
export const XMP_NAMESPACE = "https://tessera.video/ns/record/1.0/";
const SIDECAR_SUFFIX = ".tessera.json";

/** The sidecar file: the record plus the file it describes. */
export const SidecarSchema = z.object({
  format: z.literal("tessera-record/1"),
  file: z.string(),
  record: GenerationRecordSchema,
});
export type Sidecar = z.infer<typeof SidecarSchema>;

const EXIFTOOL_CONFIG = `%Image::ExifTool::UserDefined = (
    'Image::ExifTool::XMP::Main' => {
        tessera => { SubDirectory => { TagTable => 'Image::ExifTool::UserDefined::tessera' } },
    },
);
%Image::ExifTool::UserDefined::tessera = (
    GROUPS => { 0 => 'XMP', 1 => 'XMP-tessera', 2 => 'Image' },
    NAMESPACE => { 'tessera' => '${XMP_NAMESPACE}' },
    WRITABLE => 'string',
    Record => { },
);
1;
`;

let exiftool: ExifTool | undefined;

// The config is written from this string (not shipped as a file) so the helper still works when bundled.
function configPath(): string {
  const hash = createHash("sha256").update(EXIFTOOL_CONFIG).digest("hex").slice(0, 12);
  const dir = nodePath.join(tmpdir(), "tessera-exiftool");
  const file = nodePath.join(dir, `xmp-${hash}.config`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, EXIFTOOL_CONFIG);
  return file;
}

function tool(): ExifTool {
  exiftool ??= new ExifTool({
    // -config must come first on exiftool's command line.
    exiftoolArgs: ["-config", configPath(), "-charset", "filename=utf8", "-stay_open", "True", "-@", "-"],
    maxProcs: 1,
    taskTimeoutMillis: 20_000,
  });
  return exiftool;
}

/**
 * Starts exiftool's helper process now, so its Perl start-up (about half a second) overlaps the render instead
 * of following it; writeEmbeddedRecord then finds it running. A throwaway XMP write also loads exiftool's XMP
 * writer, which the first real write would otherwise spend 0.2-0.3 s on after the last frame (then 20-40 ms).
 * A failure here surfaces in writeEmbeddedRecord, with its context.
 */
export function warmUpMetadata(): void {
  const scratch = nodePath.join(nodePath.dirname(configPath()), `warm-${process.pid}-${Date.now()}.xmp`);
  tool()
    .write(scratch, recordTags({ tool: { name: "Tessera", version: "0" }, createdAt: "2000-01-01T00:00:00Z", prompt: "" }, "{}"), { writeArgs: ["-overwrite_original"] })
    .catch(() => undefined)
    .finally(() => unlink(scratch).catch(() => undefined));
}

/** Stops exiftool's helper process (call on shutdown; tests call it in afterAll). */
export async function closeMetadata(): Promise<void> {
  const running = exiftool;
  exiftool = undefined;
  await running?.end();
}

function recordTags(record: Pick<GenerationRecord, "tool" | "createdAt" | "prompt">, json: string): Record<string, string> {
  return {
    "XMP-iptcExt:DigitalSourceType": DIGITAL_SOURCE_TYPE,
    "XMP-xmp:CreatorTool": `${record.tool.name} ${record.tool.version}`,
    "XMP-xmp:CreateDate": record.createdAt,
    "XMP-dc:Description": record.prompt,
    "XMP-tessera:Record": json,
  };
}

/** Writes XMP with the record and DigitalSourceType into a MP4, MOV or PNG in place. */
export async function writeEmbeddedRecord(file: string, record: GenerationRecord): Promise<void> {
  try {
    await tool().write(file, recordTags(record, JSON.stringify(record)), { writeArgs: ["-overwrite_original"] });
  } catch (err) {
    throw new TesseraError("E_ENCODE", `Writing metadata into "${nodePath.basename(file)}" failed: ${(err as Error).message}`);
  }
}

export interface EmbeddedMetadata {
  digitalSourceType: string | undefined;
  creatorTool: string | undefined;
  record: GenerationRecord | undefined;
}

/** The XMP Tessera wrote, read back with the same library. */
export async function readEmbeddedMetadata(file: string): Promise<EmbeddedMetadata> {
  const raw = (await tool().readRaw(file, { readArgs: ["-XMP:all", "-G1"] })) as Record<string, unknown>;
  const text = raw["XMP-tessera:Record"];
  let record: GenerationRecord | undefined;
  if (typeof text === "string") {
    const parsed = GenerationRecordSchema.safeParse(safeJson(text));
    if (!parsed.success) throw new TesseraError("E_MEDIA_CORRUPT", `"${file}" carries a damaged Tessera record.`);
    record = parsed.data;
  }
  const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
  return {
    digitalSourceType: str(raw["XMP-iptcExt:DigitalSourceType"]),
    creatorTool: str(raw["XMP-xmp:CreatorTool"]),
    record,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `clip.mp4` -> `clip.mp4.tessera.json`; a PNG sequence folder `clip` -> `clip.tessera.json`. */
export function sidecarPath(output: string): string {
  return `${output.replace(/[\\/]+$/, "")}${SIDECAR_SUFFIX}`;
}

/** Writes the sidecar atomically (temp name, then rename). */
export async function writeSidecar(output: string, record: GenerationRecord): Promise<string> {
  const path = sidecarPath(output);
  const body: Sidecar = { format: "tessera-record/1", file: nodePath.basename(output), record };
  const temp = `${path}.partial-${process.pid}`;
  await writeFile(temp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o644 });
  try {
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  return path;
}

export interface RecordReadout {
  record: GenerationRecord;
  /** Where it came from: the file's own XMP (travels with the file) or the sidecar. */
  source: "xmp" | "sidecar";
  digitalSourceType: string | undefined;
}

/**
 * The generation record of a Tessera output (history, "re-run this clip"): from the file's XMP first, else from
 * the sidecar. A PNG sequence folder is read through its first frame. Returns null for files without a record.
 */
export async function readRecord(file: string): Promise<RecordReadout | null> {
  let target = file;
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new TesseraError("E_MEDIA_UNSUPPORTED", `"${file}" does not exist.`);
  if (info.isDirectory()) {
    const first = (await readdir(file)).filter((n) => n.toLowerCase().endsWith(".png")).sort()[0];
    target = first ? nodePath.join(file, first) : "";
  }
  if (target) {
    const embedded = await readEmbeddedMetadata(target);
    if (embedded.record) {
      return { record: embedded.record, source: "xmp", digitalSourceType: embedded.digitalSourceType };
    }
  }
  const text = await readFile(sidecarPath(file), "utf8").catch(() => undefined);
  if (text === undefined) return null;
  const parsed = SidecarSchema.safeParse(safeJson(text));
  if (!parsed.success) throw new TesseraError("E_MEDIA_CORRUPT", `The sidecar of "${file}" is damaged.`);
  return { record: parsed.data.record, source: "sidecar", digitalSourceType: parsed.data.record.digitalSourceType };
}
