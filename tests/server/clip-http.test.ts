/**
 * Finished clips over HTTP for the harness's program monitor: by job id only, with byte ranges for <video>, after
 * the Host check; anything that is not a finished job's video file is a 404.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHttpHandler } from "../../helper-service/server/http.js";
import { silentLogger } from "../../helper-service/server/log.js";
import { byteRange } from "../../helper-service/server/media-file.js";

const JOB = "0b6f0c62-8f3c-4c1e-9b1a-4a8e6f1d2c3b";
const dir = mkdtempSync(join(tmpdir(), "tessera-clip-http-"));
const clip = join(dir, "out.mp4");
const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
let server: Server;
let port = 0;

beforeAll(async () => {
  writeFileSync(clip, bytes);
  writeFileSync(join(dir, "notes.txt"), "not a video");
  mkdirSync(join(dir, "harness", "media"), { recursive: true });
  writeFileSync(join(dir, "harness", "index.html"), "<!doctype html>");
  writeFileSync(join(dir, "harness", "media", "street.mp4"), bytes.subarray(0, 100));
  const files: Record<string, string> = { [JOB]: clip, "11111111-1111-4111-8111-111111111111": join(dir, "notes.txt") };
  server = createServer(
    createHttpHandler({ port: () => port, version: "test", log: silentLogger(), system: () => ({ device: "CPU", models: [] }), harness: { dir: join(dir, "harness"), token: "t" }, clip: (id) => files[id] }),
  );
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("a finished clip plays: the whole file, then a byte range as <video> seeks", async () => {
  const whole = await get(`/clip/${JOB}`);
  expect(whole.status).toBe(200);
  expect(whole.headers["content-type"]).toBe("video/mp4");
  expect(whole.headers["accept-ranges"]).toBe("bytes");
  expect(whole.headers["cross-origin-resource-policy"]).toBe("same-origin");
  expect(whole.body.equals(bytes)).toBe(true);
  const part = await get(`/clip/${JOB}`, { Range: "bytes=100-199" });
  expect(part.status).toBe(206);
  expect(part.headers["content-range"]).toBe("bytes 100-199/1000");
  expect(part.body.equals(bytes.subarray(100, 200))).toBe(true);
  expect((await get(`/clip/${JOB}`, { Range: "bytes=5000-" })).status).toBe(416);
});

test("unknown ids, non-video files, traversal and a foreign Host get nothing", async () => {
  expect((await get("/clip/22222222-2222-4222-8222-222222222222")).status).toBe(404);
  expect((await get("/clip/11111111-1111-4111-8111-111111111111")).status).toBe(404);
  expect((await get(`/clip/${JOB}/../../etc/passwd`)).status).toBe(404);
  expect((await get("/clip/not-a-uuid")).status).toBe(404);
  expect((await get(`/clip/${JOB}`, { Host: "evil.example:80" })).status).toBe(421);
});

test("the harness's sample clips play with ranges too", async () => {
  const part = await get("/media/street.mp4", { Range: "bytes=-10" });
  expect(part.status).toBe(206);
  expect(part.body.equals(bytes.subarray(90, 100))).toBe(true);
});

test("byte ranges: open-ended, suffix, clamped, and unsatisfiable", () => {
  expect(byteRange(undefined, 10)).toBeNull();
  expect(byteRange("bytes=2-", 10)).toEqual({ start: 2, end: 9 });
  expect(byteRange("bytes=-3", 10)).toEqual({ start: 7, end: 9 });
  expect(byteRange("bytes=5-100", 10)).toEqual({ start: 5, end: 9 });
  expect(byteRange("bytes=9-2", 10)).toBe("bad");
  expect(byteRange("bytes=0-1,4-5", 10)).toBe("bad");
  expect(byteRange("items=0-1", 10)).toBe("bad");
});
