/**
 * The bundled helper (dist/helper, what bin/tessera.js runs while it is current): when it counts as current,
 * and a real generate through a freshly built bundle, its inference child running as plain JavaScript.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { livePids } from "../../bench/proc.js";
import { currentBundle, SOURCES_RECORD, sourceStamps } from "../../bin/current-bundle.js";
import { tempDir } from "../server/support.js";
import { ROOT, TINY } from "./support.js";

const run = promisify(execFile);

describe("currentBundle", () => {
  let root: string;
  const at = (path: string, seconds: number, text = "x") => {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
    utimesSync(join(root, path), seconds, seconds);
  };
  /** What scripts/build.mjs leaves: the entry file and the record of the sources as they are now. */
  const built = () => {
    at("dist/helper/cli.mjs", 2_000);
    writeFileSync(join(root, "dist", "helper", SOURCES_RECORD), JSON.stringify({ files: sourceStamps(root) }));
  };
  beforeEach(() => {
    root = tempDir("tessera-bundle-root-");
    at("helper-service/media/deep/encode.ts", 1_000);
    at("shared/time.ts", 1_000);
    at("package.json", 1_000);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test("no bundle, or one without a record of its sources: run the sources", () => {
    expect(currentBundle(root, {})).toBeNull();
    at("dist/helper/cli.mjs", 2_000);
    expect(currentBundle(root, {})).toBeNull();
  });

  test("a bundle built from the sources as they are is used, unless TESSERA_FROM_SOURCE=1", () => {
    built();
    expect(currentBundle(root, {})).toBe(join(root, "dist", "helper", "cli.mjs"));
    expect(currentBundle(root, { TESSERA_FROM_SOURCE: "1" })).toBeNull();
  });

  test("one source edited after the build, however deep, makes it stale", () => {
    built();
    at("helper-service/media/deep/encode.ts", 3_000);
    expect(currentBundle(root, {})).toBeNull();
  });

  test("a source put back from an older copy makes it stale, though the bundle is newer", () => {
    built();
    at("shared/time.ts", 500, "older text");
    expect(currentBundle(root, {})).toBeNull();
  });

  test("a source added or removed makes it stale", () => {
    built();
    at("helper-service/new.ts", 1_000);
    expect(currentBundle(root, {})).toBeNull();
    rmSync(join(root, "helper-service", "new.ts"));
    expect(currentBundle(root, {})).not.toBeNull();
    rmSync(join(root, "shared", "time.ts"));
    expect(currentBundle(root, {})).toBeNull();
  });
});

/** Pids of live processes whose command line mentions `text` (Linux /proc). */
function processesWith(text: string): number[] {
  const pids: number[] = [];
  for (const pid of livePids()) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text)) pids.push(pid);
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}

test("a freshly built bundle installs the tiny model and generates a clip, its inference child started in standby", async () => {
  // Two levels below the root, like dist/helper, so the bundle finds package.json and models/ where it expects.
  const dist = mkdtempSync(join(ROOT, ".bundle-test-"));
  const data = tempDir();
  try {
    const build = `import esbuild from "esbuild"; import { buildHelper } from "./scripts/build.mjs"; await buildHelper(esbuild, ${JSON.stringify(dist)});`;
    await run(process.execPath, ["--input-type=module", "-e", build], { cwd: ROOT });
    const cli = join(dist, "helper", "cli.mjs");
    // what bin/tessera.js does with a current bundle
    const launcher = join(dist, "launch.mjs");
    writeFileSync(launcher, `import { runBundle } from ${JSON.stringify(join(ROOT, "bin", "standby-child.js"))};\nawait runBundle(${JSON.stringify(cli)}, process.argv[2]);\n`);
    const env = { ...process.env, TESSERA_REFERENCE_DIR: "", NODE_OPTIONS: "" };
    await run(process.execPath, [launcher, "models", "install", TINY, "--data-dir", data], { env });
    const file = join(data, "bundled.mp4");
    const { stdout } = await run(process.execPath, [launcher, "generate", "a red kite", "--frames", "6", "--size", "64x32", "--steps", "2", "--seed", "3", "--out", file, "--data-dir", data], { env, timeout: 60_000 });
    expect(stdout).toBe(`wrote ${file} (6 frames at 24/1 fps, 64x32, seed 3)\n`);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(join(data, "logs", "cli.log"), "utf8")).toContain("generator process taken from standby");
    // refused before any job: the standby child is never adopted and leaves with the command
    const bad = await run(process.execPath, [launcher, "generate", "a red kite", "--size", "12x5", "--out", join(data, "bad.mp4"), "--data-dir", data], { env }).then(
      () => 0,
      (e: { code: number }) => e.code,
    );
    expect(bad).toBe(2);
    const child = join(dist, "helper", "child.mjs");
    for (let i = 0; i < 100 && processesWith(child).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(processesWith(child)).toEqual([]);
  } finally {
    rmSync(dist, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  }
}, 90_000);
