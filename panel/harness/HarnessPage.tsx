import type { SimulatedHost } from "../host/simulated.js";
import type { PanelModel } from "../model/panel-model.js";
import { App } from "../ui/App.js";
import type { HarnessMedia } from "./demo.js";
import { Timeline } from "./Timeline.js";
import { ProgramMonitor } from "./ProgramMonitor.js";

/** Premiere's layout in miniature: the Tessera panel docked left, the program monitor and the timeline right. */
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

export function HarnessPage({ host, model, media = null }: { host: SimulatedHost; model: PanelModel; media?: HarnessMedia | null }) {
  return (
    <div className="harness">
      <header className="harness__bar">
        <span className="harness__brand">Tessera</span>
        <span className="harness__sub">Panel harness · simulated Premiere Pro sequence</span>
      </header>
      <div className="harness__main">
        <aside className="harness__panel" aria-label="Tessera panel">
          <div className="harness__panel-title">Tessera</div>
          <App model={model} />
        </aside>
        <main className="harness__work">
          <ProgramMonitor host={host} sourceOf={sourceOf(model, media)} />
          <Timeline host={host} />
        </main>
      </div>
    </div>
  );
}
