import type { AudioMode } from "../../shared/protocol.js";
import type { PanelModel, PanelState } from "../model/panel-model.js";
import { canLoop } from "../workflows/capabilities.js";
import { Choice, type ChoiceOption } from "./Choice.js";

const SOUNDS: ChoiceOption<AudioMode>[] = [
  { value: "extend", label: "Continue the footage's sound" },
  { value: "none", label: "No sound" },
];
const LOOPS: ChoiceOption<"off" | "on">[] = [
  { value: "off", label: "Plays once" },
  { value: "on", label: "Seamless loop" },
];

/** Options that shape the clip itself: a seamless loop (B-roll) and the sound under extensions and fills. */
export function ClipOptions({ model, state }: { model: PanelModel; state: PanelState }) {
  const { form } = state;
  const current = model.currentModel();
  const loops = canLoop(current);
  const loop = form.loop && loops;
  return (
    <>
      <div className="field">
        <span className="label">Sound</span>
        <Choice name="Sound" options={SOUNDS} value={form.sound} onChange={(sound) => model.setForm({ sound })} />
        <p className="hint">Extend and Fill: room tone under the new frames, when the footage has sound.</p>
      </div>
      <div className="field">
        <span className="label">Loop</span>
        <Choice name="Loop" options={LOOPS} value={loop ? "on" : "off"} disabled={!loops} onChange={(value) => model.setForm({ loop: value === "on" })} />
        <p className="hint">
          {!loops
            ? `${current?.name ?? current?.id ?? "This model"} runs on ${current?.engine ?? "an engine"}, which makes no loops: choose a model package for a loop.`
            : loop
              ? "B-roll ends where it starts."
              : "B-roll plays once."}
        </p>
      </div>
    </>
  );
}
