/**
 * `model.json`, the description every model package carries (the model package contract in the design). The zod
 * schema is the one definition: the type is inferred from it, and a bad file gets one error naming every bad field.
 */
import { z } from "zod";
import { describeIssues } from "../../shared/parse.js";
import { TesseraError } from "../../shared/errors.js";

export const MANIFEST_FILE = "model.json";
export const MANIFEST_FORMAT = "tessera-model/1";

const PositiveInt = z.number().int().min(1);
const Finite = z.number().refine(Number.isFinite, "must be a finite number");
/** Package-relative file names: no absolute paths, no `..`, forward slashes only, so a package cannot point outside. */
const FileName = z
  .string()
  .min(1)
  .max(255)
  .refine(
    (name) => !name.startsWith("/") && !name.includes("\\") && !name.split("/").includes("..") && !/^[a-z]:/i.test(name),
    "must be a file name inside the package folder (no absolute path, no `..`, forward slashes)",
  );
const Rgb = z.tuple([Finite, Finite, Finite]);

export const ManifestSchema = z
  .object({
    format: z.literal(MANIFEST_FORMAT, { error: `must be "${MANIFEST_FORMAT}"` }),
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, "must be letters, digits, '.', '_' or '-' (it names a folder)"),
    version: z.string().regex(/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/, "must be a version like 1.0.0"),
    license: z.string().min(1),
    description: z.string(),
    video: z.object({
      fps: z.number().positive(),
      /** [width, height] in pixels. */
      sizes: z.array(z.tuple([PositiveInt, PositiveInt])).min(1),
      frames: z.object({ step: PositiveInt, offset: PositiveInt, max: PositiveInt }),
    }),
    latent: z.object({
      channels: PositiveInt,
      temporal: PositiveInt,
      spatial: PositiveInt,
      mean: z.array(Finite),
      std: z.array(z.number().positive()),
      rgbFactors: z.array(Rgb),
      rgbBias: Rgb,
    }),
    text: z.object({
      tokenizer: FileName,
      maxTokens: PositiveInt,
      encoder: FileName,
      dim: PositiveInt,
      padId: z.number().int().min(0),
      unkToken: z.string().min(1),
    }),
    denoiser: z.object({
      file: FileName,
      prediction: z.literal("flow-velocity", { error: 'must be "flow-velocity" (the only prediction supported)' }),
      patch: z.tuple([PositiveInt, PositiveInt, PositiveInt]),
    }),
    vae: z.object({ encoder: FileName, decoder: FileName }),
    scheduler: z.object({
      kind: z.literal("flow-match-euler", { error: 'must be "flow-match-euler" (the only scheduler supported)' }),
      shift: z.number().positive(),
      steps: PositiveInt,
      guidance: z.number().min(1),
    }),
    capabilities: z.object({
      textToVideo: z.boolean(),
      extendTail: z.boolean(),
      extendHead: z.boolean(),
      fill: z.boolean(),
      conditionFrames: PositiveInt,
    }),
    dtype: z.object({ default: z.enum(["float32", "float16"]) }),
    files: z.record(z.string(), z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex digits"), bytes: z.number().int().min(0) })),
  })
  .superRefine((m, ctx) => {
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const { latent, video, capabilities, denoiser } = m;
    const C = latent.channels;
    if (latent.mean.length !== C) issue(["latent", "mean"], `must have ${C} numbers (latent.channels)`);
    if (latent.std.length !== C) issue(["latent", "std"], `must have ${C} numbers (latent.channels)`);
    if (latent.rgbFactors.length !== C) issue(["latent", "rgbFactors"], `must have ${C} rows (latent.channels)`);
    // a causal VAE codes the first frame alone and then `temporal` frames per latent: frames = 1 + temporal * k
    if (video.frames.offset !== 1) issue(["video", "frames", "offset"], "must be 1 (the first frame is coded alone)");
    if (video.frames.step !== latent.temporal) issue(["video", "frames", "step"], "must equal latent.temporal");
    if ((video.frames.max - video.frames.offset) % video.frames.step !== 0) {
      issue(["video", "frames", "max"], "must be offset + step * k");
    }
    const cf = capabilities.conditionFrames;
    if (cf < 1 + latent.temporal || (cf - 1) % latent.temporal !== 0) {
      issue(["capabilities", "conditionFrames"], `must be 1 + ${latent.temporal} * (m - 1) with m >= 2 (one latent is a still)`);
    }
    if (cf > video.frames.max) issue(["capabilities", "conditionFrames"], "must not exceed video.frames.max");
    const [, ph, pw] = denoiser.patch;
    video.sizes.forEach(([w, h], i) => {
      if (w % (latent.spatial * pw) !== 0 || h % (latent.spatial * ph) !== 0) {
        issue(["video", "sizes", i], `[${w}, ${h}] must divide by latent.spatial * patch (${latent.spatial * pw}x${latent.spatial * ph})`);
      }
    });
    for (const name of Object.keys(m.files)) {
      const check = FileName.safeParse(name);
      if (!check.success) issue(["files", name], check.error.issues[0]!.message);
    }
    for (const [path, name] of referencedFiles(m)) {
      if (!Object.hasOwn(m.files, name)) issue(path, `names "${name}", which is not listed in files`);
    }
  });

export type Manifest = z.infer<typeof ManifestSchema>;
export type GraphName = "textEncoder" | "denoiser" | "vaeEncoder" | "vaeDecoder";

/** Every file the manifest points at, with the field that names it. */
function referencedFiles(m: Pick<Manifest, "text" | "denoiser" | "vae">): Array<[PropertyKey[], string]> {
  return [
    [["text", "tokenizer"], m.text.tokenizer],
    [["text", "encoder"], m.text.encoder],
    [["denoiser", "file"], m.denoiser.file],
    [["vae", "encoder"], m.vae.encoder],
    [["vae", "decoder"], m.vae.decoder],
  ];
}

export function graphFile(m: Manifest, graph: GraphName): string {
  switch (graph) {
    case "textEncoder":
      return m.text.encoder;
    case "denoiser":
      return m.denoiser.file;
    case "vaeEncoder":
      return m.vae.encoder;
    case "vaeDecoder":
      return m.vae.decoder;
  }
}

/** Parses model.json text; `where` names the file in the error ("models/x/model.json"). */
export function parseManifest(text: string, where: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TesseraError("E_MODEL_INVALID", `${where} is not JSON (${(error as Error).message}).`);
  }
  const result = ManifestSchema.safeParse(value);
  if (!result.success) throw new TesseraError("E_MODEL_INVALID", `${where}: ${describeIssues(result.error)}`);
  return result.data;
}

/** Latent frames for n pixel frames: the first frame alone, then one latent per `temporal` frames. */
export function latentFrames(m: Manifest, pixelFrames: number): number {
  return (pixelFrames - 1) / m.latent.temporal + 1;
}

/** The smallest frame count in the model's grammar (1 + temporal * k) that holds n frames. */
export function framesInGrammar(m: Manifest, n: number): number {
  const t = m.latent.temporal;
  return 1 + t * Math.ceil(Math.max(0, n - 1) / t);
}
