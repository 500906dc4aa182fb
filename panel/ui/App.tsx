import { useState } from "react";
import type { PanelModel } from "../model/panel-model.js";
import { Actions } from "./Actions.js";
import { ConnectionBar } from "./ConnectionBar.js";
import { History } from "./History.js";
import { PromptForm } from "./PromptForm.js";
import { Queue } from "./Queue.js";
import { Settings } from "./Settings.js";
import { usePanelState } from "./use-panel.js";

type Tab = "create" | "history" | "settings";
const TABS: { id: Tab; label: string }[] = [
  { id: "create", label: "Create" },
  { id: "history", label: "History" },
  { id: "settings", label: "Settings" },
];

export function App({ model }: { model: PanelModel }) {
  const state = usePanelState(model);
  const [tab, setTab] = useState<Tab>("create");
  const running = state.jobs.filter((j) => j.status === "queued" || j.status === "running" || j.status === "sending").length;
  return (
    <div className="tessera">
      <ConnectionBar model={model} state={state} />
      <div className="tabs" role="tablist" aria-label="Tessera">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            className={`tab${tab === t.id ? " is-active" : ""}`}
            onClick={() => {
              setTab(t.id);
              if (t.id === "history" && state.connection.kind === "connected") void model.searchHistory(state.history.text);
            }}
          >
            {t.label}
            {t.id === "create" && running > 0 && <span className="badge">{running}</span>}
          </button>
        ))}
      </div>
      <div className="content">
        {tab === "create" && (
          <div role="tabpanel" id="panel-create" aria-labelledby="tab-create">
            <PromptForm model={model} state={state} />
            <Actions model={model} state={state} />
            <Queue model={model} state={state} />
          </div>
        )}
        {tab === "history" && (
          <div role="tabpanel" id="panel-history" aria-labelledby="tab-history">
            <History model={model} state={state} />
          </div>
        )}
        {tab === "settings" && (
          <div role="tabpanel" id="panel-settings" aria-labelledby="tab-settings">
            <Settings model={model} state={state} />
          </div>
        )}
      </div>
    </div>
  );
}
