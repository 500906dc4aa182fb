import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { TesseraError } from "../../shared/errors.js";
import { parseManifest } from "../../helper-service/inference/manifest.js";
import { classifyRunError, isOutOfMemory, smallerSuggestion } from "../../helper-service/inference/oom.js";
import { TINY } from "./helpers.js";

const manifest = parseManifest(readFileSync(join(TINY, "model.json"), "utf8"), "tiny/model.json");

describe("out-of-memory errors", () => {
  test.each([
    "Non-zero status code returned while running Transpose node. Status Message: bfc_arena.cc:360 Failed to allocate memory for requested buffer of size 142606336",
    "CUDA failure 2: out of memory ; GPU=0 ; hostname=x ; file=cuda_allocator.cc",
    "D3D12 device removed: 887A0005",
    "std::bad_alloc",
    "MTLBuffer allocation: Insufficient Memory (00000008:kIOGPUCommandBufferCallbackErrorOutOfMemory)",
  ])("%s is recognised", (message) => {
    expect(isOutOfMemory(new Error(message))).toBe(true);
  });

  test("other failures are not", () => {
    expect(isOutOfMemory(new Error("Invalid rank for input: latents Got: 4 Expected: 5"))).toBe(false);
    const error = new Error("Got invalid dimensions for input");
    expect(classifyRunError(error, { manifest, size: [64, 32], windowFrames: 17 }, "Denoising")).toBe(error);
  });

  test("the answer names a concrete smaller size and window of the same model", () => {
    const classified = classifyRunError(new Error("Failed to allocate memory for requested buffer of size 1"), { manifest, size: [64, 32], windowFrames: 17 }, "Denoising");
    expect(classified).toBeInstanceOf(TesseraError);
    const error = classified as TesseraError;
    expect(error.code).toBe("E_OUT_OF_MEMORY");
    expect(error.message).toMatch(/Denoising at 64x32 with 17-frame windows needed more than the device has\. Try the 32x32 size instead of 64x32, or windows of 9 frames instead of 17 \(windowFrames: 9\)/);
    // at the smallest size only the window can shrink
    expect(smallerSuggestion({ manifest, size: [32, 32], windowFrames: 17 })).toMatch(/^Try windows of 9 frames/);
  });

  test("a real allocation failure of onnxruntime is classified", async () => {
    const script = join(__dirname, "fixtures", "allocate.mjs");
    const decoder = join(TINY, "vae_decoder.onnx");
    let output: string;
    try {
      // 1.5 GB of address space: node starts, a 256x256-latent decode does not fit
      ({ stdout: output } = await promisify(execFile)("sh", ["-c", `ulimit -v 1500000 && exec "${process.execPath}" "${script}" "${decoder}"`], { timeout: 60_000 }));
    } catch (error) {
      console.warn(`skipped: node could not run under a 1.5 GB address-space limit here (${(error as Error).message.split("\n")[0]})`);
      return;
    }
    const { side, message } = JSON.parse(output.trim().split("\n").at(-1)!) as { side: number | null; message: string | null };
    expect(side).not.toBeNull();
    const classified = classifyRunError(new Error(message!), { manifest, size: [64, 32], windowFrames: 17 }, "Decoding");
    expect(classified).toMatchObject({ code: "E_OUT_OF_MEMORY" });
  });
});
