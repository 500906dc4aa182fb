// The browser harness for one describe block: built once, served by the real helper with the tiny test model,
// driven by Chromium, with a fresh page per test opened at the harness address (plus `query`, e.g.
// "?host=aftereffects") and connected. Premiere's and After Effects' end-to-end tests share it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { chromiumPath, launch, waitUntil } from "./browser.js";
import { freePort, HelperProcess, ROOT } from "./helper-process.js";

export const MODEL = join(ROOT, "tests", "fixtures", "tiny-model");

/** Why the harness cannot run on this machine, or null when it can. */
export function missingPrerequisite(): string | null {
  if (!chromiumPath()) return "Chromium is not installed (apt-get install chromium)";
  if (!existsSync(join(MODEL, "model.json"))) return "the tiny test model (tests/fixtures/tiny-model) is missing";
  if (!existsSync(join(ROOT, "helper-service", "cli.ts"))) return "the helper (helper-service/cli.ts) is missing";
  return null;
}

/** `describe` where the harness can run; elsewhere one skipped test that says what is missing. */
export function describeHarness(name: string, body: () => void): void {
  const reason = missingPrerequisite();
  if (!reason) {
    describe(name, body);
    return;
  }
  process.stderr.write(`${name}: skipped, ${reason}\n`);
  describe(name, () => {
    test.skip(`skipped: ${reason}`, () => undefined);
  });
}

export interface HarnessSession {
  /** This test's page, connected to the helper. */
  readonly page: Page;
  readonly helper: HelperProcess;
  /** Starts the helper again on the same port and data folder (after `helper.kill()`). */
  restartHelper(): Promise<HelperProcess>;
  /** Clicks an action button once the panel enables it (the selection reaches it asynchronously). */
  press(name: string): Promise<void>;
  /** The queue row of the job with this prompt. */
  jobRow(prompt: string): Locator;
}

/** Registers the hooks in the calling describe block; each test fails if its page raised an error. */
export function useHarnessSession(query = ""): HarnessSession {
  let dataDir: string;
  let port: number;
  let helper: HelperProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  const startHelper = () => HelperProcess.start({ port, dataDir, model: MODEL });

  beforeAll(async () => {
    const build = spawnSync(process.execPath, ["scripts/build.mjs", "--harness"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    if (build.status !== 0) throw new Error(`harness build failed:\n${build.stdout}\n${build.stderr}`);
    dataDir = mkdtempSync(join(tmpdir(), "tessera-e2e-"));
    port = await freePort();
    [helper, browser] = await Promise.all([startHelper(), launch(chromiumPath() as string)]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await helper?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${helper.url}${query}`);
    await page.getByText("Connected", { exact: true }).waitFor({ timeout: 20_000 });
  });

  afterEach(async () => {
    await context?.close();
    expect(pageErrors).toEqual([]);
  });

  return {
    get page() {
      return page;
    },
    get helper() {
      return helper;
    },
    restartHelper: async () => (helper = await startHelper()),
    async press(name) {
      const button = page.getByRole("button", { name });
      await waitUntil(`${name} to be enabled`, () => button.isEnabled());
      await button.click();
    },
    jobRow: (prompt) => page.getByRole("listitem", { name: prompt }),
  };
}
