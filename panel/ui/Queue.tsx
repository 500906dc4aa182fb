import type { HostTerms } from "../host/editor-host.js";
import type { PanelModel, PanelState } from "../model/panel-model.js";
import { ACTIVE, formatEta, PHASE_LABELS, type JobView } from "../model/jobs.js";

export function statusText(job: JobView, terms: HostTerms): string {
  switch (job.status) {
    case "sending":
      return "Waiting for the helper";
    case "queued":
      return job.position ? `Queued · ${job.position} ahead` : "Queued";
    case "running": {
      const phase = job.phase ? PHASE_LABELS[job.phase] : "Starting";
      const window = job.window && job.window.count > 1 ? ` · window ${job.window.index + 1}/${job.window.count}` : "";
      const where = job.runsOn ? ` · ${job.runsOn}` : "";
      return `${phase}${window} · ${Math.round(job.fraction * 100)}%${where}`;
    }
    case "placing":
      return `Placing in the ${terms.timeline}`;
    case "placed":
      return `In the ${terms.timeline}`;
    case "ready":
      return "Finished, not placed";
    case "failed":
      return "Failed";
    case "cancelled":
      return "Cancelled";
  }
}

function JobRow({ job, model }: { job: JobView; model: PanelModel }) {
  const active = ACTIVE.has(job.status);
  return (
    <li className={`job job--${job.status}`} aria-label={job.prompt}>
      <div className="job__thumb">
        {job.previewUrl ? <img src={job.previewUrl} alt={`Live preview of ${job.prompt}`} /> : <span aria-hidden="true" />}
      </div>
      <div className="job__body">
        <div className="job__prompt" title={job.prompt}>
          {job.prompt}
        </div>
        <div className="job__meta">
          {job.draft && <span className="job__badge">Draft</span>}
          {job.summary} · seed {job.seed}
        </div>
        <div className="job__status">
          <span>{statusText(job, model.terms)}</span>
          {job.status === "running" && <span className="job__eta">{formatEta(job.etaSeconds)}</span>}
        </div>
        {active && (
          <div
            className="bar"
            role="progressbar"
            aria-label={`Progress of ${job.prompt}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(job.fraction * 100)}
          >
            <div className="bar__fill" style={{ width: `${Math.round(job.fraction * 100)}%` }} />
          </div>
        )}
        {job.error && (
          <p className="job__error">
            {job.error.message} {job.error.hint}
          </p>
        )}
        {job.note && <p className="job__note">{job.note}</p>}
      </div>
      <div className="job__actions">
        {(job.status === "sending" || job.status === "queued" || job.status === "running") && (
          <button type="button" className="btn btn--quiet" aria-label={`Cancel ${job.prompt}`} onClick={() => void model.cancel(job.clientJobId)}>
            Cancel
          </button>
        )}
        {job.draft && job.status === "placed" && job.placedClip && (
          <button
            type="button"
            className="btn btn--secondary"
            disabled={job.finalRequested}
            title="Make this shot at full quality (same prompt and seed) and swap it in where the draft is"
            onClick={() => model.makeFinal(job.clientJobId)}
          >
            Make final
          </button>
        )}
        {job.status === "ready" && (
          <button type="button" className="btn btn--secondary" onClick={() => void model.land(job.clientJobId)}>
            Insert
          </button>
        )}
      </div>
    </li>
  );
}

export function Queue({ model, state }: { model: PanelModel; state: PanelState }) {
  return (
    <section className="queue" aria-labelledby="queue-title">
      <h2 id="queue-title" className="section-title">
        Queue
      </h2>
      {state.jobs.length === 0 ? (
        <p className="empty">Generated clips appear here while they are made, then land in the {model.terms.timeline}.</p>
      ) : (
        <ul className="jobs" aria-label="Jobs">
          {state.jobs.map((job) => (
            <JobRow key={job.clientJobId} job={job} model={model} />
          ))}
        </ul>
      )}
    </section>
  );
}
