/**
 * @jest-environment jsdom
 */
// `npm run package:ae`: the CEP extension folder for After Effects, its manifest read as XML the way CEP reads it,
// and the checks that refuse a folder that would not load or would fail its signature.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout: 120_000 });
const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;

describe("npm run package:ae", () => {
  let dist: string;
  let folder: string;
  let stdout: string;

  beforeAll(() => {
    dist = mkdtempSync(join(tmpdir(), "tessera-cep-"));
    const run = node(["scripts/package-cep.mjs", "--out", dist]);
    if (run.status !== 0) throw new Error(`package:ae failed:\n${run.stdout}\n${run.stderr}`);
    stdout = run.stdout;
    folder = join(dist, "tessera-aftereffects");
  }, 120_000);

  afterAll(() => rmSync(dist, { recursive: true, force: true }));

  test("writes a verified extension folder, and says whether it could sign it", () => {
    expect(stdout).toMatch(/tessera-aftereffects \(\d+ files\) verified/);
    // Adobe's signer exists for macOS and Windows only; here the unsigned folder is the result
    expect(stdout).toMatch(/signed and verified|not signed: ZXPSignCmd is not on this machine/);
  });

  test("the manifest is CEP 12 XML for After Effects 25.0 and later, naming files that are in the folder", () => {
    const xml = new DOMParser().parseFromString(readFileSync(join(folder, "CSXS", "manifest.xml"), "utf8"), "application/xml");
    expect(xml.getElementsByTagName("parsererror")).toHaveLength(0);
    const manifest = xml.documentElement;
    expect(manifest.getAttribute("Version")).toBe("12.0");
    expect(manifest.getAttribute("ExtensionBundleVersion")).toBe(version);
    const hosts = [...xml.getElementsByTagName("Host")].map((h) => [h.getAttribute("Name"), h.getAttribute("Version")]);
    expect(hosts).toEqual([["AEFT", "[25.0,99.9]"]]);
    expect(xml.getElementsByTagName("RequiredRuntime")[0]?.getAttribute("Version")).toBe("12.0");
    const ids = [...xml.getElementsByTagName("Extension")].map((e) => e.getAttribute("Id"));
    expect(new Set(ids)).toEqual(new Set(["com.tessera.aftereffects.panel"]));
    const main = xml.getElementsByTagName("MainPath")[0]?.textContent ?? "";
    const script = xml.getElementsByTagName("ScriptPath")[0]?.textContent ?? "";
    expect(readFileSync(join(folder, main), "utf8")).toContain('<script src="index.js"></script>');
    expect(readFileSync(join(folder, script), "utf8")).toBe(readFileSync(join(root, "panel/host/aftereffects/host.jsx"), "utf8"));
    expect(xml.getElementsByTagName("Parameter")).toHaveLength(0); // no Node.js in the page
  });

  test("the bundle is the After Effects entry: CEP's evalScript, no Premiere module", () => {
    const script = readFileSync(join(folder, "index.js"), "utf8");
    expect(script).toContain("__adobe_cep__");
    expect(script).toContain("tesseraCall");
    expect(script).not.toContain('"premierepro"');
  });

  test("the verifier names a missing script, a symbolic link and a left placeholder", () => {
    unlinkSync(join(folder, "host", "host.jsx"));
    symlinkSync(join(folder, "index.js"), join(folder, "linked.js"));
    const manifest = join(folder, "CSXS", "manifest.xml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace(`ExtensionBundleVersion="${version}"`, 'ExtensionBundleVersion="__VERSION__"'));
    const check = node([
      "--input-type=module",
      "-e",
      `import { verifyCep } from "./scripts/package-cep.mjs"; process.stdout.write(JSON.stringify(verifyCep(${JSON.stringify(folder)})));`,
    ]);
    expect(JSON.parse(check.stdout)).toEqual(
      expect.arrayContaining([
        "host/host.jsx is missing",
        "linked.js is a symbolic link",
        "CSXS/manifest.xml still has a __VERSION__ placeholder",
      ]),
    );
  });
});
