/** @jest-environment ./tests/inference/ort-environment.js */
import { floatTensor, fromHalf, readFloat, toHalf } from "../../helper-service/inference/tensors.js";
import { PromptTokenizer } from "../../helper-service/inference/tokenizer.js";
import { readManifest } from "../../helper-service/inference/package.js";
import { join } from "node:path";
import { TINY } from "./helpers.js";

describe("float16 packages", () => {
  test.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff],
    [1e6, 0x7c00], // overflow to infinity
    [2 ** -24, 0x0001], // smallest subnormal
    [0, 0],
  ])("%d is half 0x%s", (value, half) => {
    expect(toHalf(value)).toBe(half);
    if (half !== 0x7c00) expect(fromHalf(half)).toBe(value);
  });

  test("values round-trip through a float16 tensor within half precision", () => {
    const values = Float32Array.from([0.1, -0.333, 3.14159, -100.5, 1e-3]);
    const tensor = floatTensor("float16", values, [5]);
    expect(tensor.type).toBe("float16");
    readFloat(tensor, "x").forEach((v, i) => expect(Math.abs(v - values[i]!)).toBeLessThanOrEqual(Math.abs(values[i]!) * 1e-3));
  });
});

describe("prompt tokenizer", () => {
  test("lower-cases, maps unknown words to the unk token, pads, masks, and counts what was cut", async () => {
    const m = await readManifest(TINY);
    const tokenizer = await PromptTokenizer.load(join(TINY, m.text.tokenizer), m.text);
    const batch = tokenizer.encode(["A RED zebra", "", Array(20).fill("ball").join(" ")]);
    const T = m.text.maxTokens;
    const row = (b: number) => Array.from(batch.ids.slice(b * T, b * T + T), Number);
    const mask = (b: number) => Array.from(batch.mask.slice(b * T, b * T + T), Number);
    expect(row(0).slice(0, 4)).toEqual([2, 15, 1, 0]); // a, red, [UNK], padding
    expect(mask(0).slice(0, 4)).toEqual([1, 1, 1, 0]);
    expect(row(1)).toEqual(Array(T).fill(0)); // the empty prompt is all padding...
    expect(mask(1)).toEqual(Array(T).fill(0)); // ...with nothing attendable
    expect(mask(2)).toEqual(Array(T).fill(1));
    expect(batch.dropped).toEqual([0, 0, 4]);
  });
});
