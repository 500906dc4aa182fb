// Headless Chromium for browser tests: Debian's, else Playwright's own if one is installed; null when neither.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { ROOT } from "./helper-process.js";

export const SCREENSHOTS = join(ROOT, "tests", "e2e", "screenshots");

export function chromiumPath(): string | null {
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  try {
    const bundled = chromium.executablePath();
    return bundled && existsSync(bundled) ? bundled : null;
  } catch {
    return null;
  }
}

export function launch(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--headless=new", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/** Polls until `check` returns a value (not false/null/undefined), or fails with what it last saw. */
export async function waitUntil<T>(what: string, check: () => Promise<T | false | null | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== false && value !== null && value !== undefined) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface TimelineClip {
  name: string;
  length: string;
  startFrame: number;
  frames: number;
  track: number;
}

/** The clips the harness timeline lists on track `label` ("V1"), read as a user would: name and length. */
export async function clipsOn(page: Page, label: string): Promise<TimelineClip[]> {
  const items = page.getByRole("region", { name: "Timeline" }).getByRole("list", { name: label, exact: true }).getByRole("listitem");
  const out: TimelineClip[] = [];
  for (const item of await items.all()) out.push(await readClip(item));
  return out;
}

async function readClip(item: Locator): Promise<TimelineClip> {
  return {
    name: (await item.locator(".tl-clip__name").textContent()) ?? "",
    length: (await item.locator(".tl-clip__len").textContent()) ?? "",
    startFrame: Number(await item.getAttribute("data-start-frame")),
    frames: Number(await item.getAttribute("data-frames")),
    track: Number(await item.getAttribute("data-track")),
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.tmp.png`);
  await page.screenshot({ path });
  return path;
}
