/**
 * `tessera serve` as shipped, with the real pipeline on the tiny test model and real ffmpeg: its output lines,
 * token file, a full job over the WebSocket checked by ffprobe, `tessera pair`, /health, refusing a second helper
 * on the same data dir, naming what holds a busy port, and a clean stop.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { join } from "node:path";
import { JOB_PHASES, type HelperMessageOf } from "../../shared/protocol.js";
import { decodePreview } from "../../shared/preview-header.js";
import { locateMediaTools } from "../../helper-service/media/index.js";
import { baseRequest, tempDir, TestClient } from "../server/support.js";
import { freePort, serve, tessera, TINY, type Running } from "./support.js";

let helper: Running;
let port: number;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir();
  port = await freePort();
  helper = serve(["--model", TINY, "--data-dir", dataDir, "--port", String(port), "--harness"]);
  await helper.line(/^model /, 30_000);
}, 40_000);
afterAll(async () => {
  if (helper.proc.exitCode === null) {
    helper.proc.kill("SIGKILL");
    await helper.exited;
  }
});

const token = () => readFileSync(join(dataDir, "token"), "utf8");

test("prints exactly where it listens, the harness and the model; writes a user-only token file", () => {
  const lines = helper.stdout().trim().split("\n");
  expect(lines[0]).toBe(`tessera listening on ws://127.0.0.1:${port}`);
  expect(lines[1]).toBe(`panel harness at http://127.0.0.1:${port}/`);
  expect(lines).toContain("model tessera-random-tiny 0.0.1 on CPU");
  expect(token()).toMatch(/^[0-9a-f]{64}\n$/);
  expect(statSync(join(dataDir, "token")).mode & 0o777).toBe(0o600);
  expect(helper.stdout() + helper.stderr()).not.toContain(token().trim());
});

test("a full job over the WebSocket: ordered progress, then a file ffprobe accepts", async () => {
  const client = await TestClient.connect(port);
  client.send({ type: "hello", protocol: 1, token: token().trim(), client: { name: "cli-test", version: "1" } });
  await client.waitFor((m) => m.type === "welcome");
  const out = tempDir("tessera-media-");
  client.send({
    type: "generate",
    requestId: "one",
    clientJobId: "serve-job",
    request: baseRequest({ prompt: "waves on a pier", frames: 24, fps: { num: 24000, den: 1001 }, width: 640, height: 360, handles: 3, steps: 4, output: { format: "h264", folder: out } }),
  });
  const done = await client.waitFor<HelperMessageOf<"job.done"> | HelperMessageOf<"job.failed">>((m) => m.type === "job.done" || m.type === "job.failed", 60_000);
  if (done.type === "job.failed") throw new Error(`${done.code}: ${done.message}`);
  const types = client.jobEvents(done.jobId).map((m) => m.type);
  expect(types.slice(0, 3)).toEqual(["job.accepted", "job.queued", "job.started"]);
  expect(types.at(-1)).toBe("job.done");
  // Fractions never go back; within a window phases follow the pipeline's order and steps count up.
  const progress = client.jobEvents(done.jobId).filter((m): m is HelperMessageOf<"job.progress"> => m.type === "job.progress");
  expect(progress.filter((p) => p.phase === "denoise").length).toBe(4 * progress.at(-1)!.window.count);
  for (let i = 1; i < progress.length; i++) {
    const [a, b] = [progress[i - 1]!, progress[i]!];
    expect(b.fraction).toBeGreaterThanOrEqual(a.fraction);
    if (b.window.index === a.window.index) {
      expect(JOB_PHASES.indexOf(b.phase)).toBeGreaterThanOrEqual(JOB_PHASES.indexOf(a.phase));
      if (a.phase === "denoise" && b.phase === "denoise") expect(b.step).toBe(a.step + 1);
    } else expect(b.window.index).toBe(a.window.index + 1);
  }
  expect(progress.at(-1)!.fraction).toBe(1);
  // Live previews arrived as binary frames with the preview header, for this job.
  expect(client.binary.length).toBeGreaterThan(0);
  for (const frame of client.binary) {
    const preview = decodePreview(frame);
    expect(preview.ok && preview.header.jobId).toBe(done.jobId);
  }
  const probe = JSON.parse(
    execFileSync(locateMediaTools().ffprobe.path, ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames,r_frame_rate,width,height,codec_name,color_space", "-of", "json", done.output.path], { encoding: "utf8" }),
  ) as { streams: Record<string, unknown>[] };
  expect(probe.streams[0]).toMatchObject({ codec_name: "h264", width: 640, height: 360, r_frame_rate: "24000/1001", nb_read_frames: "30", color_space: "bt709" });
  expect(done.output.durationTicks).toBe(String((30n * 254016000000n * 1001n) / 24000n));
  client.close();
}, 90_000);

test("`tessera pair` prints the code the helper shows, and that code pairs", async () => {
  const result = await tessera(["pair", "--data-dir", dataDir]);
  expect(result.code).toBe(0);
  const match = /^pairing code: (\d{6}) \(valid for (\d+) s\)$/m.exec(result.stdout);
  expect(match).not.toBeNull();
  const code = match![1]!;
  await helper.line(new RegExp(`^pairing code: ${code} \\(valid for 2 minutes\\)$`));
  // Asking again while it is valid prints the same code.
  expect((await tessera(["pair", "--data-dir", dataDir])).stdout).toContain(code);
  const client = await TestClient.connect(port);
  client.send({ type: "pair", code });
  const paired = await client.waitFor<HelperMessageOf<"paired">>((m) => m.type === "paired");
  expect(paired.token).toBe(token().trim());
  client.close();
});

test("a model installed while the helper runs shows up in models.list", async () => {
  const copy = tempDir("tessera-model-copy-");
  cpSync(TINY, copy, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(copy, "model.json"), "utf8")) as { id: string };
  manifest.id = "tiny-copy";
  writeFileSync(join(copy, "model.json"), JSON.stringify(manifest));
  expect((await tessera(["models", "install", copy, "--data-dir", dataDir])).code).toBe(0);
  const client = await TestClient.connect(port);
  client.send({ type: "hello", protocol: 1, token: token().trim() });
  await client.waitFor((m) => m.type === "welcome");
  client.send({ type: "models.list", requestId: "m" });
  const result = await client.waitFor<HelperMessageOf<"models.result">>((m) => m.type === "models.result");
  expect(result.models.map((m) => m.id)).toEqual(["tessera-random-tiny", "tiny-copy"]);
  client.close();
}, 30_000);

test("GET /health answers without secrets", async () => {
  const body = await new Promise<string>((res, rej) => {
    get({ host: "127.0.0.1", port, path: "/health" }, (r) => {
      let text = "";
      r.on("data", (c: Buffer) => (text += c.toString()));
      r.on("end", () => res(text));
    }).on("error", rej);
  });
  expect(JSON.parse(body)).toEqual({
    name: "tessera",
    version: "0.1.0",
    device: "CPU",
    models: [
      { id: "tessera-random-tiny", version: "0.0.1" },
      { id: "tiny-copy", version: "0.0.1" },
    ],
  });
});

test("a second helper on the same data dir, or on a taken port, exits 1 saying why", async () => {
  const same = await tessera(["serve", "--data-dir", dataDir, "--port", String(await freePort())]);
  expect(same.code).toBe(1);
  expect(same.stderr).toContain("Another Tessera helper already uses this data folder.");
  expect(same.stderr).toContain(`port ${port}`);
  const busy = await tessera(["serve", "--data-dir", tempDir(), "--port", String(port)]);
  expect(busy.code).toBe(1);
  expect(busy.stderr).toContain(`${port} (another Tessera helper 0.1.0 (pid ${helper.proc.pid}))`);
  expect(busy.stderr).toContain("fix:");
});

test("doctor sees the running helper and the token", async () => {
  const result = await tessera(["doctor", "--data-dir", dataDir], { timeoutMs: 90_000 });
  expect(result.stdout).toContain(`ok    port: the helper (pid ${helper.proc.pid}) listens on ${port}`);
  expect(result.stdout).toMatch(/^ok {4}token: .* holds a 256-bit token, readable only by you$/m);
  expect(result.stdout).not.toContain(token().trim());
}, 90_000);

test("SIGTERM stops it cleanly: exit 0 and the data dir released", async () => {
  helper.proc.kill("SIGTERM");
  expect(await helper.exited).toBe(0);
  expect(existsSync(join(dataDir, "helper.json"))).toBe(false);
});
