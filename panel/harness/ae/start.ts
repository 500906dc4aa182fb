// The After Effects side of the harness (index.html?host=aftereffects): a simulated After Effects with the demo
// comp, host.jsx fetched from the harness folder and loaded into it, and the real AfterEffectsHost over the bridge.
import { AfterEffectsHost } from "../../host/aftereffects.js";
import { JsxBridge } from "../../host/aftereffects/bridge.js";
import { SimAfterEffects } from "../../host/aftereffects/simulated/app.js";
import { asyncEval, loadExtendScript } from "../../host/aftereffects/simulated/engine.js";
import type { CompItem } from "../../host/aftereffects/simulated/items.js";
import type { HarnessMedia } from "../demo.js";
import { createDemoComp, demoProbe } from "./demo-comp.js";
import { SimWatcher } from "./watch.js";

export interface AeHarness {
  ae: SimAfterEffects;
  comp: CompItem;
  host: AfterEffectsHost;
  watcher: SimWatcher;
}

export function isAfterEffectsPage(search: string): boolean {
  return new URLSearchParams(search).get("host") === "aftereffects";
}

export async function startAfterEffects(media: HarnessMedia | null): Promise<AeHarness> {
  const styles = document.createElement("link");
  styles.rel = "stylesheet";
  styles.href = "./ae-harness.css";
  document.head.append(styles);
  const response = await fetch("./host.jsx", { cache: "no-store" });
  if (!response.ok) throw new Error("host.jsx is missing from the harness build; run `npm run build`.");
  const ae = new SimAfterEffects({ projectPath: null, probe: demoProbe(media) });
  const comp = createDemoComp(ae, media);
  const host = new AfterEffectsHost(new JsxBridge(asyncEval(loadExtendScript(await response.text(), ae))), { pollMs: 250 });
  return { ae, comp, host, watcher: new SimWatcher(ae) };
}
