import type { ReactNode } from "react";
import type { SimulatedHost } from "../host/simulated.js";
import type { PanelModel } from "../model/panel-model.js";
import { App } from "../ui/App.js";
import type { HarnessMedia } from "./demo.js";
import { Timeline } from "./Timeline.js";
import { ProgramMonitor } from "./ProgramMonitor.js";

/**
 * The page around the panel, as in an editing application: the Tessera panel docked left, the host's own panels
 * (`children`) right. Premiere's and After Effects' harness pages share it.
 */
export function HarnessShell({ subtitle, model, children }: { subtitle: string; model: PanelModel; children: ReactNode }) {
  return (
    <div className="harness">
      <header className="harness__bar">
        <span className="harness__brand">Tessera</span>
        <span className="harness__sub">{subtitle}</span>
      </header>
      <div className="harness__main">
        <aside className="harness__panel" aria-label="Tessera panel">
          <div className="harness__panel-title">Tessera</div>
          <App model={model} />
        </aside>
        <main className="harness__work">{children}</main>
      </div>
    </div>
  );
}

/**
 * Where the program monitor gets a clip's file: a finished job's by its id (from the queue or history), a sample
 * clip from the harness's media folder; other files (the user's disks) are not served to the page.
 */
function sourceOf(model: PanelModel, media: HarnessMedia | null): (path: string) => string | null {
  return (path) => {
    const { jobs, history } = model.getState();
    const jobId = jobs.find((j) => j.output?.path === path)?.jobId ?? history.items.find((h) => h.output?.path === path)?.jobId;
    if (jobId) return `/clip/${jobId}`;
    const sample = media?.clips.find((c) => c.path === path);
    return sample ? `media/${encodeURIComponent(sample.path.split(/[\\/]/).pop() ?? "")}` : null;
  };
}

/** Premiere's layout in miniature: the Tessera panel docked left, the program monitor and the timeline right. */
export function HarnessPage({ host, model, media = null }: { host: SimulatedHost; model: PanelModel; media?: HarnessMedia | null }) {
  return (
    <HarnessShell subtitle="Panel harness · simulated Premiere Pro sequence" model={model}>
      <ProgramMonitor host={host} sourceOf={sourceOf(model, media)} />
      <Timeline host={host} />
    </HarnessShell>
  );
}
