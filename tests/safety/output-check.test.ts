/**
 * The output check hook sees sample frames of every clip before it is published. With the real pipeline (tiny
 * model) and real ffmpeg: a refused clip fails with E_OUTPUT_CHECK and leaves nothing in the output folder; an
 * accepted one is published, and the hook saw first, middle and last frames at the model's size.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { HelperMessageOf } from "../../shared/protocol.js";
import { createHelper, type Helper } from "../../helper-service/server/helper.js";
import { silentLogger } from "../../helper-service/server/log.js";
import { FrameSampler, OutputChecker, sampleIndices } from "../../helper-service/safety/output-check.js";
import { baseRequest, stopHelper, tempDir, TestClient } from "../server/support.js";

const TINY = resolve(__dirname, "../fixtures/tiny-model");

test("sample indices cover first, last and evenly between", () => {
  expect(sampleIndices(0)).toEqual([]);
  expect(sampleIndices(3)).toEqual([0, 1, 2]);
  expect(sampleIndices(17, 5)).toEqual([0, 4, 8, 12, 16]);
  const sampler = new FrameSampler(10, 3);
  for (let i = 0; i < 10; i++) sampler.offer(i, 2, 1, new Uint8Array(6).fill(i));
  expect(sampler.frames.map((f) => [f.index, f.rgb[0]])).toEqual([[0, 0], [5, 5], [9, 9]]);
});

test("a hook that throws refuses when failing closed", async () => {
  const checker = new OutputChecker(async () => {
    throw new Error("detector crashed");
  });
  await expect(checker.check({ frames: [], request: {} as never })).rejects.toMatchObject({ code: "E_OUTPUT_CHECK" });
});

describe("through the helper with the real pipeline", () => {
  let helper: Helper;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = tempDir();
    const seen = join(dataDir, "seen.json");
    writeFileSync(
      join(dataDir, "check.mjs"),
      `import { writeFileSync } from "node:fs";
export async function check({ frames, request }) {
  writeFileSync(${JSON.stringify(seen)}, JSON.stringify(frames.map((f) => [f.index, f.width, f.height, f.rgb.length])));
  return request.prompt.includes("blocked-output") ? { allowed: false, reason: "the detector flagged frame 0" } : { allowed: true };
}
`,
    );
    writeFileSync(join(dataDir, "policy.json"), JSON.stringify({ outputCheck: { module: "check.mjs" } }));
    helper = await createHelper({ dataDir, port: 0, modelDirs: [TINY], log: silentLogger() });
    await helper.ready;
  }, 60_000);
  afterAll(async () => {
    await stopHelper(helper);
  });

  async function run(prompt: string, out: string): Promise<HelperMessageOf<"job.done"> | HelperMessageOf<"job.failed">> {
    const client = await TestClient.authed(helper);
    client.send({ type: "generate", requestId: "r", clientJobId: prompt, request: baseRequest({ prompt, frames: 9, fps: { num: 8, den: 1 }, width: 64, height: 32, steps: 2, output: { format: "h264", folder: out } }) });
    const end = await client.waitFor<HelperMessageOf<"job.done"> | HelperMessageOf<"job.failed">>((m) => m.type === "job.done" || m.type === "job.failed", 60_000);
    client.close();
    return end;
  }

  test("a refused clip fails with E_OUTPUT_CHECK and nothing is published", async () => {
    const out = tempDir("tessera-out-");
    const end = await run("blocked-output of a quiet street", out);
    expect(end.type).toBe("job.failed");
    expect(end.type === "job.failed" && end.code).toBe("E_OUTPUT_CHECK");
    expect(end.type === "job.failed" && end.message).toContain("the detector flagged frame 0");
    expect(readdirSync(out)).toEqual([]);
  }, 60_000);

  test("an accepted clip is published after the hook saw sample frames at the model's size", async () => {
    const out = tempDir("tessera-out-");
    const end = await run("a quiet street", out);
    expect(end.type).toBe("job.done");
    expect(end.type === "job.done" && existsSync(end.output.path)).toBe(true);
    const seen = JSON.parse(readFileSync(join(dataDir, "seen.json"), "utf8")) as number[][];
    expect(seen.map((f) => f[0])).toEqual(sampleIndices(9));
    expect(seen.every(([, w, h, bytes]) => w === 64 && h === 32 && bytes === 64 * 32 * 3)).toBe(true);
  }, 60_000);
});
