import { existsSync, readdirSync } from "node:fs";
import nodePath from "node:path";
import { TesseraError } from "../../shared/errors.js";
import { formatFrameRate, framesToTicks, parseFrameRate, type Rational } from "../../shared/time.js";
import { conformPlan, createEncoder, runningToolCount, type ModelVideo } from "../../helper-service/media/index.js";
import { childCommands, decodeAll, ffprobeStream, makeTempDir, syntheticFrame } from "./helpers.js";

const model: ModelVideo = { fps: 8, sizes: [[64, 32], [32, 64], [48, 48]], frames: { step: 4, offset: 1, max: 17 } };
const temp = makeTempDir();
afterAll(() => temp.remove());

/** Plans like the pipeline, streams synthetic model frames, returns the result. */
async function generate(format: "h264" | "prores" | "png", name: string, fps: Rational, width: number, height: number, frames: number, handles = 0) {
  const plan = conformPlan({ frames, handles, fps, width, height }, model);
  const out = nodePath.join(temp.dir, name);
  const encoder = await createEncoder({
    format,
    out,
    fps: plan.output.fps,
    width,
    height,
    frames: plan.output.frames,
    source: plan.model,
    outputRoots: [temp.dir],
  });
  for (let i = 0; i < plan.model.frames; i++) await encoder.write(syntheticFrame(i, plan.model.width, plan.model.height));
  expect(existsSync(out)).toBe(false); // nothing under the final name until finish() has verified the file
  return { plan, result: await encoder.finish() };
}

describe("H.264 MP4 at the sequence's exact rate and size", () => {
  test.each([
    ["23.976", "16:9 1920x1080", 1920, 1080, 8, 2],
    ["25", "9:16 1080x1920", 1080, 1920, 6, 1],
    ["29.97", "16:9 1280x720", 1280, 720, 15, 0],
    ["59.94", "1:1 480x480", 480, 480, 30, 6],
    ["24000/1001", "4K 3840x2160", 3840, 2160, 2, 1],
  ])("%s fps, %s", async (rateText, _label, width, height, frames, handles) => {
    const fps = parseFrameRate(rateText);
    const { plan, result } = await generate("h264", `clip_${width}x${height}_${frames}.mp4`, fps, width, height, frames, handles);
    const facts = ffprobeStream(result.path);
    expect(Number(facts.nb_read_frames)).toBe(frames + 2 * handles);
    expect(facts.r_frame_rate).toBe(formatFrameRate(fps));
    expect(facts.avg_frame_rate).toBe(formatFrameRate(fps));
    expect([facts.width, facts.height]).toEqual([width, height]);
    expect(facts.codec_name).toBe("h264");
    expect(facts.pix_fmt).toBe("yuv420p");
    expect([facts.color_space, facts.color_primaries, facts.color_transfer, facts.color_range]).toEqual(["bt709", "bt709", "bt709", "tv"]);
    expect(result.frames).toBe(plan.output.frames);
    expect(result.durationTicks).toBe(framesToTicks(frames + 2 * handles, fps, "round").toString());
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

test("source frames still arriving after ffmpeg has its output frames are surplus, not a failure", async () => {
  // A retime needs fewer model frames than the grammar makes; ffmpeg exits once -frames:v is reached.
  const fps = parseFrameRate("24");
  const plan = conformPlan({ frames: 3, fps, width: 64, height: 32 }, model);
  const out = nodePath.join(temp.dir, "surplus.mp4");
  const encoder = await createEncoder({
    format: "h264", out, fps, width: 64, height: 32, frames: plan.output.frames, source: plan.model, outputRoots: [temp.dir],
  });
  for (let i = 0; i < 60; i++) {
    await encoder.write(syntheticFrame(i, plan.model.width, plan.model.height));
    if (i >= plan.model.frames) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const result = await encoder.finish();
  expect(Number(ffprobeStream(result.path).nb_read_frames)).toBe(3);
});

test("ProRes 422 HQ MOV, 10-bit 4:2:2, at 29.97", async () => {
  const fps = parseFrameRate("29.97");
  const { result } = await generate("prores", "finish.mov", fps, 1920, 1080, 4);
  const facts = ffprobeStream(result.path);
  expect(facts.codec_name).toBe("prores");
  expect(facts.profile).toBe("HQ");
  expect(facts.pix_fmt).toBe("yuv422p10le");
  expect(Number(facts.nb_read_frames)).toBe(4);
  expect(facts.r_frame_rate).toBe("30000/1001");
  // ProRes carries matrix, primaries and transfer; its range is limited by definition (no flag to read back).
  expect([facts.color_space, facts.color_primaries, facts.color_transfer]).toEqual(["bt709", "bt709", "bt709"]);
});

test("PNG sequence keeps RGB frames bit-exact and numbers them from 0", async () => {
  const out = nodePath.join(temp.dir, "stills");
  const encoder = await createEncoder({ format: "png", out, fps: { num: 25, den: 1 }, width: 40, height: 30 });
  const frames = [0, 1, 2, 3, 4].map((i) => syntheticFrame(i, 40, 30));
  for (const f of frames) await encoder.write(f);
  const result = await encoder.finish();
  expect(readdirSync(out).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `stills_00000${i}.png`));
  expect(result.files).toHaveLength(5);
  result.files.forEach((file, i) => {
    const [decoded] = decodeAll(file, 40, 30);
    expect(Buffer.from(decoded as Uint8Array).equals(Buffer.from(frames[i] as Uint8Array))).toBe(true);
  });
});

describe("exact frame counts whatever the sequence rate", () => {
  test.each(["23.976", "24", "25", "29.97", "30", "50", "59.94", "60"])("%s fps: 1, 7 and 41 frames", async (rateText) => {
    const fps = parseFrameRate(rateText);
    for (const frames of [1, 7, 41]) {
      const { result } = await generate("h264", `n${frames}_${rateText}.mp4`, fps, 64, 36, frames);
      const facts = ffprobeStream(result.path);
      expect(Number(facts.nb_read_frames)).toBe(frames);
      expect(facts.r_frame_rate).toBe(formatFrameRate(fps));
    }
  });
});

test("motion interpolation (the quality option) also delivers exactly the frames asked for", async () => {
  const fps = parseFrameRate("29.97");
  const plan = conformPlan({ frames: 20, handles: 2, fps, width: 128, height: 72, retime: "interpolate" }, model);
  const out = nodePath.join(temp.dir, "interpolated.mp4");
  const encoder = await createEncoder({
    format: "h264", out, fps, width: 128, height: 72, frames: plan.output.frames, source: plan.model, retime: plan.retime,
  });
  for (let i = 0; i < plan.model.frames; i++) await encoder.write(syntheticFrame(i, plan.model.width, plan.model.height));
  const result = await encoder.finish();
  const facts = ffprobeStream(result.path);
  expect(Number(facts.nb_read_frames)).toBe(24);
  expect(facts.r_frame_rate).toBe("30000/1001");
});

describe("refusals leave nothing behind", () => {
  test("wrong extension, odd size, missing frame count, existing file, outside the output roots", async () => {
    const base = { fps: { num: 25, den: 1 }, width: 64, height: 36 };
    const expectCode = async (p: Promise<unknown>, code: string): Promise<void> => {
      await expect(p).rejects.toMatchObject({ code });
    };
    await expectCode(createEncoder({ ...base, format: "h264", out: nodePath.join(temp.dir, "a.mov") }), "E_BAD_REQUEST");
    await expectCode(createEncoder({ ...base, format: "h264", width: 63, out: nodePath.join(temp.dir, "a.mp4") }), "E_BAD_REQUEST");
    await expectCode(
      createEncoder({ ...base, format: "h264", out: nodePath.join(temp.dir, "b.mp4"), source: { fps: { num: 8, den: 1 }, width: 64, height: 32 } }),
      "E_BAD_REQUEST",
    );
    const first = await createEncoder({ ...base, format: "h264", out: nodePath.join(temp.dir, "exists.mp4") });
    await first.write(syntheticFrame(0, 64, 36));
    await first.finish();
    await expectCode(createEncoder({ ...base, format: "h264", out: nodePath.join(temp.dir, "exists.mp4") }), "E_ENCODE");
    await expectCode(createEncoder({ ...base, format: "h264", out: "/tmp/elsewhere.mp4", outputRoots: [temp.dir] }), "E_PATH_REFUSED");
    await expectCode(createEncoder({ ...base, format: "h264", out: nodePath.join(temp.dir, "no-such-dir", "x.mp4"), outputRoots: [temp.dir] }), "E_ENCODE");
  });

  test("a frame of the wrong size is refused and too few model frames fail finish() cleanly", async () => {
    const out = nodePath.join(temp.dir, "short.mp4");
    const encoder = await createEncoder({
      format: "h264", out, fps: { num: 24, den: 1 }, width: 64, height: 32, frames: 48,
      source: { fps: { num: 8, den: 1 }, width: 64, height: 32 },
    });
    await expect(encoder.write(new Uint8Array(10))).rejects.toBeInstanceOf(TesseraError);
    for (let i = 0; i < 4; i++) await encoder.write(syntheticFrame(i, 64, 32));
    await expect(encoder.finish()).rejects.toThrow(/4 frames arrived; 18 are needed for 48 output frames/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(temp.dir).filter((n) => n.includes("tessera-partial"))).toEqual([]);
  });
});

describe("no partial file is ever visible", () => {
  async function startLongEncode(name: string, signal?: AbortSignal) {
    const out = nodePath.join(temp.dir, name);
    const encoder = await createEncoder({ format: "h264", out, fps: { num: 25, den: 1 }, width: 320, height: 180, signal });
    for (let i = 0; i < 30; i++) await encoder.write(syntheticFrame(i, 320, 180));
    return { out, encoder };
  }
  const partials = (): string[] => readdirSync(temp.dir).filter((n) => n.includes("tessera-partial"));

  test("abort() midway kills ffmpeg and removes the temp file", async () => {
    const { out, encoder } = await startLongEncode("aborted.mp4");
    expect(partials()).toHaveLength(1); // the hidden temp exists while encoding...
    await encoder.abort();
    expect(existsSync(out)).toBe(false); // ...and nothing is left after
    expect(partials()).toEqual([]);
    expect(runningToolCount()).toBe(0);
    await expect(encoder.write(syntheticFrame(0, 320, 180))).rejects.toMatchObject({ code: "E_CANCELLED" });
  });

  test("an AbortSignal cancels the same way", async () => {
    const controller = new AbortController();
    const { out, encoder } = await startLongEncode("signalled.mp4", controller.signal);
    controller.abort();
    await expect(encoder.finish()).rejects.toMatchObject({ code: "E_CANCELLED" });
    expect(existsSync(out)).toBe(false);
    expect(partials()).toEqual([]);
  });

  test("ffmpeg killed from outside: finish() fails with E_ENCODE and nothing is published", async () => {
    const { out, encoder } = await startLongEncode("killed.mp4");
    const ffmpegPids = childCommands();
    expect(ffmpegPids.some((c) => c.startsWith("ffmpeg"))).toBe(true);
    // Kill the encoder's ffmpeg the way a crash or the OOM killer would.
    const { execFileSync } = await import("node:child_process");
    execFileSync("pkill", ["-KILL", "-P", String(process.pid), "-x", "ffmpeg"]);
    await expect(encoder.finish()).rejects.toMatchObject({ code: "E_ENCODE" });
    expect(existsSync(out)).toBe(false);
    expect(partials()).toEqual([]);
    expect(runningToolCount()).toBe(0);
  });
});
