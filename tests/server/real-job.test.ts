/**
 * The real pipeline (tiny random-weight package) and real ffmpeg through the helper, over a WebSocket: ordered
 * progress, previews, and a done event whose file ffprobe accepts with the exact frames, rate and size.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { JOB_PHASES, type HelperMessageOf } from "../../shared/protocol.js";
import { decodePreview } from "../../shared/preview-header.js";
import { createHelper, type Helper } from "../../helper-service/server/helper.js";
import { silentLogger } from "../../helper-service/server/log.js";
import { locateMediaTools } from "../../helper-service/media/index.js";
import { baseRequest, stopHelper, tempDir, TestClient } from "./support.js";

const TINY = resolve(__dirname, "../fixtures/tiny-model");

function ffprobe(path: string): { frames: number; rate: string; width: number; height: number; codec: string } {
  const out = execFileSync(locateMediaTools().ffprobe.path, ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
    "stream=nb_read_frames,r_frame_rate,width,height,codec_name", "-of", "json", path], { encoding: "utf8" });
  const s = (JSON.parse(out) as { streams: Record<string, string | number>[] }).streams[0]!;
  return { frames: Number(s.nb_read_frames), rate: String(s.r_frame_rate), width: Number(s.width), height: Number(s.height), codec: String(s.codec_name) };
}

let helper: Helper;
beforeAll(async () => {
  helper = await createHelper({ dataDir: tempDir(), port: 0, modelDirs: [TINY], log: silentLogger() });
  await helper.ready;
}, 60_000);
afterAll(async () => {
  await stopHelper(helper);
});

test("generate over WebSocket runs the tiny model to an H.264 file ffprobe accepts", async () => {
  const client = await TestClient.authed(helper);
  const welcome = client.messages.find((m) => m.type === "welcome") as HelperMessageOf<"welcome">;
  expect(welcome.models.map((m) => m.id)).toContain("tessera-random-tiny");
  expect(welcome.device).toBe("CPU");
  const out = tempDir("tessera-out-");
  client.send({
    type: "generate",
    requestId: "real-1",
    clientJobId: "real-job-1",
    request: baseRequest({ prompt: "a red ball rolls", frames: 10, fps: { num: 24000, den: 1001 }, width: 128, height: 64, handles: 2, steps: 3, output: { format: "h264", folder: out } }),
  });
  const accepted = await client.waitFor<HelperMessageOf<"job.accepted">>((m) => m.type === "job.accepted");
  const done = await client.waitFor<HelperMessageOf<"job.done">>((m) => m.type === "job.done" || m.type === "job.failed", 60_000);
  expect(done.type).toBe("job.done");
  const events = client.jobEvents(accepted.jobId);
  const progress = events.filter((m): m is HelperMessageOf<"job.progress"> => m.type === "job.progress");
  expect(progress.length).toBeGreaterThan(3);
  // Fractions never go back; within a window phases follow the pipeline's order, and steps count up.
  for (let i = 1; i < progress.length; i++) {
    const [a, b] = [progress[i - 1]!, progress[i]!];
    expect(b.fraction).toBeGreaterThanOrEqual(a.fraction);
    if (b.window.index === a.window.index) {
      expect(JOB_PHASES.indexOf(b.phase)).toBeGreaterThanOrEqual(JOB_PHASES.indexOf(a.phase));
      if (a.phase === "denoise" && b.phase === "denoise") expect(b.step).toBe(a.step + 1);
    } else expect(b.window.index).toBe(a.window.index + 1);
  }
  expect(progress.filter((p) => p.phase === "denoise").length).toBeGreaterThanOrEqual(3);
  expect(progress.at(-1)!.fraction).toBe(1);

  const file = done.output.path;
  expect(dirname(file)).toBe(out);
  expect(file).toMatch(/a-red-ball-rolls_7_[0-9a-f]{8}\.mp4$/);
  const probed = ffprobe(file);
  expect(probed).toEqual({ frames: 14, rate: "24000/1001", width: 128, height: 64, codec: "h264" });
  expect(done.output.frames).toBe(14);
  expect(done.output.handles).toBe(2);
  // Nothing but the published file and its sidecar in the folder.
  expect(readdirSync(out).filter((n) => n.startsWith("."))).toEqual([]);
  expect(existsSync(file)).toBe(true);
  for (const frame of client.binary) expect(decodePreview(frame).ok).toBe(true);
  client.close();
}, 90_000);
