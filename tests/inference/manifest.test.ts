import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TesseraError } from "../../shared/errors.js";
import { ManifestSchema, parseManifest } from "../../helper-service/inference/manifest.js";
import { TINY } from "./helpers.js";

const tiny = () => JSON.parse(readFileSync(join(TINY, "model.json"), "utf8")) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function errorOf(value: unknown): TesseraError {
  try {
    parseManifest(JSON.stringify(value), "pkg/model.json");
  } catch (error) {
    return error as TesseraError;
  }
  throw new Error("expected the manifest to be refused");
}

describe("model.json", () => {
  test("the tiny package's model.json is valid", () => {
    expect(ManifestSchema.safeParse(tiny()).success).toBe(true);
  });

  test.each<[string, (m: Record<string, any>) => void, RegExp]>([ // eslint-disable-line @typescript-eslint/no-explicit-any
    ["format", (m) => (m.format = "tessera-model/2"), /format: must be "tessera-model\/1"/],
    ["size", (m) => (m.video.sizes = [[30, 32]]), /video\.sizes\[0\]: \[30, 32\] must divide by latent\.spatial \* patch \(8x8\)/],
    ["mean length", (m) => (m.latent.mean = [0, 0]), /latent\.mean: must have 8 numbers/],
    ["rgbFactors", (m) => (m.latent.rgbFactors = m.latent.rgbFactors.slice(1)), /latent\.rgbFactors: must have 8 rows/],
    ["frame grammar", (m) => (m.video.frames.max = 16), /video\.frames\.max: must be offset \+ step \* k/],
    ["condition frames", (m) => (m.capabilities.conditionFrames = 4), /capabilities\.conditionFrames/],
    ["unlisted file", (m) => delete m.files["vae_decoder.onnx"], /vae\.decoder: names "vae_decoder\.onnx", which is not listed in files/],
    ["escaping file", (m) => (m.files["../evil.onnx"] = { sha256: "0".repeat(64), bytes: 1 }), /files.*inside the package folder/],
    ["hash", (m) => (m.files["tokenizer.json"].sha256 = "xyz"), /files\.tokenizer\.json\.sha256: must be 64 lower-case hex digits/],
    ["missing field", (m) => delete m.text.maxTokens, /text\.maxTokens/],
    ["prediction", (m) => (m.denoiser.prediction = "epsilon"), /denoiser\.prediction: must be "flow-velocity"/],
  ])("a bad %s is refused with the field named", (_name, mutate, message) => {
    const m = tiny();
    mutate(m);
    const error = errorOf(m);
    expect(error).toBeInstanceOf(TesseraError);
    expect(error.code).toBe("E_MODEL_INVALID");
    expect(error.message).toMatch(/pkg\/model\.json/);
    expect(error.message).toMatch(message);
  });

  test("text that is not JSON is refused", () => {
    expect(() => parseManifest("{ nope", "x/model.json")).toThrow(/x\/model\.json is not JSON/);
  });
});
