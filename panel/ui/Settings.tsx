import { useEffect } from "react";
import type { PanelModel, PanelState } from "../model/panel-model.js";
import type { Settings as SettingsValues } from "../model/settings.js";
import { Choice, type ChoiceOption } from "./Choice.js";

const FORMATS: ChoiceOption<SettingsValues["format"]>[] = [
  { value: "h264", label: "H.264 MP4" },
  { value: "prores", label: "ProRes 422 HQ MOV" },
  { value: "png", label: "PNG sequence" },
];
const FITS: ChoiceOption<SettingsValues["fit"]>[] = [
  { value: "fill", label: "Fill (crop edges)" },
  { value: "fit", label: "Fit (letterbox)" },
  { value: "stretch", label: "Stretch" },
];
export function Settings({ model, state }: { model: PanelModel; state: PanelState }) {
  const { settings } = state;
  const { timeline, track, addTrack } = model.terms;
  const noTrack: ChoiceOption<SettingsValues["whenNoTrackFree"]>[] = [
    { value: "ask", label: "Ask me" },
    { value: "new-track", label: addTrack },
  ];
  const set = (patch: Partial<SettingsValues>) => model.setSettings(patch);
  const connected = state.connection.kind === "connected";
  useEffect(() => {
    if (connected) void model.refreshEngines();
  }, [model, connected]);
  return (
    <section className="settings" aria-label="Settings">
      <div className="field">
        <label className="field__control">
          <span className="label">Handles (frames each side)</span>
          <input
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
        </label>
        <p className="hint">Extra frames kept outside the clip's In/Out so trims and dissolves have media.</p>
      </div>
      <div className="field">
        <span className="label">Output format</span>
        <Choice name="Output format" options={FORMATS} value={settings.format} onChange={(format) => set({ format })} />
      </div>
      <div className="field">
        <span className="label">Fit to the {timeline} frame</span>
        <Choice name={`Fit to the ${timeline} frame`} options={FITS} value={settings.fit} onChange={(fit) => set({ fit })} />
      </div>
      <div className="field">
        <span className="label">When no {track} is free</span>
        <Choice name={`When no ${track} is free`} options={noTrack} value={settings.whenNoTrackFree} onChange={(whenNoTrackFree) => set({ whenNoTrackFree })} />
      </div>
      <label className="field">
        <span className="label">Helper port</span>
        <input
          className="input input--num"
          type="number"
          placeholder="Automatic (48750–48753)"
          value={settings.port ?? ""}
          onChange={(e) => {
            const v = e.target.value === "" ? null : Number(e.target.value);
            if (v === null || (Number.isInteger(v) && v > 0 && v < 65536)) set({ port: v });
          }}
        />
      </label>
      <div className="field">
        <span className="label">Pairing</span>
        <button type="button" className="btn btn--secondary" onClick={() => void model.forgetPairing()}>
          Forget pairing
        </button>
        <p className="hint">The panel asks for a new code the next time it connects.</p>
      </div>
      <div className="field">
        <span className="label">Support</span>
        <button type="button" className="btn btn--secondary" onClick={() => void model.exportLog()}>
          Export log
        </button>
        <p className="hint">Saves the panel's recent connection, job and edit lines to a file, to send with the output of tessera doctor.</p>
        {state.message && <p className={`message message--${state.message.tone}`}>{state.message.text}</p>}
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
