/**
 * The panel end to end: Chromium drives the browser harness that the real helper serves (`tessera serve
 * --harness` with the tiny test model), the way an editor without Premiere would use it. Each test opens a fresh
 * page (a fresh simulated sequence: V1 interview, placeholder, gap, street, harbour; V2 free at the playhead).
 */
import type { Page } from "playwright-core";
import { clipsOn, screenshot, waitUntil } from "./support/browser.js";
import { describeHarness, useHarnessSession } from "./support/harness-session.js";

const PLAYHEAD_FRAME = 48; // the harness sequence opens with the playhead at 00:00:02:00 (23.976)

describeHarness("panel harness end to end (real helper, tiny model, Chromium)", () => {
  const session = useHarnessSession();
  const { press, jobRow } = session;
  let page: Page;
  beforeEach(() => {
    page = session.page;
  });

  async function prompt(text: string, seconds: number): Promise<void> {
    await page.getByRole("textbox", { name: "Prompt", exact: true }).fill(text);
    await page.getByRole("spinbutton", { name: "Duration", exact: true }).fill(String(seconds));
  }

  const generated = (clips: { name: string }[], slug: string) => clips.filter((c) => c.name.startsWith(slug) && c.name.endsWith(".mp4"));

  /** The generated clip named from `slug` once it is on `track` (e.g. "V1"). */
  async function landed(track: string, slug: string) {
    const [clip] = await waitUntil(`the ${slug} clip on ${track}`, async () => {
      const found = generated(await clipsOn(page, track), slug);
      return found.length ? found : null;
    });
    return clip!;
  }

  test("B-roll lands on V2 at the playhead, named after its file, with its length", async () => {
    expect(await clipsOn(page, "V2")).toHaveLength(1); // the title later in the sequence
    await prompt("harbour at dawn", 1);
    await page.getByRole("button", { name: "Generate" }).click();
    await jobRow("harbour at dawn").getByText(/Generating|Decoding|Writing|Finishing|Queued|Reading|Loading/).first().waitFor({ timeout: 20_000 });
    const clip = await landed("V2", "harbour-at-dawn_");
    expect(clip).toMatchObject({ startFrame: PLAYHEAD_FRAME, frames: 24, length: "00:00:01:00", track: 2 });
    await jobRow("harbour at dawn").getByText("In the sequence").waitFor();
    // the program monitor shows the landed clip's real frames: its file, served by the helper, at the
    // playhead's frame (the first frame after the 12-frame handle)
    const monitor = page.getByRole("region", { name: "Program monitor" });
    const video = monitor.locator("video");
    await waitUntil("the program monitor to show the clip's frame", async () =>
      (await video.count()) > 0 && (await video.evaluate((v: HTMLVideoElement) => v.readyState >= 2 && !v.seeking && v.src.includes("/clip/"))) ? true : null,
    );
    const shownAt = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
    expect(Math.abs(shownAt - (12.25 * 1001) / 24000)).toBeLessThan(0.02);
    await screenshot(page, "broll");
    // Play runs the clip and the playhead follows it
    await monitor.getByRole("button", { name: "Play" }).click();
    const playhead = page.getByRole("img", { name: /^Playhead at/ });
    await waitUntil("the playhead to move with the video", async () => (Number(await playhead.getAttribute("data-frame")) > PLAYHEAD_FRAME + 3 ? true : null));
  }, 90_000);

  test("a placeholder is replaced on its track with exactly its duration", async () => {
    // no handles this time (Settings), which also keeps the test short
    await page.getByRole("tab", { name: "Settings" }).click();
    await page.getByRole("spinbutton", { name: "Handles (frames each side)" }).fill("0");
    await page.getByRole("tab", { name: /^Create/ }).click();
    const v1 = page.getByRole("region", { name: "Timeline" }).getByRole("list", { name: "V1", exact: true });
    await v1.getByRole("listitem").filter({ hasText: "Placeholder: skyline at dusk" }).click();
    const placeholder = (await clipsOn(page, "V1")).find((c) => c.name.startsWith("Placeholder"))!;
    await page.getByRole("textbox", { name: "Prompt", exact: true }).fill("city skyline at dusk");
    await press("Replace");
    const clip = await landed("V1", "city-skyline-at-dusk_");
    expect(clip).toMatchObject({ startFrame: placeholder.startFrame, frames: placeholder.frames, track: 1, length: placeholder.length });
    expect((await clipsOn(page, "V1")).some((c) => c.name.startsWith("Placeholder"))).toBe(false);
    await screenshot(page, "replace");
  }, 90_000);

  test("a clip is extended at its tail, right after it on the same track", async () => {
    const v1 = page.getByRole("region", { name: "Timeline" }).getByRole("list", { name: "V1", exact: true });
    await v1.getByRole("listitem").filter({ hasText: "Harbour wide.mp4" }).click();
    const source = (await clipsOn(page, "V1")).find((c) => c.name === "Harbour wide.mp4")!;
    await prompt("the harbour keeps moving", 1);
    await press("Extend");
    const clip = await landed("V1", "the-harbour-keeps-moving_");
    expect(clip).toMatchObject({ startFrame: source.startFrame + source.frames, frames: 24, track: 1 });
    // the harbour shot has room tone on A1: the extension's sound continues it there
    const a1 = await clipsOn(page, "A1");
    expect(a1.find((c) => c.name === clip.name)).toMatchObject({ startFrame: source.startFrame + source.frames, frames: 24 });
    await screenshot(page, "extend");
  }, 90_000);

  test("a gap is filled on its track with exactly its length, from the footage beside it", async () => {
    const v1 = page.getByRole("region", { name: "Timeline" }).getByRole("list", { name: "V1", exact: true });
    // the placeholder before the gap has no footage, so the fill conditions on Street B after it
    await v1.getByRole("listitem").filter({ hasText: "Placeholder: skyline at dusk" }).click();
    await v1.getByRole("listitem").filter({ hasText: "Street B.mp4" }).click({ modifiers: ["Shift"] });
    const clips = await clipsOn(page, "V1");
    const before = clips.find((c) => c.name.startsWith("Placeholder"))!;
    const after = clips.find((c) => c.name === "Street B.mp4")!;
    await page.getByRole("textbox", { name: "Prompt", exact: true }).fill("traffic in the rain");
    await press("Fill");
    const clip = await landed("V1", "traffic-in-the-rain_");
    const gapStart = before.startFrame + before.frames;
    expect(clip).toMatchObject({ startFrame: gapStart, frames: after.startFrame - gapStart, track: 1 });
    // the clips around it stay where they were
    const now = await clipsOn(page, "V1");
    expect(now.find((c) => c.name === "Street B.mp4")).toEqual(after);
    expect(now.find((c) => c.name.startsWith("Placeholder"))).toEqual(before);
    await jobRow("traffic in the rain").getByText("In the sequence").waitFor();
    await screenshot(page, "fill");
  }, 120_000);

  test("the panel as UXP draws it: its content scrolls inside it, choices show their value, disabled looks disabled", async () => {
    await page.setViewportSize({ width: 1440, height: 520 });
    const content = page.locator(".tessera .content");
    const bar = page.getByRole("region", { name: "Connection" });
    const barTop = (await bar.boundingBox())!.y;
    const sizes = await content.evaluate((el) => ({ scroll: el.scrollHeight, client: el.clientHeight }));
    expect(sizes.scroll).toBeGreaterThan(sizes.client);
    await content.evaluate((el) => el.scrollBy(0, 200));
    expect(await content.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
    expect((await bar.boundingBox())!.y).toBe(barTop); // the connection line stays in sight
    const unit = page.getByRole("radiogroup", { name: "Duration unit" });
    const background = (name: string) => unit.getByRole("radio", { name }).evaluate((el) => getComputedStyle(el).backgroundColor);
    const before = { seconds: await background("seconds"), frames: await background("frames") };
    expect(before.seconds).not.toBe(before.frames);
    await unit.getByRole("radio", { name: "frames" }).click();
    expect(await background("frames")).toBe(before.seconds);
    const replace = page.getByRole("button", { name: "Replace" });
    expect(await replace.isDisabled()).toBe(true);
    expect(await replace.evaluate((el) => getComputedStyle(el).color)).toBe("rgb(107, 107, 107)");
    await page.getByRole("tab", { name: "Settings" }).click();
    await page.getByRole("button", { name: "Export log" }).click();
    await page.getByText(/^Log saved to tessera-panel-.*\.log\. Send it with the output of `tessera doctor`\.$/).waitFor();
    await screenshot(page, "settings");
  }, 60_000);

  test("a draft lands marked as a draft; Make final swaps the full-quality take in at the same place", async () => {
    await prompt("lighthouse at dusk", 1);
    await page.getByRole("radiogroup", { name: "Quality" }).getByRole("radio", { name: "Draft" }).click();
    await page.getByRole("button", { name: "Generate" }).click();
    const draft = await landed("V2", "lighthouse-at-dusk_");
    const row = jobRow("lighthouse at dusk").first();
    await row.getByText("In the sequence").waitFor();
    await expect(row.getByText("Draft", { exact: true }).isVisible()).resolves.toBe(true);
    await row.getByRole("button", { name: "Make final" }).click();
    const final = await waitUntil("the final to replace the draft", async () => {
      const clips = generated(await clipsOn(page, "V2"), "lighthouse-at-dusk_");
      return clips.length === 1 && clips[0]!.name !== draft.name ? clips[0]! : null;
    });
    expect(final).toMatchObject({ startFrame: PLAYHEAD_FRAME, frames: 24, track: 2 });
    await page.getByRole("button", { name: 'Undo Tessera: Make final "lighthouse at dusk"' }).waitFor();
  }, 120_000);

  test("Cancel stops a job and nothing lands", async () => {
    await prompt("a long storm over the sea", 4);
    await page.getByRole("button", { name: "Generate" }).click();
    const cancel = page.getByRole("button", { name: "Cancel a long storm over the sea" });
    await cancel.waitFor();
    await waitUntil("the job to be accepted", async () => !/Waiting for the helper/.test((await jobRow("a long storm over the sea").textContent()) ?? ""));
    await cancel.click();
    await jobRow("a long storm over the sea").getByText("Cancelled").waitFor({ timeout: 20_000 });
    await page.waitForTimeout(1000);
    expect(generated(await clipsOn(page, "V2"), "a-long-storm")).toEqual([]);
  }, 60_000);

  test("the helper is killed mid-job and restarted: the panel reconnects and imports the clip once", async () => {
    await prompt("lighthouse in fog", 1);
    await page.getByRole("button", { name: "Generate" }).click();
    const row = jobRow("lighthouse in fog");
    await row.getByText(/Generating|Decoding|Writing|Finishing|Reading|Loading/).first().waitFor({ timeout: 20_000 });
    await session.helper.kill();
    await page.getByText("Connection lost", { exact: true }).waitFor({ timeout: 15_000 });
    await screenshot(page, "reconnecting");
    await session.restartHelper();
    await page.getByText("Connected", { exact: true }).waitFor({ timeout: 30_000 });
    await row.getByText("In the sequence").waitFor({ timeout: 60_000 });
    await page.waitForTimeout(1500); // any duplicate placement would show up by now
    const placed = generated([...(await clipsOn(page, "V2")), ...(await clipsOn(page, "V3"))], "lighthouse-in-fog_");
    expect(placed).toHaveLength(1);
    expect(placed[0]).toMatchObject({ startFrame: PLAYHEAD_FRAME, frames: 24 });
    // the restarted helper welcomed before its model was loaded: the panel picks the model up again
    await waitUntil("the model to be offered again", async () => (await page.getByRole("radiogroup", { name: "Model" }).getByRole("radio", { checked: true }).count()) === 1);
    expect(await page.getByRole("button", { name: "Generate" }).isEnabled()).toBe(true);
    await screenshot(page, "recovered");
  }, 120_000);
});
