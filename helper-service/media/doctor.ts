// `tessera doctor`'s media section: which ffmpeg/ffprobe run, their versions, the encoders outputs need, the
// metadata writer and optional C2PA signing, each with a fix when something is missing.
import { z } from "zod";
import { ERRORS, TesseraError } from "../../shared/errors.js";
import { locateTool, type LocateOptions, type ToolLocation, type ToolName } from "./binaries.js";
import { c2paAvailability } from "./c2pa.js";
import { runTool } from "./process.js";

export const REQUIRED_ENCODERS = ["libx264", "prores_ks", "png"] as const;

export const MediaCheckSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  /** Optional parts (C2PA) never make the report fail. */
  optional: z.boolean(),
  detail: z.string(),
  fix: z.string().optional(),
});
export type MediaCheck = z.infer<typeof MediaCheckSchema>;

export const MediaDoctorReportSchema = z.object({
  ok: z.boolean(),
  ffmpeg: z.object({ path: z.string(), source: z.string(), version: z.string() }).nullable(),
  ffprobe: z.object({ path: z.string(), source: z.string(), version: z.string() }).nullable(),
  encoders: z.record(z.string(), z.boolean()),
  checks: z.array(MediaCheckSchema),
});
export type MediaDoctorReport = z.infer<typeof MediaDoctorReportSchema>;

const SOURCE_LABEL: Record<ToolLocation["source"], string> = {
  setting: "the helper setting",
  env: "the environment variable",
  npm: "the bundled npm package",
  system: "the system PATH",
};

async function version(tool: ToolLocation): Promise<string> {
  const result = await runTool(tool.path, ["-hide_banner", "-version"], { timeoutMs: 10_000, collectStdout: true });
  if (result.code !== 0) throw new Error(result.stderr || result.spawnError?.message || `exit ${result.code}`);
  const first = result.stdout.toString("utf8").split("\n")[0] ?? "";
  return /version\s+(\S+)/.exec(first)?.[1] ?? first.trim();
}

async function encoderList(ffmpeg: ToolLocation): Promise<Set<string>> {
  const result = await runTool(ffmpeg.path, ["-hide_banner", "-encoders"], { timeoutMs: 10_000, collectStdout: true });
  const names = new Set<string>();
  for (const line of result.stdout.toString("utf8").split("\n")) {
    const m = /^\s*[VAS][.A-Z]{5}\s+(\S+)/.exec(line);
    if (m?.[1]) names.add(m[1]);
  }
  return names;
}

async function checkTool(name: ToolName, options: LocateOptions, checks: MediaCheck[]): Promise<(ToolLocation & { version: string }) | null> {
  try {
    const location = locateTool(name, options);
    const v = await version(location);
    checks.push({ name, ok: true, optional: false, detail: `${v} from ${SOURCE_LABEL[location.source]} (${location.path})` });
    return { ...location, version: v };
  } catch (err) {
    const e = err instanceof TesseraError ? err : undefined;
    checks.push({
      name,
      ok: false,
      optional: false,
      detail: (err as Error).message,
      fix: e?.hint ?? ERRORS.E_FFMPEG_MISSING.hint,
    });
    return null;
  }
}

/** Everything media needs, checked for real (runs the binaries). Never throws. */
export async function doctorMedia(options: LocateOptions = {}): Promise<MediaDoctorReport> {
  const checks: MediaCheck[] = [];
  const ffmpeg = await checkTool("ffmpeg", options, checks);
  const ffprobe = await checkTool("ffprobe", options, checks);
  const encoders: Record<string, boolean> = {};
  if (ffmpeg) {
    const have = await encoderList(ffmpeg).catch(() => new Set<string>());
    for (const encoder of REQUIRED_ENCODERS) encoders[encoder] = have.has(encoder);
    const missing = REQUIRED_ENCODERS.filter((e) => !have.has(e));
    checks.push({
      name: "encoders",
      ok: missing.length === 0,
      optional: false,
      detail: missing.length === 0 ? `${REQUIRED_ENCODERS.join(", ")} available` : `missing: ${missing.join(", ")}`,
      ...(missing.length > 0
        ? { fix: "Use an ffmpeg build with libx264 and prores_ks: the bundled one has both (unset TESSERA_FFMPEG), or install your distribution's full ffmpeg." }
        : {}),
    });
  }
  const exif = await checkExiftool();
  checks.push(exif);
  const c2pa = await c2paAvailability();
  checks.push({
    name: "c2pa",
    ok: c2pa.installed,
    optional: true,
    detail: c2pa.detail,
    ...(c2pa.installed ? {} : { fix: "Optional: install it and configure a signing certificate to sign outputs with C2PA." }),
  });
  const strip = (t: (ToolLocation & { version: string }) | null) => (t ? { path: t.path, source: t.source, version: t.version } : null);
  return {
    ok: checks.every((c) => c.ok || c.optional),
    ffmpeg: strip(ffmpeg),
    ffprobe: strip(ffprobe),
    encoders,
    checks,
  };
}

async function checkExiftool(): Promise<MediaCheck> {
  try {
    const { ExifTool } = await import("exiftool-vendored");
    const et = new ExifTool({ maxProcs: 1 });
    try {
      const v = await et.version();
      return { name: "exiftool", ok: true, optional: false, detail: `ExifTool ${v} (writes XMP provenance)` };
    } finally {
      await et.end();
    }
  } catch (err) {
    return {
      name: "exiftool",
      ok: false,
      optional: false,
      detail: `ExifTool could not start: ${(err as Error).message}`,
      fix: "Reinstall Tessera's dependencies (npm ci); on Linux and macOS ExifTool also needs perl.",
    };
  }
}
