// Reading the After Effects harness's Timeline panel as a user would: each layer row's number, name and frames.
import type { Page } from "playwright-core";

export interface CompLayer {
  index: number;
  name: string;
  inFrame: number;
  outFrame: number;
  selected: boolean;
}

export function layerRows(page: Page) {
  return page.getByRole("region", { name: "Timeline" }).getByRole("list", { name: "Layers" }).getByRole("listitem");
}

/** The comp's layers, top of the stack (layer 1) first. */
export async function compLayers(page: Page): Promise<CompLayer[]> {
  const out: CompLayer[] = [];
  for (const row of await layerRows(page).all()) {
    out.push({
      index: Number(await row.getAttribute("data-index")),
      name: (await row.locator(".ae-layer__name").textContent()) ?? "",
      inFrame: Number(await row.getAttribute("data-in-frame")),
      outFrame: Number(await row.getAttribute("data-out-frame")),
      selected: (await row.getAttribute("aria-selected")) === "true",
    });
  }
  return out;
}

/** Clicks the layer row named `name` (Shift adds it to the selection). */
export async function clickLayer(page: Page, name: string, add = false): Promise<void> {
  await layerRows(page)
    .filter({ has: page.locator(".ae-layer__name", { hasText: name }) })
    .first()
    .click(add ? { modifiers: ["Shift"] } : {});
}
