import type { HostTerms } from "../host/editor-host.js";
import type { PanelModel, PanelState, Workflow } from "../model/panel-model.js";
import type { ActionName } from "../workflows/capabilities.js";
import { Choice, type ChoiceOption } from "./Choice.js";

const BUTTONS: { action: ActionName; workflow: Workflow; label: string; primary?: boolean }[] = [
  { action: "generate", workflow: "broll", label: "Generate", primary: true },
  { action: "replace", workflow: "replace", label: "Replace" },
  { action: "extend", workflow: "extend", label: "Extend" },
  { action: "fill", workflow: "fill", label: "Fill" },
];

const EXTEND_AT: ChoiceOption<"tail" | "head">[] = [
  { value: "tail", label: "Tail" },
  { value: "head", label: "Head" },
];

function what(action: ActionName, { playhead, track, clip }: HostTerms): string {
  const says: Record<ActionName, string> = {
    generate: `B-roll at the ${playhead} on the first free ${track}`,
    replace: `the selected placeholder, same ${track} and length`,
    extend: `the selected ${clip}`,
    fill: `the gap between the two selected ${clip}s`,
  };
  return says[action];
}

export function Actions({ model, state }: { model: PanelModel; state: PanelState }) {
  const gates = model.availability();
  const blocked = BUTTONS.filter((b) => !gates[b.action].enabled);
  return (
    <section className="actions" aria-label="Actions">
      <div className="actions__row">
        {BUTTONS.map(({ action, workflow, label, primary }) => (
          <button
            key={action}
            type="button"
            className={`btn ${primary ? "btn--primary" : "btn--secondary"}`}
            disabled={!gates[action].enabled}
            title={gates[action].reason ?? `${label}: ${what(action, model.terms)}`}
            aria-describedby={gates[action].enabled ? undefined : `why-${action}`}
            onClick={() => void model.run(workflow)}
          >
            {label}
          </button>
        ))}
        <Choice name="Extend at" options={EXTEND_AT} value={state.form.extendAt} onChange={(extendAt) => model.setForm({ extendAt })} />
      </div>
      {blocked.length > 0 && (
        <ul className="why">
          {blocked.map(({ action, label }) => (
            <li key={action} id={`why-${action}`}>
              <span className="why__name">{label}</span> {gates[action].reason}
            </li>
          ))}
        </ul>
      )}
      {state.question && (
        <div className="question" role="alertdialog" aria-label="No free track" aria-describedby="question-text">
          <p id="question-text">{state.question.question.message}</p>
          <div className="question__options">
            {state.question.question.options.map((o) => (
              <button key={o.label} type="button" className="btn btn--secondary" onClick={() => model.answerQuestion(o.choice)}>
                {o.label}
              </button>
            ))}
            <button type="button" className="btn btn--quiet" onClick={() => model.answerQuestion(null)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {state.message && (
        <div className={`message message--${state.message.tone}`} role={state.message.tone === "error" ? "alert" : "status"}>
          <span>{state.message.text}</span>
          <button type="button" className="btn btn--icon" aria-label="Dismiss message" onClick={() => model.dismissMessage()}>
            ×
          </button>
        </div>
      )}
    </section>
  );
}
