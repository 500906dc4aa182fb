/**
 * `tessera doctor` and what a user meets before anything works: every check on its own line with a fix under
 * each one that is not fine, exit 1 while something fails; busy default ports named by their holder (also by
 * `serve`); `npm start` on a machine without the reference model prints a clear line and keeps serving.
 */
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join, resolve } from "node:path";
import { DEFAULT_PORTS } from "../../helper-service/server/ports.js";
import { tempDir } from "../server/support.js";
import { freePort, NO_REFERENCE, ROOT, start, tessera, TINY } from "./support.js";

test("on a fresh data dir without models: ffmpeg, device, models, port and token lines; no model fails with a fix", async () => {
  const dataDir = tempDir();
  const result = await tessera(["doctor", "--data-dir", dataDir], { env: NO_REFERENCE });
  expect(result.code).toBe(1);
  const lines = result.stdout.split("\n");
  for (const name of ["ffmpeg", "ffprobe", "encoders", "models", "onnxruntime", "device", "port", "token"]) {
    expect(lines.some((l) => new RegExp(`^(ok|warn|FAIL) +${name}: `).test(l))).toBe(true);
  }
  const models = lines.findIndex((l) => l.startsWith("FAIL  models: no model installed"));
  expect(models).toBeGreaterThanOrEqual(0);
  expect(lines[models + 1]).toMatch(/^ {6}fix: Install one with `tessera models install URL\|DIR`/);
  // Every check that is not ok is followed by its fix.
  lines.forEach((line, i) => {
    if (/^(warn|FAIL) /.test(line)) expect(lines[i + 1]).toMatch(/^ {6}fix: /);
  });
});

test("with a model and a good token every required check passes (exit 0); a readable token fails", async () => {
  const dataDir = tempDir();
  expect((await tessera(["models", "install", TINY, "--data-dir", dataDir])).code).toBe(0);
  writeFileSync(join(dataDir, "token"), `${"ab".repeat(32)}\n`, { mode: 0o600 });
  const good = await tessera(["doctor", "--data-dir", dataDir], { env: NO_REFERENCE });
  expect(good.stdout).toContain("ok    models: tessera-random-tiny 0.0.1");
  expect(good.stdout).toMatch(/^(ok|warn) +device: The model runs on CPU/m);
  expect(good.code).toBe(0);
  chmodSync(join(dataDir, "token"), 0o644);
  const bad = await tessera(["doctor", "--data-dir", dataDir], { env: NO_REFERENCE });
  expect(bad.code).toBe(1);
  expect(bad.stdout).toContain("is readable by others (mode 644)");
  expect(bad.stdout).toContain(`fix: Run \`chmod 600 ${join(dataDir, "token")}\`.`);
  expect(bad.stdout).not.toContain("ab".repeat(32));
}, 60_000);

describe("when 48750-48753 are all taken", () => {
  const held: Server[] = [];
  beforeAll(async () => {
    for (const port of DEFAULT_PORTS) {
      // A program that takes the port and hangs up on whoever calls.
      const server = createServer((socket) => socket.destroy());
      const ok = await new Promise<boolean>((res) => {
        server.once("error", () => res(false));
        server.listen(port, "127.0.0.1", () => res(true));
      });
      if (ok) held.push(server);
    }
  });
  afterAll(async () => {
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  });

  test("serve refuses naming what holds each port; doctor says the same with its fix", async () => {
    const ours = held.map((s) => (s.address() as { port: number }).port);
    const served = await tessera(["serve", "--data-dir", tempDir()]);
    expect(served.code).toBe(1);
    expect(served.stderr).toContain("No free port for the helper.");
    for (const port of ours) expect(served.stderr).toMatch(new RegExp(`${port} \\((?:\\S*/)?node [^)]*\\(pid ${process.pid}\\)\\)`));
    expect(served.stderr).toContain("fix: Stop the program named above, or start the helper with --port PORT");
    const doctor = await tessera(["doctor", "--data-dir", tempDir()]);
    expect(doctor.stdout).toMatch(/^FAIL {2}port: 48750-48753 are all taken/m);
    expect(doctor.stdout).toContain("fix: Stop the program holding them, or start the helper with --port PORT");
  }, 30_000);
});

test("`tessera models` on a fresh data dir lists the shipped reference model as the default, or says none is there", async () => {
  const result = await tessera(["models", "--data-dir", tempDir()]);
  expect(result.code).toBe(0);
  if (existsSync(resolve(ROOT, "models/reference/model.json"))) {
    expect(result.stdout).toMatch(/^tessera-reference \S+ \(default\) {2}.*\/models\/reference$/m);
  } else expect(result.stdout).toMatch(/^no model installed: /);
  const none = await tessera(["models", "--data-dir", tempDir()], { env: NO_REFERENCE });
  expect(none.stdout).toMatch(/^no model installed: /);
});

test("npm start forwards --port and --data-dir, serves the harness, and explains a missing model instead of crashing", async () => {
  const port = await freePort();
  const dataDir = tempDir();
  const npm = start("npm", ["start", "--silent", "--", "--port", String(port), "--data-dir", dataDir], { detached: true });
  try {
    await npm.line(new RegExp(`^tessera listening on ws://127\\.0\\.0\\.1:${port}$`), 30_000);
    await npm.line(new RegExp(`^panel harness at http://127\\.0\\.0\\.1:${port}/$`));
    if (existsSync(resolve(ROOT, "models/reference/model.json"))) await npm.line(/^model \S+ \S+ on /, 30_000);
    else await npm.line(/^no model installed: /, 30_000);
    expect(existsSync(join(dataDir, "token"))).toBe(true);
    expect(npm.proc.exitCode).toBeNull();
  } finally {
    process.kill(-npm.proc.pid!, "SIGTERM");
    await npm.exited;
  }
}, 60_000);
