import type { ModelInfo } from "../../shared/protocol.js";
import { durationSeconds, formatDuration, framesToSeconds, frameRateLabel, type FrameRate } from "../../shared/time.js";
import type { PanelModel, PanelState } from "../model/panel-model.js";
import { requestedFrames } from "../model/settings.js";
import { longestFrames } from "../workflows/length.js";
import { stepsFor, type Quality } from "../workflows/request.js";
import { Choice, type ChoiceOption } from "./Choice.js";
import { ClipOptions } from "./ClipOptions.js";
import { estimateTokens, firstIgnoredWord } from "./prompt-length.js";

const QUALITIES: ChoiceOption<Quality>[] = [
  { value: "draft", label: "Draft" },
  { value: "standard", label: "Standard" },
  { value: "high", label: "High" },
];
const UNITS: ChoiceOption<"seconds" | "frames">[] = [
  { value: "seconds", label: "seconds" },
  { value: "frames", label: "frames" },
];

/** "LTX-Video 2B via studio-gpu: B-roll up to 10.21 s (with 12-frame handles), extend up to 10.33 s." */
function durationLimit(model: ModelInfo, fps: FrameRate, handles: number): string | null {
  const secs = (frames: number) => `${framesToSeconds(frames, fps).toFixed(2)} s`;
  const broll = longestFrames(model, "textToVideo", fps, handles);
  const tail = longestFrames(model, "extendTail", fps);
  const parts = [
    ...(broll !== null ? [`B-roll up to ${secs(broll)}${handles > 0 ? ` (with ${handles}-frame handles)` : ""}`] : []),
    ...(tail !== null ? [`extend up to ${secs(tail)}`] : []),
  ];
  return parts.length > 0 ? `${model.name ?? model.id}: ${parts.join(", ")} in one clip.` : null;
}

export function PromptForm({ model, state }: { model: PanelModel; state: PanelState }) {
  const { form, host } = state;
  const current = model.currentModel();
  const sequence = host.sequence;
  const ignored = current ? firstIgnoredWord(form.prompt, current.maxTokens) : null;
  const timecode = { dropFrame: sequence?.dropFrame ?? false };
  const frames = sequence ? requestedFrames(form, sequence.fps, timecode) : null;
  const inOut = sequence && sequence.inPoint !== null && sequence.outPoint !== null;
  const limit = current && sequence ? durationLimit(current, sequence.fps, state.settings.handles) : null;
  return (
    <section className="form" aria-label="Prompt and settings">
      <div className="field">
        <label className="field__control">
          <span className="field__head">
            <span className="label">Prompt</span>
            {current && (
              <span className="field__meta" aria-hidden="true">
                {estimateTokens(form.prompt)}/{current.maxTokens}
              </span>
            )}
          </span>
          <textarea
            className="input input--area"
            placeholder="Slow dolly past neon shop windows in the rain, night"
            value={form.prompt}
            aria-describedby={ignored ? "prompt-notice" : undefined}
            onChange={(e) => model.setForm({ prompt: e.target.value })}
          />
        </label>
        {ignored && current && (
          <p id="prompt-notice" className="notice notice--warn" role="note">
            The model reads about {current.maxTokens} words and marks; from “{ignored}” on, the prompt is ignored.
          </p>
        )}
      </div>
      <label className="field">
        <span className="label">Negative prompt</span>
        <input
          className="input"
          placeholder="What to avoid: text, watermark, blur"
          value={form.negativePrompt}
          onChange={(e) => model.setForm({ negativePrompt: e.target.value })}
        />
      </label>
      <div className="field">
        <div className="joined">
          <label className="field__control joined__main">
            <span className="label">Duration</span>
            <input
              className="input input--num"
              type="number"
              min={form.durationUnit === "frames" ? 1 : 0.05}
              step={form.durationUnit === "frames" ? 1 : 0.1}
              value={form.duration}
              aria-describedby={limit ? "duration-hint duration-limit" : "duration-hint"}
              onChange={(e) => {
                const value = Number(e.target.value);
                if (Number.isFinite(value) && value > 0) model.setForm({ duration: value });
              }}
            />
          </label>
          <Choice name="Duration unit" options={UNITS} value={form.durationUnit} onChange={(unit) => model.setDurationUnit(unit)} />
        </div>
        <p id="duration-hint" className="hint">
          {sequence && frames !== null
            ? inOut
              ? `B-roll fills the ${model.terms.timeline} ${model.terms.range}.`
              : `${formatDuration(frames, sequence.fps, timecode)} · ${durationSeconds(frames, sequence.fps, timecode)} s · ${frames} frames at ${frameRateLabel(sequence.fps)} fps`
            : `Open a ${model.terms.timeline} to see frames.`}
        </p>
        {limit && (
          <p id="duration-limit" className="hint">
            {limit}
          </p>
        )}
      </div>
      <div className="field">
        <span className="label">Quality</span>
        <Choice name="Quality" options={QUALITIES} value={form.quality} onChange={(quality) => model.setForm({ quality })} />
        <p className="hint">{current ? `${stepsFor(form.quality, current)} steps` : "\u00a0"}</p>
      </div>
      <div className="field">
        <div className="joined">
          <label className="field__control joined__main">
            <span className="label">Seed</span>
            <input
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
          </label>
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
      <ClipOptions model={model} state={state} />
      <div className="field">
        <span className="label">Model</span>
        {state.models.length === 0 ? (
          <p className="hint">No model yet: the helper lists its models once it is connected.</p>
        ) : (
          <Choice
            name="Model"
            options={state.models.map((m) => ({ value: m.id, label: `${m.name ?? m.id} ${m.version}` }))}
            value={current?.id ?? ""}
            onChange={(modelId) => model.setForm({ modelId })}
          />
        )}
      </div>
    </section>
  );
}
