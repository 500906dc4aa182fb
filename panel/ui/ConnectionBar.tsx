import { useState } from "react";
import type { PanelModel, PanelState } from "../model/panel-model.js";
import { describeConnection } from "./connection-lines.js";

export function ConnectionBar({ model, state }: { model: PanelModel; state: PanelState }) {
  const line = describeConnection(state.connection);
  const [code, setCode] = useState("");
  const kind = state.connection.kind;
  return (
    <section className={`conn conn--${line.tone}`} aria-label="Connection">
      <div className="conn__row" role="status" aria-live="polite">
        <span className="conn__dot" aria-hidden="true" />
        <span className="conn__title">{line.title}</span>
        <span className="conn__cause">{line.cause}</span>
      </div>
      {line.fix && <p className="conn__fix">{line.fix}</p>}
      {(kind === "unreachable" || kind === "reconnecting" || kind === "failed" || kind === "version-mismatch") && (
        <div className="conn__actions">
          <button type="button" className="btn btn--quiet" onClick={() => model.retryConnection()}>
            Retry now
          </button>
        </div>
      )}
      {(kind === "needs-pairing" || kind === "pairing") && (
        // no <form>: UXP's form submission differs from browsers', so Enter and the button call the same action
        <div className="conn__actions">
          <button type="button" className="btn btn--quiet" onClick={() => void model.requestPairingCode()}>
            Get code
          </button>
          {kind === "pairing" && (
            <>
              <input
                aria-label="Pairing code"
                className="input input--code"
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={7}
                placeholder="000000"
                value={code}
                onChange={(e) => setCode(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === "Enter") void model.submitPairingCode(code);
                }}
              />
              <button type="button" className="btn btn--primary" onClick={() => void model.submitPairingCode(code)}>
                Pair
              </button>
            </>
          )}
        </div>
      )}
    </section>
  );
}
