/**
 * The shipped After Effects extension page (dist/tessera-aftereffects/index.html and its bundle) in Chromium, with
 * CEP's `window.__adobe_cep__` standing in for After Effects: the bundle runs without Node.js, finds host.jsx through
 * the extension path when the manifest's ScriptPath did not load it, and shows the comp it reads over the bridge.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { chromiumPath, launch, waitUntil } from "./support/browser.js";
import { ROOT } from "./support/helper-process.js";

const chromium = chromiumPath();
const describeIf = chromium ? describe : describe.skip;

describeIf("the After Effects extension page in Chromium (CEP stand-in)", () => {
  let dist: string;
  let browser: Browser;

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), "tessera-cep-page-"));
    const run = spawnSync(process.execPath, ["scripts/package-cep.mjs", "--out", dist], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    if (run.status !== 0) throw new Error(`package:ae failed:\n${run.stdout}\n${run.stderr}`);
    browser = await launch(chromium as string);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  test("loads host.jsx from the extension folder once, then reads the comp through it", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.addInitScript(() => {
      const state = {
        project: { name: "Spot.aep", path: "C:\\Edit\\Spot.aep" },
        comp: { id: 7, name: "Main", frameRate: 25, width: 1280, height: 720, time: 2, duration: 30, workAreaStart: 0, workAreaDuration: 30, layers: [] },
      };
      const scripts: string[] = [];
      let loaded = false;
      Object.assign(window, {
        __scripts: scripts,
        __adobe_cep__: {
          getSystemPath: (kind: string) => (kind === "extension" ? "file:///C:/Program%20Files/Common%20Files/Adobe/CEP/extensions/tessera-aftereffects" : ""),
          evalScript(script: string, callback: (result: string) => void) {
            scripts.push(script);
            let reply = "tessera-not-loaded";
            if (script.startsWith("$.evalFile(")) {
              loaded = true;
              reply = "true";
            } else if (loaded && script.includes('"readState"')) {
              reply = JSON.stringify({ ok: true, value: state });
            } else if (loaded && script.includes('"readStamp"')) {
              reply = JSON.stringify({ ok: true, value: "stamp" });
            }
            setTimeout(() => callback(reply), 0);
          },
        },
      });
    });
    await page.goto(pathToFileURL(join(dist, "tessera-aftereffects", "index.html")).href);
    await page.getByText(/at 25 fps/).waitFor({ timeout: 20_000 });
    const scripts = await waitUntil("the scripts", () => page.evaluate(() => (window as unknown as { __scripts: string[] }).__scripts));
    const loads = scripts.filter((s) => s.startsWith("$.evalFile("));
    expect(loads).toEqual(['$.evalFile("C:/Program Files/Common Files/Adobe/CEP/extensions/tessera-aftereffects/host/host.jsx")']);
    expect(scripts.some((s) => s.includes('tesseraCall("readState", {})'))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test("outside a CEP panel the page says where it runs", async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(dist, "tessera-aftereffects", "index.html")).href);
    await page.getByText("Tessera for After Effects runs inside After Effects").waitFor({ timeout: 10_000 });
    await page.close();
  }, 30_000);
});
