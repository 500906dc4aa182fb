/**
 * The bundled helper (dist/helper, what bin/tessera.js runs while it is current): when it counts as current,
 * and a real generate through a freshly built bundle, its inference child running as plain JavaScript.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { currentBundle } from "../../bin/current-bundle.js";
import { tempDir } from "../server/support.js";
import { ROOT, TINY } from "./support.js";

const run = promisify(execFile);

describe("currentBundle", () => {
  let root: string;
  const at = (path: string, seconds: number) => {
    mkdirSync(join(root, path, ".."), { recursive: true });
    if (!existsSync(join(root, path))) writeFileSync(join(root, path), "x");
    utimesSync(join(root, path), seconds, seconds);
  };
  beforeEach(() => {
    root = tempDir("tessera-bundle-root-");
    at("helper-service/cli.ts", 1_000);
    at("shared/time.ts", 1_000);
    at("package.json", 1_000);
    for (const dir of ["helper-service", "shared"]) utimesSync(join(root, dir), 1_000, 1_000);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test("no bundle: run the sources", () => {
    expect(currentBundle(root, {})).toBeNull();
  });

  test("a bundle newer than every source is used, unless TESSERA_FROM_SOURCE=1", () => {
    at("dist/helper/cli.mjs", 2_000);
    expect(currentBundle(root, {})).toBe(join(root, "dist", "helper", "cli.mjs"));
    expect(currentBundle(root, { TESSERA_FROM_SOURCE: "1" })).toBeNull();
  });

  test("one source edited after the build, however deep, makes it stale", () => {
    at("dist/helper/cli.mjs", 2_000);
    at("helper-service/media/deep/encode.ts", 3_000);
    utimesSync(join(root, "helper-service"), 1_000, 1_000);
    expect(currentBundle(root, {})).toBeNull();
  });
});

test("a freshly built bundle installs the tiny model and generates a clip", async () => {
  // Two levels below the root, like dist/helper, so the bundle finds package.json and models/ where it expects.
  const dist = mkdtempSync(join(ROOT, ".bundle-test-"));
  const data = tempDir();
  try {
    const build = `import esbuild from "esbuild"; import { buildHelper } from "./scripts/build.mjs"; await buildHelper(esbuild, ${JSON.stringify(dist)});`;
    await run(process.execPath, ["--input-type=module", "-e", build], { cwd: ROOT });
    const cli = join(dist, "helper", "cli.mjs");
    const env = { ...process.env, TESSERA_REFERENCE_DIR: "", NODE_OPTIONS: "" };
    await run(process.execPath, [cli, "models", "install", TINY, "--data-dir", data], { env });
    const file = join(data, "bundled.mp4");
    const { stdout } = await run(process.execPath, [cli, "generate", "a red kite", "--frames", "6", "--size", "64x32", "--steps", "2", "--seed", "3", "--out", file, "--data-dir", data], { env, timeout: 60_000 });
    expect(stdout).toBe(`wrote ${file} (6 frames at 24/1 fps, 64x32, seed 3)\n`);
    expect(existsSync(file)).toBe(true);
  } finally {
    rmSync(dist, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  }
}, 90_000);
