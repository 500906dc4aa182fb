// After Effects for the panel tests: the simulated object model with the harness's demo comp, the real host.jsx
// loaded into it, and an AfterEffectsHost talking to it through the real bridge.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AfterEffectsHost } from "../../../panel/host/aftereffects.js";
import { JsxBridge } from "../../../panel/host/aftereffects/bridge.js";
import { SimAfterEffects, type SimAfterEffectsOptions } from "../../../panel/host/aftereffects/simulated/app.js";
import { asyncEval, loadExtendScript, type SyncEvalScript } from "../../../panel/host/aftereffects/simulated/engine.js";
import type { CompItem } from "../../../panel/host/aftereffects/simulated/items.js";
import type { AVLayer } from "../../../panel/host/aftereffects/simulated/layers.js";
import { createDemoComp, demoProbe } from "../../../panel/harness/ae/demo-comp.js";
import type { HarnessMedia } from "../../../panel/harness/demo.js";
import { FPS } from "../support.js";

export const JSX_PATH = join(__dirname, "..", "..", "..", "panel", "host", "aftereffects", "host.jsx");
export const HOST_JSX = readFileSync(JSX_PATH, "utf8");

export const MEDIA: HarnessMedia = {
  clips: ["interview", "street", "harbour"].map((key) => ({ key, path: `/media/${key}.mp4`, fps: FPS, frames: 120 })),
};

export interface AeFixture {
  ae: SimAfterEffects;
  comp: CompItem;
  run: SyncEvalScript;
  host: AfterEffectsHost;
  /** The layer named `name` (the first from the top). */
  layer(name: string): AVLayer;
  /** Layer names, top of the stack first. */
  stack(): string[];
}

export function afterEffects(options: SimAfterEffectsOptions = {}): AeFixture {
  const ae = new SimAfterEffects({ projectPath: "/Edit/Spot.aep", probe: demoProbe(MEDIA), ...options });
  const comp = createDemoComp(ae, MEDIA);
  const run = loadExtendScript(HOST_JSX, ae);
  const host = new AfterEffectsHost(new JsxBridge(asyncEval(run)));
  const layer = (name: string) => {
    const found = comp.stack.find((l) => l.name === name);
    if (!found) throw new Error(`no layer ${name} in ${comp.stack.map((l) => l.name).join(", ")}`);
    return found;
  };
  return { ae, comp, run, host, layer, stack: () => comp.stack.map((l) => l.name) };
}
