/** @jest-environment ./tests/inference/ort-environment.js */
import * as ort from "onnxruntime-node";
import { countFlops, nodeFlops } from "../../bench/flops.js";
import { ModelPackage } from "../../helper-service/inference/package.js";
import { generate } from "../../helper-service/inference/pipeline.js";
import { spyDenoiser, TINY } from "./helpers.js";

// the tiny package's DiT (training/config.py "tiny"): width 32, one block, two heads
const WIDTH = 32;
const DEPTH = 1;

test("a MultiHeadAttention node counts the FLOPs of the two matrix products it replaces", () => {
  const [b, heads, s, l, dh] = [2, 6, 96, 25, 32];
  const scores = nodeFlops("MatMul", [[b, heads, s, dh], [b, heads, dh, l]], [[b, heads, s, l]]);
  const mix = nodeFlops("MatMul", [[b, heads, s, l], [b, heads, l, dh]], [[b, heads, s, dh]]);
  const d = heads * dh;
  expect(nodeFlops("MultiHeadAttention", [[b, s, d], [b, l, d], [b, l, d], [], [], [b, 1, s, l]], [[b, s, d]])).toBe(scores + mix);
  // keys given per head ([B, heads, L, dh]) count the same
  expect(nodeFlops("MultiHeadAttention", [[b, s, d], [b, heads, l, dh], [b, heads, l, dh]], [[b, s, d]])).toBe(scores + mix);
  expect(nodeFlops("Add", [[b, s, d], [b, s, d]], [[b, s, d]])).toBe(0);
});

test("the tiny denoiser's attention FLOPs are counted from the shapes it ran with", async () => {
  const pkg = await ModelPackage.load(TINY);
  try {
    const spy = await spyDenoiser(pkg, { device: "cpu", threads: 1 });
    await generate(pkg, { prompt: "a red circle moving left", seed: 1, frames: 17, size: [32, 32], steps: 1, device: "cpu", threads: 1 });
    spy.restore();
    const seen = spy.calls[0]!;
    const feeds = Object.fromEntries(
      Object.entries(seen).map(([name, t]) => [name, new ort.Tensor(name === "text_mask" ? "int64" : "float32", t.data as Float32Array, t.dims)]),
    );
    const [b = 0, , f = 0, h = 0, w = 0] = feeds.latents!.dims;
    const k = feeds.cond_latents!.dims[2]!;
    const tokens = (f + k) * (h / 2) * (w / 2); // 2x2 patches of the window and of its conditioning latents
    const textKeys = feeds.text_embeds!.dims[1]! + 1; // the prompt and the learned null token
    const { byOp, flops } = await countFlops(pkg.path(pkg.manifest.denoiser.file), feeds);
    const perBlock = 2 * b * tokens * tokens * 2 * WIDTH + 2 * b * tokens * textKeys * 2 * WIDTH;
    expect(byOp.MultiHeadAttention).toBe(DEPTH * perBlock);
    expect(flops).toBeGreaterThan(byOp.MultiHeadAttention!);
  } finally {
    await pkg.dispose();
  }
});
