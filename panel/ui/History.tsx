import { useState } from "react";
import type { HistoryItem } from "../../shared/protocol.js";
import { framesToSeconds } from "../../shared/time.js";
import type { PanelModel, PanelState } from "../model/panel-model.js";
import { WORKFLOW_LABELS } from "../model/jobs.js";

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleString(undefined, { dateStyle: "short", timeStyle: "short" });
}

function HistoryRow({ item, model, enabled }: { item: HistoryItem; model: PanelModel; enabled: boolean }) {
  const r = item.request;
  const workflow = r.workflow === "cli" ? "Command line" : WORKFLOW_LABELS[r.workflow];
  return (
    <li className="hist" aria-label={r.prompt}>
      <div className="hist__prompt">{r.prompt}</div>
      <div className="hist__meta">
        {workflow} · {framesToSeconds(r.frames, r.fps).toFixed(2)} s · seed {r.seed} · {when(item.createdAt)}
        {item.state !== "done" ? ` · ${item.state}` : ""}
      </div>
      <div className="hist__actions">
        <button type="button" className="btn btn--quiet" disabled={!enabled} aria-label={`Re-run ${r.prompt}`} onClick={() => void model.rerun(item)}>
          Re-run
        </button>
        <button type="button" className="btn btn--quiet" disabled={!enabled} aria-label={`Variant of ${r.prompt}`} onClick={() => void model.variant(item)}>
          Variant
        </button>
        <button
          type="button"
          className="btn btn--quiet"
          disabled={!item.output || !enabled}
          aria-label={`Insert again ${r.prompt}`}
          onClick={() => void model.insertAgain(item)}
        >
          Insert again
        </button>
      </div>
    </li>
  );
}

export function History({ model, state }: { model: PanelModel; state: PanelState }) {
  const [text, setText] = useState(state.history.text);
  const connected = state.connection.kind === "connected";
  const { history } = state;
  return (
    <section className="history" aria-label="History">
      <div className="joined search" role="search">
        <input
          aria-label="Search history"
          className="input"
          type="search"
          placeholder="Search prompts"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && connected) void model.searchHistory(text);
          }}
        />
        <button type="button" className="btn btn--secondary" disabled={!connected} onClick={() => void model.searchHistory(text)}>
          Search
        </button>
      </div>
      {history.error && <p className="message message--error">{history.error}</p>}
      {history.loading && <p className="hint">Searching…</p>}
      {!history.loading && history.items.length === 0 && (
        <p className="empty">{connected ? "No takes match." : "Connect to the helper to see earlier takes."}</p>
      )}
      <ul className="hists" aria-label="Past takes">
        {history.items.map((item) => (
          <HistoryRow key={item.jobId} item={item} model={model} enabled={connected} />
        ))}
      </ul>
    </section>
  );
}
