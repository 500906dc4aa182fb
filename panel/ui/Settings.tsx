import { useEffect } from "react";
import type { PanelModel, PanelState } from "../model/panel-model.js";
import type { Settings as SettingsValues } from "../model/settings.js";

export function Settings({ model, state }: { model: PanelModel; state: PanelState }) {
  const { settings } = state;
  const set = (patch: Partial<SettingsValues>) => model.setSettings(patch);
  const connected = state.connection.kind === "connected";
  useEffect(() => {
    if (connected) void model.refreshEngines();
  }, [model, connected]);
  return (
    <section className="settings" aria-label="Settings">
      <div className="field">
        <label htmlFor="handles">Handles (frames each side)</label>
        <input
          id="handles"
          className="input input--num"
          type="number"
          min={0}
          max={120}
          value={settings.handles}
          onChange={(e) => {
            const v = Number(e.target.value);
            if (Number.isInteger(v) && v >= 0 && v <= 120) set({ handles: v });
          }}
        />
        <p className="hint">Extra frames kept outside the clip's In/Out so trims and dissolves have media.</p>
      </div>
      <div className="field">
        <label htmlFor="format">Output format</label>
        <select id="format" className="input input--select" value={settings.format} onChange={(e) => set({ format: e.target.value as SettingsValues["format"] })}>
          <option value="h264">H.264 MP4</option>
          <option value="prores">ProRes 422 HQ MOV</option>
          <option value="png">PNG sequence</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="fit">Fit to the sequence frame</label>
        <select id="fit" className="input input--select" value={settings.fit} onChange={(e) => set({ fit: e.target.value as SettingsValues["fit"] })}>
          <option value="fill">Fill (crop edges)</option>
          <option value="fit">Fit (letterbox)</option>
          <option value="stretch">Stretch</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="no-track">When no video track is free</label>
        <select
          id="no-track"
          className="input input--select"
          value={settings.whenNoTrackFree}
          onChange={(e) => set({ whenNoTrackFree: e.target.value as SettingsValues["whenNoTrackFree"] })}
        >
          <option value="ask">Ask me</option>
          <option value="new-track">Add a track above</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="port">Helper port</label>
        <input
          id="port"
          className="input input--num"
          type="number"
          placeholder="Automatic (48750–48753)"
          value={settings.port ?? ""}
          onChange={(e) => {
            const v = e.target.value === "" ? null : Number(e.target.value);
            if (v === null || (Number.isInteger(v) && v > 0 && v < 65536)) set({ port: v });
          }}
        />
      </div>
      <div className="field">
        <span className="label">Pairing</span>
        <button type="button" className="btn btn--secondary" onClick={() => void model.forgetPairing()}>
          Forget pairing
        </button>
        <p className="hint">The panel asks for a new code the next time it connects.</p>
      </div>
      <div className="field" role="group" aria-label="Engines">
        <span className="label">Engines</span>
        {state.engines === null || state.engines.length === 0 ? (
          <p className="hint">
            {state.engines === null ? "Checking…" : "Only the built-in engine. Add a ComfyUI server with `tessera engines add comfyui URL`."}
          </p>
        ) : (
          <ul className="engines">
            {state.engines.map((e) => (
              <li key={e.name} aria-label={`Engine ${e.name}`}>
                <strong>{e.name}</strong> {e.reachable ? "reachable" : "unreachable"} · {e.detail}
                {e.templates.map((t) => (
                  <p key={t.id} className="hint">
                    {t.ready ? `${t.id}: ready (${t.model})` : `${t.id} is missing: ${t.missing.join("; ")}`}
                  </p>
                ))}
              </li>
            ))}
          </ul>
        )}
      </div>
      <p className="hint about">
        {state.helperVersion ? `Helper ${state.helperVersion} · ${state.device ?? ""}` : "Helper not connected."}
      </p>
    </section>
  );
}
