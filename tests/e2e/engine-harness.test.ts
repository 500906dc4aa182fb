/**
 * The panel end to end with a ComfyUI engine: Chromium drives the browser harness of the real helper, whose
 * data folder names the fake ComfyUI server as engine "studio-gpu". The editor picks "LTX-Video 2B via
 * studio-gpu" in the model list; B-roll and Extend land exactly as with the built-in engine, and Settings shows
 * the engine's state.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { addEngine } from "../../helper-service/engines/config.js";
import { FakeComfyUI } from "../engines/fake-comfyui/server.js";
import { addTextOnlyModel } from "../engines/own-template.js";
import { chromiumPath, clipsOn, launch, screenshot, waitUntil } from "./support/browser.js";
import { freePort, HelperProcess, ROOT } from "./support/helper-process.js";

const MODEL = join(ROOT, "tests", "fixtures", "tiny-model");
const PLAYHEAD_FRAME = 48;
const reason = !chromiumPath() ? "Chromium is not installed (apt-get install chromium)" : !existsSync(join(MODEL, "model.json")) ? "the tiny test model is missing" : null;

if (reason) {
  process.stderr.write(`engine end-to-end tests skipped: ${reason}\n`);
  describe("panel harness with a ComfyUI engine", () => {
    test.skip(`skipped: ${reason}`, () => undefined);
  });
} else {
  describe("panel harness with a ComfyUI engine (real helper, fake ComfyUI, Chromium)", () => {
    let fake: FakeComfyUI;
    let dataDir: string;
    let helper: HelperProcess;
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      const build = spawnSync(process.execPath, ["scripts/build.mjs", "--harness"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
      if (build.status !== 0) throw new Error(`harness build failed:\n${build.stdout}\n${build.stderr}`);
      fake = await FakeComfyUI.start({ stepMs: 40 });
      dataDir = mkdtempSync(join(tmpdir(), "tessera-e2e-engine-"));
      addEngine(dataDir, { kind: "comfyui", name: "studio-gpu", url: fake.url });
      addTextOnlyModel(dataDir);
      [helper, browser] = await Promise.all([HelperProcess.start({ port: await freePort(), dataDir, model: MODEL }), launch(chromiumPath() as string)]);
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await helper?.stop();
      await fake?.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    beforeEach(async () => {
      page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(helper.url);
      await page.getByText("Connected", { exact: true }).waitFor({ timeout: 20_000 });
      // The engine's model is offered under its display name, and choosing it makes it the one in use.
      const engineModel = page.getByRole("radiogroup", { name: "Model" }).getByRole("radio", { name: "LTX-Video 2B via studio-gpu 0.9.5", exact: true });
      await waitUntil("the engine's model to be offered", async () => (await engineModel.count()) === 1);
      await engineModel.click();
      expect(await engineModel.getAttribute("aria-checked")).toBe("true");
    });

    afterEach(() => page?.close());

    const landedOn = (track: string, slug: string) =>
      waitUntil(`the ${slug} clip on ${track}`, async () => (await clipsOn(page, track)).find((c) => c.name.startsWith(slug) && c.name.endsWith(".mp4")) ?? null);

    test("B-roll from the engine lands on V2 at the playhead with its length", async () => {
      const posted = fake.prompts.length;
      await page.getByRole("textbox", { name: "Prompt", exact: true }).fill("harbour at dawn, drone shot");
      await page.getByRole("spinbutton", { name: "Duration", exact: true }).fill("1");
      await page.getByRole("button", { name: "Generate" }).click();
      const clip = await landedOn("V2", "harbour-at-dawn-drone-shot_");
      expect(clip).toMatchObject({ startFrame: PLAYHEAD_FRAME, frames: 24, track: 2 });
      expect(fake.prompts.length).toBe(posted + 1);
      expect(fake.prompts.at(-1)!["3"]!.inputs.text).toBe("harbour at dawn, drone shot");
      await page.getByRole("listitem", { name: "harbour at dawn, drone shot" }).getByText("In the sequence").waitFor();
      await screenshot(page, "engine-broll");
    }, 90_000);

    test("Extend on the engine conditions on the clip's tail and lands right after it", async () => {
      const v1 = page.getByRole("region", { name: "Timeline" }).getByRole("list", { name: "V1", exact: true });
      await v1.getByRole("listitem").filter({ hasText: "Harbour wide.mp4" }).click();
      const source = (await clipsOn(page, "V1")).find((c) => c.name === "Harbour wide.mp4")!;
      await page.getByRole("textbox", { name: "Prompt", exact: true }).fill("the harbour keeps moving");
      await page.getByRole("spinbutton", { name: "Duration", exact: true }).fill("1");
      const extend = page.getByRole("button", { name: "Extend" });
      await waitUntil("Extend to be enabled", () => extend.isEnabled());
      await extend.click();
      const clip = await landedOn("V1", "the-harbour-keeps-moving_");
      expect(clip).toMatchObject({ startFrame: source.startFrame + source.frames, frames: 24, track: 1 });
      const graph = fake.prompts.at(-1)!;
      expect(graph["20"]!.inputs.file).toMatch(/-before\.mp4$/); // the tail of the clip, uploaded as a guide
      expect(graph["30"]).toBeUndefined();
    }, 90_000);

    test("a model that cannot chain windows shows its longest clip, and a longer B-roll is refused before it is sent", async () => {
      const posted = fake.prompts.length;
      await page.getByRole("radiogroup", { name: "Model" }).getByRole("radio", { name: "LTX t2v only via studio-gpu 0.9.5", exact: true }).click();
      await page.getByText(/^LTX t2v only via studio-gpu: B-roll up to \d+\.\d\d s/).waitFor();
      await page.getByRole("textbox", { name: "Prompt", exact: true }).fill("harbour at dawn, one long take");
      await page.getByRole("spinbutton", { name: "Duration", exact: true }).fill("20");
      const generate = page.getByRole("button", { name: "Generate" });
      await waitUntil("Generate to be refused", async () => !(await generate.isEnabled()));
      await page.getByRole("listitem").filter({ hasText: /The B-roll is \d+\.\d\d s .* makes at most .* Set the duration to/ }).waitFor();
      await page.getByRole("spinbutton", { name: "Duration", exact: true }).fill("5");
      await waitUntil("Generate to be enabled", () => generate.isEnabled());
      expect(fake.prompts.length).toBe(posted);
    }, 60_000);

    test("Settings shows the engine: reachable, its GPU, and its templates ready", async () => {
      await page.getByRole("tab", { name: "Settings" }).click();
      const engine = page.getByRole("listitem", { name: "Engine studio-gpu" });
      await engine.getByText(/reachable · ComfyUI 0\.3\.64, cuda:0 NVIDIA GeForce RTX 4090/).waitFor({ timeout: 15_000 });
      await engine.getByText("wan21-flf: ready (studio-gpu/wan-2.1)").waitFor();
      await screenshot(page, "engine-settings");
    }, 60_000);
  });
}
