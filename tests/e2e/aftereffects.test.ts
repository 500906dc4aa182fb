/**
 * The panel in After Effects, end to end: Chromium drives the harness's After Effects view (index.html?host=
 * aftereffects) that the real helper serves with the tiny test model. The comp is the simulated After Effects object
 * model running the real host.jsx; the panel's AfterEffectsHost reaches it through the same JSON bridge calls it
 * makes in After Effects. Each test opens a fresh page: layer 1 a title over Street and Harbour, then Interview A,
 * a placeholder solid, a gap, Street B and Harbour wide sequenced below it, the current time at frame 48.
 */
import type { Page } from "playwright-core";
import { screenshot, waitUntil } from "./support/browser.js";
import { clickLayer, compLayers, type CompLayer } from "./support/comp.js";
import { describeHarness, useHarnessSession } from "./support/harness-session.js";

const CURRENT_FRAME = 48;

describeHarness("the panel in a simulated After Effects comp (real host.jsx, real helper, tiny model, Chromium)", () => {
  const session = useHarnessSession("?host=aftereffects");
  const { press, jobRow } = session;
  let page: Page;
  beforeEach(() => {
    page = session.page;
  });

  /** The generated layer named from `slug`, once it is in the comp. */
  async function landed(slug: string): Promise<{ layer: CompLayer; layers: CompLayer[] }> {
    return waitUntil(`the ${slug} layer`, async () => {
      const layers = await compLayers(page);
      const layer = layers.find((l) => l.name.startsWith(slug) && l.name.endsWith(".mp4"));
      return layer ? { layer, layers } : null;
    });
  }

  const named = (layers: CompLayer[], name: string) => layers.find((l) => l.name === name) as CompLayer;

  test("B-roll: a new layer on top at the current time, its footage in the Tessera Media folder; one Undo takes it out", async () => {
    const before = await compLayers(page);
    await page.getByRole("textbox", { name: "Prompt", exact: true }).fill("harbour at dawn");
    await page.getByRole("spinbutton", { name: "Duration", exact: true }).fill("1");
    await page.getByRole("button", { name: "Generate" }).click();
    const { layer, layers } = await landed("harbour-at-dawn_");
    expect(layer).toMatchObject({ index: 1, inFrame: CURRENT_FRAME, outFrame: CURRENT_FRAME + 24 }); // 1 s at 23.976 is 00:00:01:00, 24 frames
    expect(layers.slice(1).map((l) => l.name)).toEqual(before.map((l) => l.name));
    const folder = page.getByRole("region", { name: "Project" }).getByRole("list", { name: "Tessera Media" });
    await folder.getByText(layer.name).waitFor();
    await folder.getByText(/Tessera \(AI-generated\): harbour at dawn \| seed \d+/).waitFor();
    await jobRow("harbour at dawn").getByText("In the comp").waitFor();
    await screenshot(page, "ae-broll");
    await page.getByRole("button", { name: /^Undo Tessera: B-roll/ }).click();
    await waitUntil("the layer to be undone", async () => ((await compLayers(page)).length === before.length ? true : null));
    expect((await compLayers(page)).map((l) => l.name)).toEqual(before.map((l) => l.name));
  }, 90_000);

  test("Replace: the placeholder's place in the layer stack and its in/out, the placeholder gone (and Export log)", async () => {
    await page.getByRole("tab", { name: "Settings" }).click();
    await page.getByRole("spinbutton", { name: "Handles (frames each side)" }).fill("0");
    // the log goes through host.jsx and After Effects' save dialog (the simulated one answers Save on the desktop)
    await page.getByRole("button", { name: "Export log" }).click();
    await page.getByText(/^Log saved to \/Users\/editor\/Desktop\/tessera-panel-.*\.log\. Send it with the output of `tessera doctor`\.$/).waitFor();
    await page.getByRole("tab", { name: /^Create/ }).click();
    await clickLayer(page, "Placeholder: skyline at dusk");
    const placeholder = named(await compLayers(page), "Placeholder: skyline at dusk");
    await page.getByRole("textbox", { name: "Prompt", exact: true }).fill("city skyline at dusk");
    await press("Replace");
    const { layer, layers } = await landed("city-skyline-at-dusk_");
    expect(layer).toMatchObject({ index: placeholder.index, inFrame: placeholder.inFrame, outFrame: placeholder.outFrame });
    expect(layers.some((l) => l.name.startsWith("Placeholder"))).toBe(false);
    await screenshot(page, "ae-replace");
  }, 90_000);

  test("a locked placeholder: the clip is not placed, the panel says to unlock it; after unlocking, Insert places it", async () => {
    await page.getByRole("tab", { name: "Settings" }).click();
    await page.getByRole("spinbutton", { name: "Handles (frames each side)" }).fill("0");
    await page.getByRole("tab", { name: /^Create/ }).click();
    await page.getByRole("button", { name: "Lock Placeholder: skyline at dusk" }).click();
    await clickLayer(page, "Placeholder: skyline at dusk");
    const before = await compLayers(page);
    const placeholder = named(before, "Placeholder: skyline at dusk");
    await page.getByRole("textbox", { name: "Prompt", exact: true }).fill("locked skyline");
    await press("Replace");
    const row = jobRow("locked skyline");
    await row.getByText(/Not placed: The layer "Placeholder: skyline at dusk" is locked: unlock it/).waitFor({ timeout: 60_000 });
    expect((await compLayers(page)).map((l) => [l.name, l.inFrame, l.outFrame])).toEqual(before.map((l) => [l.name, l.inFrame, l.outFrame]));
    await screenshot(page, "ae-locked");
    await page.getByRole("button", { name: "Unlock Placeholder: skyline at dusk" }).click();
    await row.getByRole("button", { name: "Insert" }).click();
    const { layer } = await landed("locked-skyline_");
    expect(layer).toMatchObject({ index: placeholder.index, inFrame: placeholder.inFrame, outFrame: placeholder.outFrame });
  }, 90_000);

  test("Extend tail: from the end of Harbour wide, read from its source file, right below it in the stack", async () => {
    await clickLayer(page, "Harbour wide.mp4");
    const harbour = named(await compLayers(page), "Harbour wide.mp4");
    await page.getByRole("textbox", { name: "Prompt", exact: true }).fill("the harbour keeps moving");
    await page.getByRole("spinbutton", { name: "Duration", exact: true }).fill("1");
    await press("Extend");
    const { layer, layers } = await landed("the-harbour-keeps-moving_");
    expect(layer).toMatchObject({ inFrame: harbour.outFrame, outFrame: harbour.outFrame + 24 });
    expect(layer.index).toBe(named(layers, "Harbour wide.mp4").index + 1);
    await screenshot(page, "ae-extend");
  }, 90_000);

  test("Fill: exactly the gap between two layers, between them in the stack, the layers around it unchanged", async () => {
    await clickLayer(page, "Placeholder: skyline at dusk");
    await clickLayer(page, "Street B.mp4", true);
    const before = await compLayers(page);
    const placeholder = named(before, "Placeholder: skyline at dusk");
    const street = named(before, "Street B.mp4");
    await page.getByRole("textbox", { name: "Prompt", exact: true }).fill("traffic in the rain");
    await press("Fill");
    const { layer, layers } = await landed("traffic-in-the-rain_");
    expect(layer).toMatchObject({ inFrame: placeholder.outFrame, outFrame: street.inFrame });
    expect(layers.map((l) => l.name).slice(placeholder.index - 1, placeholder.index + 2)).toEqual([placeholder.name, layer.name, street.name]);
    expect(named(layers, street.name)).toMatchObject({ inFrame: street.inFrame, outFrame: street.outFrame });
    expect(named(layers, placeholder.name)).toMatchObject({ inFrame: placeholder.inFrame, outFrame: placeholder.outFrame });
    await jobRow("traffic in the rain").getByText("In the comp").waitFor();
    await screenshot(page, "ae-fill");
  }, 120_000);
});
