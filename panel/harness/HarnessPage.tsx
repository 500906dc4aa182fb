import type { ReactNode } from "react";
import type { SimulatedHost } from "../host/simulated.js";
import type { PanelModel } from "../model/panel-model.js";
import { App } from "../ui/App.js";
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

/** Premiere's layout in miniature: the Tessera panel docked left, the program monitor and the timeline right. */
export function HarnessPage({ host, model }: { host: SimulatedHost; model: PanelModel }) {
  return (
    <HarnessShell subtitle="Panel harness · simulated Premiere Pro sequence" model={model}>
      <ProgramMonitor host={host} />
      <Timeline host={host} />
    </HarnessShell>
  );
}
