import { durationSeconds, formatDuration, frameRateLabel } from "../../shared/time.js";
import type { PanelModel, PanelState } from "../model/panel-model.js";
import { requestedFrames } from "../model/settings.js";
import { stepsFor, type Quality } from "../workflows/request.js";
import { ClipOptions } from "./ClipOptions.js";
import { estimateTokens, firstIgnoredWord } from "./prompt-length.js";

const QUALITY_LABELS: Record<Quality, string> = { draft: "Draft", standard: "Standard", high: "High" };

export function PromptForm({ model, state }: { model: PanelModel; state: PanelState }) {
  const { form, host } = state;
  const current = model.currentModel();
  const sequence = host.sequence;
  const ignored = current ? firstIgnoredWord(form.prompt, current.maxTokens) : null;
  const timecode = { dropFrame: sequence?.dropFrame ?? false };
  const frames = sequence ? requestedFrames(form, sequence.fps, timecode) : null;
  const inOut = sequence && sequence.inPoint !== null && sequence.outPoint !== null;
  return (
    <section className="form" aria-label="Prompt and settings">
      <div className="field">
        <div className="field__head">
          <label htmlFor="prompt">Prompt</label>
          {current && (
            <span className="field__meta" aria-hidden="true">
              {estimateTokens(form.prompt)}/{current.maxTokens}
            </span>
          )}
        </div>
        <textarea
          id="prompt"
          className="input input--area"
          rows={3}
          placeholder="Slow dolly past neon shop windows in the rain, night"
          value={form.prompt}
          aria-describedby={ignored ? "prompt-notice" : undefined}
          onChange={(e) => model.setForm({ prompt: e.target.value })}
        />
        {ignored && current && (
          <p id="prompt-notice" className="notice notice--warn" role="note">
            The model reads about {current.maxTokens} words and marks; from “{ignored}” on, the prompt is ignored.
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor="negative">Negative prompt</label>
        <input
          id="negative"
          className="input"
          placeholder="What to avoid: text, watermark, blur"
          value={form.negativePrompt}
          onChange={(e) => model.setForm({ negativePrompt: e.target.value })}
        />
      </div>
      <div className="row">
        <div className="field field--grow">
          <label htmlFor="duration">Duration</label>
          <div className="joined">
            <input
              id="duration"
              className="input input--num"
              type="number"
              min={form.durationUnit === "frames" ? 1 : 0.05}
              step={form.durationUnit === "frames" ? 1 : 0.1}
              value={form.duration}
              aria-describedby="duration-hint"
              onChange={(e) => {
                const value = Number(e.target.value);
                if (Number.isFinite(value) && value > 0) model.setForm({ duration: value });
              }}
            />
            <select
              aria-label="Duration unit"
              className="input input--select"
              value={form.durationUnit}
              onChange={(e) => model.setDurationUnit(e.target.value as "seconds" | "frames")}
            >
              <option value="seconds">seconds</option>
              <option value="frames">frames</option>
            </select>
          </div>
          <p id="duration-hint" className="hint">
            {sequence && frames !== null
              ? inOut
                ? "B-roll fills the sequence In/Out range."
                : `${formatDuration(frames, sequence.fps, timecode)} · ${durationSeconds(frames, sequence.fps, timecode)} s · ${frames} frames at ${frameRateLabel(sequence.fps)} fps`
              : "Open a sequence to see frames."}
          </p>
        </div>
        <div className="field field--side">
          <label htmlFor="quality">Quality</label>
          <select
            id="quality"
            className="input input--select"
            value={form.quality}
            onChange={(e) => model.setForm({ quality: e.target.value as Quality })}
          >
            {(Object.keys(QUALITY_LABELS) as Quality[]).map((q) => (
              <option key={q} value={q}>
                {QUALITY_LABELS[q]}
              </option>
            ))}
          </select>
          <p className="hint">{current ? `${stepsFor(form.quality, current)} steps` : "\u00a0"}</p>
        </div>
      </div>
      <div className="row">
        <div className="field field--grow">
          <label htmlFor="seed">Seed</label>
          <div className="joined">
            <input
              id="seed"
              className="input input--num"
              type="number"
              min={0}
              max={4294967295}
              value={form.seed}
              readOnly={!form.seedLocked}
              aria-describedby="seed-hint"
              onChange={(e) => {
                const value = Number(e.target.value);
                if (Number.isInteger(value) && value >= 0 && value <= 0xffffffff) model.setForm({ seed: value });
              }}
            />
            <button
              type="button"
              className={`btn btn--toggle${form.seedLocked ? " is-on" : ""}`}
              aria-pressed={form.seedLocked}
              onClick={() => model.setForm({ seedLocked: !form.seedLocked })}
            >
              {form.seedLocked ? "Locked" : "Lock"}
            </button>
          </div>
          <p id="seed-hint" className="hint">
            {form.seedLocked ? "Every take uses this seed." : "A new random seed for each take."}
          </p>
        </div>
      </div>
      <ClipOptions model={model} state={state} />
      <div className="field">
        <label htmlFor="model">Model</label>
        <select
          id="model"
          className="input input--select"
          value={current?.id ?? ""}
          disabled={state.models.length === 0}
          onChange={(e) => model.setForm({ modelId: e.target.value })}
        >
          {state.models.length === 0 && <option value="">No model</option>}
          {state.models.map((m) => (
            <option key={m.id} value={m.id}>
              {m.id} {m.version}
            </option>
          ))}
        </select>
      </div>
    </section>
  );
}
