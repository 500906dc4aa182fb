/** @jest-environment ./tests/inference/ort-environment.js */
import { checkPackage, formatReport } from "../../helper-service/inference/checker.js";
import { BROKEN, hasReference, ORACLE, REFERENCE, TINY } from "./helpers.js";

describe("model package contract checker", () => {
  test.each([
    ["tiny random package", TINY],
    ["oracle package", ORACLE],
  ])("the %s meets the contract", async (_name, dir) => {
    const report = await checkPackage(dir);
    expect(formatReport(dir, report)).toMatch(/meets the model package contract/);
    expect(report.problems).toEqual([]);
    // 2 sizes x F 1,3,5 x K 1,2,4 denoiser runs, 7 input-sensitivity runs per size, VAE both ways, text encoder
    expect(report.runs).toBe(2 * (9 + 7 + 6) + 1);
  });

  (hasReference ? test : test.skip)("the reference model meets the contract", async () => {
    const report = await checkPackage(REFERENCE);
    expect(report.problems).toEqual([]);
  });

  test("every fault of a broken package is reported at once, with file and tensor", async () => {
    const report = await checkPackage(BROKEN);
    expect(report.ok).toBe(false);
    const text = formatReport(BROKEN, report);
    expect(text).toMatch(/text_encoder\.onnx \[attention_mask\]: input attention_mask is float32, expected int64/);
    expect(text).toMatch(/transformer\.onnx \[cond_times\]: missing input cond_times/);
    expect(text).toMatch(/transformer\.onnx \[cond_time\]: unexpected input cond_time/);
    expect(text).toMatch(/vae_decoder\.onnx \[frames\]: 32x32 F=3: frames has shape \[1, 3, 9, 16, 16\], expected \[1, 3, 9, 32, 32\]/);
    expect(text).toMatch(/vae_decoder\.onnx \[frames\]: 64x32 F=5/);
  });

  test("a package that fails its checksums is reported with the files named", async () => {
    const { tempCopy } = await import("./helpers.js");
    const { writeFile } = await import("node:fs/promises");
    const copy = await tempCopy(ORACLE);
    await writeFile(`${copy.dir}/tokenizer.json`, "{}");
    const report = await checkPackage(copy.dir);
    expect(report.problems).toContainEqual(expect.objectContaining({ file: "tokenizer.json", message: expect.stringMatching(/is 2 bytes, model\.json says/) }));
    await copy.cleanup();
  });
});
