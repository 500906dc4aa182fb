/** @jest-environment ./tests/inference/ort-environment.js */
import { readFile, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { TesseraError } from "../../shared/errors.js";
import { ModelPackage } from "../../helper-service/inference/package.js";
import { generate } from "../../helper-service/inference/pipeline.js";
import { createHash } from "node:crypto";
import { BROKEN, ORACLE, tempCopy, TINY, tinyFileEntry } from "./helpers.js";

async function refusal(dir: string): Promise<TesseraError> {
  const error = await ModelPackage.load(dir).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TesseraError);
  return error as TesseraError;
}

describe("model package loading", () => {
  test("the tiny package loads, and its sessions are opened once and reused", async () => {
    const pkg = await ModelPackage.load(TINY);
    expect(pkg.manifest.id).toBe("tessera-random-tiny");
    const runtime = await pkg.runtime({ device: "cpu", threads: 1 });
    expect(await pkg.runtime({ device: "cpu", threads: 1 })).toBe(runtime);
    const denoiser = await runtime.session("denoiser");
    expect(await runtime.session("denoiser")).toBe(denoiser);
    expect(runtime.device).toBe("cpu");
    await pkg.dispose();
    expect(() => pkg.runtime({ device: "cpu", threads: 1 })).toThrow(/disposed/);
  });

  test("a missing file is named", async () => {
    const copy = await tempCopy(TINY);
    await rm(join(copy.dir, "vae_encoder.onnx"));
    const error = await refusal(copy.dir);
    expect(error.code).toBe("E_MODEL_INVALID");
    expect(error.message).toMatch(/vae_encoder\.onnx is listed in model\.json \(files\) but missing/);
    await copy.cleanup();
  });

  test("a changed file fails its sha256, a cut one its size, both reported at once", async () => {
    const copy = await tempCopy(TINY);
    const path = join(copy.dir, "transformer.onnx");
    const bytes = await readFile(path);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    await writeFile(path, bytes);
    await truncate(join(copy.dir, "tokenizer.json"), 100);
    const error = await refusal(copy.dir);
    expect(error.code).toBe("E_MODEL_HASH");
    const recorded = tinyFileEntry("transformer.onnx").sha256;
    expect(error.message).toMatch(new RegExp(`transformer\\.onnx has sha256 (?!${recorded})[0-9a-f]{64}, model\\.json says ${recorded}`));
    expect(error.message).toMatch(/tokenizer\.json is 100 bytes, model\.json says 1262/);
    expect(error.hint).toMatch(/reinstall/i);
    await copy.cleanup();
  });

  test("a missing model.json is named", async () => {
    const copy = await tempCopy(TINY);
    await rm(join(copy.dir, "model.json"));
    const error = await refusal(copy.dir);
    expect(error.message).toMatch(/model\.json cannot be read \(ENOENT\)/);
    await copy.cleanup();
  });

  test("graphs with wrong tensor names or dtypes fail with the file and tensor named", async () => {
    const pkg = await ModelPackage.load(BROKEN);
    const request = { prompt: "red", seed: 1, frames: 5, size: [32, 32] as [number, number], device: "cpu" as const, threads: 1 };
    await expect(generate(pkg, request)).rejects.toThrow(/text_encoder\.onnx: input attention_mask is float32, expected int64/);
    const runtime = pkg.runtime({ device: "cpu", threads: 1 });
    await expect(runtime).rejects.toMatchObject({ code: "E_MODEL_INVALID" });
    await pkg.dispose();
  });

  test("a graph that returns the wrong shape fails with the file and tensor named", async () => {
    // the oracle package with the broken decoder (it upsamples 2x instead of 4x), listed with its true checksum
    const copy = await tempCopy(ORACLE);
    const decoder = await readFile(join(BROKEN, "vae_decoder.onnx"));
    await writeFile(join(copy.dir, "vae_decoder.onnx"), decoder);
    const manifest = JSON.parse(await readFile(join(copy.dir, "model.json"), "utf8"));
    manifest.files["vae_decoder.onnx"] = { sha256: createHash("sha256").update(decoder).digest("hex"), bytes: decoder.length };
    await writeFile(join(copy.dir, "model.json"), JSON.stringify(manifest));
    const pkg = await ModelPackage.load(copy.dir);
    await expect(generate(pkg, { prompt: "red", seed: 1, frames: 5, size: [32, 32], device: "cpu", threads: 1 })).rejects.toMatchObject({
      code: "E_MODEL_INVALID",
      message: expect.stringMatching(/vae_decoder\.onnx: output frames has shape \[1, 3, 5, 16, 16\], expected \[1, 3, 5, 32, 32\]/),
    });
    await pkg.dispose();
    await copy.cleanup();
  });
});
