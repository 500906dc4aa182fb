/** `tessera generate --draft`: a quarter of the model's steps at its smallest size for the shape, said in the record. */
import { join, resolve } from "node:path";
import { tempDir } from "../server/support.js";
import { ROOT, tessera } from "./support.js";

const env = { TESSERA_REFERENCE_DIR: resolve(ROOT, "tests/fixtures/tiny-model") };

test("a draft and its final: same prompt and seed, the draft with fewer steps; the record says which is which", async () => {
  const dir = tempDir("tessera-draft-");
  const data = join(dir, "data");
  const common = ["a kite", "--seconds", "1", "--fps", "24", "--size", "128x64", "--seed", "4", "--data-dir", data];
  const draft = await tessera(["generate", ...common, "--draft", "--out", join(dir, "draft.mp4")], { env, timeoutMs: 60_000 });
  expect(draft.code).toBe(0);
  const final = await tessera(["generate", ...common, "--out", join(dir, "final.mp4")], { env, timeoutMs: 60_000 });
  expect(final.code).toBe(0);
  type Item = { request: { quality?: string }; output: { path: string; record: { quality: string; steps: number; seed: number; modelSize: [number, number] } } };
  const items = JSON.parse((await tessera(["history", "kite", "--json", "--data-dir", data], { env })).stdout) as Item[];
  const byPath = (name: string) => items.find((i) => i.output.path.endsWith(name))!.output.record;
  expect(byPath("draft.mp4")).toMatchObject({ quality: "draft", steps: 5, seed: 4, modelSize: [64, 32] });
  expect(byPath("final.mp4")).toMatchObject({ quality: "final", steps: 20, seed: 4, modelSize: [64, 32] });
  const listed = (await tessera(["history", "kite", "--data-dir", data], { env })).stdout;
  expect(listed).toMatch(/seed 4 {2}24 frames at 24\/1 draft {2}"a kite" {2}\S*draft\.mp4$/m);
  expect(listed).toMatch(/seed 4 {2}24 frames at 24\/1 {2}"a kite" {2}\S*final\.mp4$/m);
}, 120_000);

test("a draft's size is the smallest the model makes in the sequence's shape; a final keeps every size", async () => {
  const { sizesFor, stepsFor } = await import("../../helper-service/render/quality.js");
  const sizes: [number, number][] = [[128, 64], [64, 32], [48, 48], [32, 64]];
  expect(sizesFor({ quality: "draft" }, sizes, { width: 1920, height: 1080 })).toEqual([[64, 32]]);
  expect(sizesFor({ quality: "draft" }, sizes, { width: 1080, height: 1080 })).toEqual([[48, 48]]);
  expect(sizesFor({ quality: "final" }, sizes, { width: 1920, height: 1080 })).toEqual(sizes);
  expect([stepsFor({ quality: "draft" }, 20), stepsFor({ quality: "draft", steps: 9 }, 20), stepsFor({}, 20), stepsFor({ quality: "draft" }, 4)]).toEqual([5, 9, 20, 2]);
});
