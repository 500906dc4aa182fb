import AdmZip from "adm-zip";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout: 120_000 });

describe("npm run package", () => {
  test("builds dist/tessera.ccx with the manifest at its root, the bundle and every icon, and verifies it", () => {
    const run = node(["scripts/package-ccx.mjs"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/package: dist\/tessera\.ccx \(10 files, \d+ bytes\) verified/);
    const zip = new AdmZip(join(root, "dist/tessera.ccx"));
    const names = zip.getEntries().map((e) => e.entryName).sort();
    expect(names).toEqual([
      "icons/dark.png",
      "icons/dark@2x.png",
      "icons/light.png",
      "icons/light@2x.png",
      "icons/plugin.png",
      "icons/plugin@2x.png",
      "index.css",
      "index.html",
      "index.js",
      "manifest.json",
    ]);
    expect(JSON.parse(zip.readAsText("manifest.json"))).toEqual(JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")));
    const script = zip.readAsText("index.js");
    // one IIFE: React is inside, the host modules are loaded at run time
    expect(script.startsWith('"use strict";(()=>{') || script.startsWith("(()=>{")).toBe(true);
    expect(script).toContain('"premierepro"');
    expect(script).not.toMatch(/\bimport\s*\(|^import /m);
    expect(zip.readAsText("index.html")).toContain('<script src="index.js"></script>');
  });

  test("the verifier names what a broken archive lacks", () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-ccx-"));
    try {
      const bad = new AdmZip();
      bad.addFile("manifest.json", readFileSync(join(root, "manifest.json")));
      bad.addFile("index.html", Buffer.from("<html></html>"));
      bad.addFile("notes.txt", Buffer.from("stray"));
      const path = join(dir, "bad.ccx");
      bad.writeZip(path);
      const check = node([
        "--input-type=module",
        "-e",
        `import { verifyCcx } from "./scripts/package-ccx.mjs"; process.stdout.write(JSON.stringify(verifyCcx(${JSON.stringify(path)})));`,
      ]);
      const problems = JSON.parse(check.stdout) as string[];
      expect(problems).toEqual(
        expect.arrayContaining(["index.js is missing", "icons/dark@2x.png is missing", "unexpected files: notes.txt"]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("npm run build --panel (the prepare step)", () => {
  test("writes the panel and the harness (boot placeholder, relative script) quickly", () => {
    const out = mkdtempSync(join(tmpdir(), "tessera-dist-"));
    try {
      const run = node(["scripts/build.mjs", "--panel", "--out", out]);
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`build: panel -> ${join(out, "panel")}`);
      const page = readFileSync(join(out, "harness/index.html"), "utf8");
      expect(page).toContain("<!--TESSERA_BOOT-->");
      expect(page).toContain('<script src="./harness.js"></script>');
      expect(readFileSync(join(out, "harness/harness.css"), "utf8")).toContain(".tl-clip");
      expect(readFileSync(join(out, "panel/manifest.json"), "utf8")).toBe(readFileSync(join(root, "manifest.json"), "utf8"));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
