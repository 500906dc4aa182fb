/**
 * The harness as After Effects: the Tessera panel docked left, the comp viewer, Project panel and Timeline right.
 * The comp is the simulated After Effects object model running the real host.jsx, so the panel's AfterEffectsHost
 * goes through the same JSON bridge calls it makes inside After Effects.
 */
import { compFrameRate } from "../../host/aftereffects.js";
import type { SimAfterEffects } from "../../host/aftereffects/simulated/app.js";
import type { CompItem } from "../../host/aftereffects/simulated/items.js";
import type { PanelModel } from "../../model/panel-model.js";
import { HarnessShell } from "../HarnessPage.js";
import { CompTimeline } from "./CompTimeline.js";
import { ProjectPanel } from "./ProjectPanel.js";
import { useSim, type SimWatcher } from "./watch.js";

function Viewer({ comp, watcher }: { comp: CompItem; watcher: SimWatcher }) {
  useSim(watcher);
  const visible = comp.stack.filter((l) => l.enabled && l.inPoint <= comp.time && l.outPoint > comp.time);
  const selected = comp.selectedLayers.map((l) => l.name);
  return (
    <section className="ae-viewer" aria-label="Composition viewer">
      <div className="ae-viewer__frame">
        <div className="ae-viewer__shot">{visible[0]?.name ?? "Nothing at the current time"}</div>
        {visible.length > 1 ? <div className="ae-viewer__under">over {visible.slice(1).map((l) => l.name).join(", ")}</div> : null}
      </div>
      <p className="ae-viewer__sel">
        {selected.length ? `Selected: ${selected.join(", ")}` : "Click layers to select them (Shift-click adds); click the ruler to move the current time."}
      </p>
    </section>
  );
}

export function AeHarnessPage({ ae, comp, watcher, model }: { ae: SimAfterEffects; comp: CompItem; watcher: SimWatcher; model: PanelModel }) {
  return (
    <HarnessShell subtitle="Panel harness · simulated After Effects comp (host.jsx over the JSON bridge)" model={model}>
      <div className="ae-top">
        <ProjectPanel ae={ae} watcher={watcher} />
        <Viewer comp={comp} watcher={watcher} />
      </div>
      <CompTimeline ae={ae} comp={comp} fps={compFrameRate(comp.frameRate)} watcher={watcher} />
    </HarnessShell>
  );
}
