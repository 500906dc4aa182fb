import type { PanelModel, PanelState } from "../model/panel-model.js";

/** Options that shape the clip itself: a seamless loop (B-roll) and the sound under extensions and fills. */
export function ClipOptions({ model, state }: { model: PanelModel; state: PanelState }) {
  const { form } = state;
  return (
    <div className="row">
      <div className="field field--grow">
        <label htmlFor="sound">Sound</label>
        <select
          id="sound"
          className="input input--select"
          value={form.sound}
          aria-describedby="sound-hint"
          onChange={(e) => model.setForm({ sound: e.target.value === "none" ? "none" : "extend" })}
        >
          <option value="extend">Continue the footage&apos;s sound</option>
          <option value="none">No sound</option>
        </select>
        <p id="sound-hint" className="hint">
          Extend and Fill: room tone under the new frames, when the footage has sound.
        </p>
      </div>
      <div className="field field--side">
        <span className="label" id="loop-label">
          Loop
        </span>
        <button
          type="button"
          className={`btn btn--toggle${form.loop ? " is-on" : ""}`}
          aria-pressed={form.loop}
          aria-labelledby="loop-label"
          aria-describedby="loop-hint"
          onClick={() => model.setForm({ loop: !form.loop })}
        >
          {form.loop ? "Seamless" : "Off"}
        </button>
        <p id="loop-hint" className="hint">
          {form.loop ? "B-roll ends where it starts." : "B-roll plays once."}
        </p>
      </div>
    </div>
  );
}
