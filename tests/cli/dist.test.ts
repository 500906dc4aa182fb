/**
 * The self-contained Linux helper as an editor gets it: `npm run dist` builds the archive (Node, native modules,
 * ffmpeg and the reference model from the registry), it is unpacked in a fresh folder and started by its
 * launcher with no Node on PATH; it serves the panel harness and generates a clip with the reference model over
 * the panel's WebSocket.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from "node:fs";
import { get } from "node:http";
import { delimiter, join } from "node:path";
import type { HelperMessageOf } from "../../shared/protocol.js";
import { baseRequest, tempDir, TestClient } from "../server/support.js";
import { freePort, ROOT, start, type Running } from "./support.js";

const PLATFORM = "linux-x64";
const onLinuxX64 = process.platform === "linux" && process.arch === "x64";

let release: string;
let folder: string;
let helper: Running | undefined;
let build: { status: number | null; stdout: string; stderr: string };

/** A PATH with only the tools the archive may use from the system: sh for the launcher, Perl for ExifTool. */
function bareSystemPath(into: string): string {
  mkdirSync(into);
  for (const tool of ["sh", "perl"]) {
    const found = (process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, tool)).find((path) => existsSync(path));
    if (found) symlinkSync(found, join(into, tool));
  }
  return into;
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: "127.0.0.1", port, path }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    }).on("error", reject);
  });
}

/** Runs `code` as an ES module beside the release scripts and returns what it prints, parsed. */
function releaseModule(code: string): unknown {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], { cwd: join(ROOT, "scripts"), encoding: "utf8" });
  return JSON.parse(out);
}

test("the runtime is the newest build on an LTS line: 24 from 24.11 on, else 22 from 22.13 on", () => {
  const picks = releaseModule(`import { pickRuntime } from "./release/platforms.mjs";
    console.log(JSON.stringify([
      pickRuntime(["22.23.2", "24.0.0", "26.10.0"]),
      pickRuntime(["22.12.0", "24.9.0", "24.11.1", "24.22.3", "24.3.0"]),
      pickRuntime(["18.9.0", "22.5.0"]),
    ]));`);
  expect(picks).toEqual(["22.23.2", "24.22.3", null]);
});

test("binaries are told apart by their headers, so a package for the wrong target fails the build", () => {
  const targets = releaseModule(`import { binaryTarget } from "./release/platforms.mjs";
    const elf = Buffer.alloc(64); elf.writeUInt32BE(0x7f454c46, 0); elf.writeUInt16LE(0x3e, 18);
    const elfArm = Buffer.from(elf); elfArm.writeUInt16LE(0xb7, 18);
    const macho = Buffer.alloc(64); macho.writeUInt32LE(0xfeedfacf, 0); macho.writeUInt32LE(0x0100000c, 4);
    const pe = Buffer.alloc(256); pe.writeUInt16BE(0x4d5a, 0); pe.writeUInt32LE(128, 60); pe.writeUInt32BE(0x50450000, 128); pe.writeUInt16LE(0x8664, 132);
    console.log(JSON.stringify([elf, elfArm, macho, pe, Buffer.from("#!/usr/bin/perl")].map(binaryTarget)));`);
  expect(targets).toEqual(["linux-x64", "linux-other", "darwin-arm64", "win32-x64", "unknown"]);
});

const describeOnLinux = onLinuxX64 ? describe : describe.skip;

describeOnLinux("the Linux archive", () => {
  beforeAll(() => {
    release = tempDir("tessera-dist-");
    const run = spawnSync(process.execPath, [join(ROOT, "scripts/dist.mjs"), "--platform", PLATFORM, "--out", release], { cwd: ROOT, encoding: "utf8", timeout: 240_000 });
    build = { status: run.status, stdout: run.stdout, stderr: run.stderr };
    const archive = join(release, `tessera-helper-0.1.0-${PLATFORM}.tar.gz`);
    if (build.status !== 0 || !existsSync(archive)) return;
    const fresh = tempDir("tessera-unpacked-");
    execFileSync("tar", ["-xzf", archive, "-C", fresh]);
    folder = join(fresh, `tessera-helper-0.1.0-${PLATFORM}`);
  }, 300_000);

  afterAll(async () => {
    if (helper && helper.proc.exitCode === null) {
      helper.proc.kill("SIGTERM");
      await helper.exited;
    }
    if (folder) rmSync(join(folder, ".."), { recursive: true, force: true });
    if (release) rmSync(release, { recursive: true, force: true });
  });

  test("npm run dist reports the archive it wrote, with its Node and size, in the release manifest", () => {
    expect(build.stderr).toBe("");
    expect(build.status).toBe(0);
    expect(build.stdout).toMatch(new RegExp(`dist: ${PLATFORM}: .*tessera-helper-0\\.1\\.0-${PLATFORM}\\.tar\\.gz \\(\\d+\\.\\d MB, Node 2[24]\\.\\d+\\.\\d+`));
    const manifest = JSON.parse(readFileSync(join(release, "manifest.json"), "utf8")) as { archives: { platform: string; bytes: number; sha256: string }[]; notBuilt: unknown[] };
    expect(manifest.notBuilt).toEqual([]);
    expect(manifest.archives.map((a) => a.platform)).toEqual([PLATFORM]);
    expect(manifest.archives[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test("the unpacked folder carries its own Node and only this platform's native binaries", () => {
    expect(readdirSync(folder).sort()).toEqual(["README", "Tessera Helper", "app", "tessera", "tessera.ccx"]);
    expect(statSync(join(folder, "Tessera Helper")).mode & 0o111).not.toBe(0);
    const node = join(folder, "app/runtime/node");
    expect(execFileSync(node, ["-p", "process.versions.node + ' ' + Boolean(process.getBuiltinModule('node:sqlite'))"], { encoding: "utf8" })).toMatch(/^2[24]\.\d+\.\d+ true\n$/);
    expect(readdirSync(join(folder, "app/node_modules/onnxruntime-node/bin/napi-v6"))).toEqual(["linux"]);
    expect(existsSync(join(folder, "app/node_modules/better-sqlite3"))).toBe(false);
    expect(existsSync(join(folder, "app/models/reference/model.json"))).toBe(true);
    expect(existsSync(join(folder, "app/helper-service/engines/comfyui/templates/ltxv-t2v/workflow.json"))).toBe(true);
    expect(execFileSync(join(folder, "tessera"), ["--version"], { encoding: "utf8", env: { PATH: "/nonexistent" } })).toMatch(
      /^tessera 0\.1\.0 · panel protocol 1 · Node 2[24]\.\d+\.\d+\n$/,
    );
  });

  test("started by its launcher with no Node on PATH, it serves the harness and generates a clip with the reference model", async () => {
    const system = bareSystemPath(join(folder, "..", "system-bin"));
    expect(existsSync(join(system, "node"))).toBe(false);
    const dataDir = tempDir("tessera-dist-data-");
    const port = await freePort();
    // only what an editor's session has: no NODE_OPTIONS, no npm variables, no jest's environment
    const env = { PATH: system, HOME: dataDir, NODE_OPTIONS: "", NODE_PATH: "", NODE_ENV: "" };
    helper = start(join(folder, "Tessera Helper"), ["--port", String(port), "--harness", "--data-dir", dataDir], { env });
    await helper.line(/^model tessera-reference /, 60_000);
    expect(helper.stdout()).toContain(`panel harness at http://127.0.0.1:${port}/`);

    const page = await httpGet(port, "/");
    expect(page.status).toBe(200);
    expect(page.body).toContain("harness.js");
    expect((await httpGet(port, "/harness.js")).status).toBe(200);

    const client = await TestClient.connect(port);
    client.send({ type: "hello", protocol: 1, token: readFileSync(join(dataDir, "token"), "utf8").trim(), client: { name: "dist-test", version: "1" } });
    await client.waitFor((m) => m.type === "welcome");
    const out = tempDir("tessera-dist-media-");
    client.send({
      type: "generate",
      requestId: "dist",
      clientJobId: "dist-job",
      request: baseRequest({ prompt: "waves on a pier", frames: 12, fps: { num: 24, den: 1 }, width: 320, height: 192, steps: 4, output: { format: "h264", folder: out } }),
    });
    const done = await client.waitFor<HelperMessageOf<"job.done"> | HelperMessageOf<"job.failed">>((m) => m.type === "job.done" || m.type === "job.failed", 90_000);
    client.close();
    if (done.type === "job.failed") throw new Error(`${done.code}: ${done.message}\n${helper.stderr()}`);
    // the archive's own ffprobe reads the clip back
    const ffprobe = join(folder, "app/node_modules/@ffprobe-installer/linux-x64/ffprobe");
    const probe = JSON.parse(execFileSync(ffprobe, ["-v", "error", "-count_frames", "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "json", done.output.path], { encoding: "utf8" })) as { streams: Record<string, unknown>[] };
    expect(probe.streams[0]).toMatchObject({ codec_name: "h264", width: 320, height: 192, nb_read_frames: "12" });
    expect(helper.stderr()).not.toMatch(/ExperimentalWarning|Error:/);
    rmSync(out, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }, 150_000);
});
