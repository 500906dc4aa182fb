/**
 * Runs one job for the command line: the same policy, generator child process and history database as the
 * helper, without a server. Ctrl-C cancels between steps (a second Ctrl-C ends the process at once); a crash of
 * the generator is retried once, like in the helper. The job lands in history when it ends.
 */
import { randomUUID } from "node:crypto";
import { TesseraError } from "../../shared/errors.js";
import type { GenerationRequest, JobOutput } from "../../shared/protocol.js";
import { openDb } from "../jobs/db.js";
import { MAX_ATTEMPTS } from "../jobs/queue.js";
import { JobStore } from "../jobs/store.js";
import { WorkerHost, type Outcome } from "../jobs/worker.js";
import { AuditLog } from "../safety/audit.js";
import { loadPromptPolicy } from "../safety/policy.js";
import { dataPaths } from "../server/data-dir.js";
import { createLogger } from "../server/log.js";
import { InputError, NO_MODEL_MESSAGE, referenceModelDirs } from "./common.js";
import { ProgressBar } from "./progress.js";

export async function runLocalJob(dataDir: string, request: GenerationRequest, outFile: string): Promise<JobOutput> {
  const paths = dataPaths(dataDir);
  const log = createLogger(dataDir, { stderr: true, file: "cli.log" });
  const audit = new AuditLog(paths.audit);
  const jobId = randomUUID();
  const clientJobId = `cli-${jobId}`;
  const summary = { jobId, clientJobId, client: "cli", prompt: request.prompt, negativePrompt: request.negativePrompt, seed: request.seed, modelId: request.modelId, workflow: request.workflow };
  audit.write({ event: "request", ...summary });
  try {
    await (await loadPromptPolicy(paths.policy)).check(request);
  } catch (error) {
    audit.write({ event: "refused", jobId, code: (error as TesseraError).code, reason: (error as Error).message });
    audit.close();
    throw error;
  }

  const worker = new WorkerHost({ config: { dataDir, modelDirs: referenceModelDirs(), policyPath: paths.policy }, log });
  const bar = new ProgressBar();
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) process.exit(1);
    interrupted = true;
    process.stderr.write("\ntessera: cancelling (Ctrl-C again to stop at once)\n");
    worker.cancel(jobId);
  };
  process.on("SIGINT", onSigint);
  const startedAt = new Date().toISOString();
  let outcome: Outcome = { kind: "cancelled" };
  let attempts = 0;
  const store = new JobStore(openDb(paths.db));
  try {
    const info = await worker.start();
    const shown = new Set<string>();
    const notify = (message: string): void => {
      if (shown.has(message)) return;
      shown.add(message);
      process.stderr.write(`tessera: notice: ${message}\n`);
    };
    // the start notices are about this machine's device: not news for a job an engine server runs
    if (!info.models.find((m) => m.id === request.modelId)?.engine) info.notices.forEach(notify);
    if (info.models.length === 0) throw new TesseraError("E_MODEL_NOT_FOUND", NO_MODEL_MESSAGE);
    if (request.modelId !== undefined && !info.models.some((m) => m.id === request.modelId)) {
      throw new InputError("E_MODEL_NOT_FOUND", `"${request.modelId}" is not installed (installed: ${info.models.map((m) => m.id).join(", ")}).`);
    }
    audit.write({ event: "accepted", jobId, clientJobId });
    while (attempts < MAX_ATTEMPTS && !interrupted) {
      attempts++;
      outcome = await worker.run(
        { jobId, attempt: attempts, request, output: { file: outFile } },
        { onProgress: (p) => bar.update(p), onPreview: () => undefined, onNotice: (_l, m) => notify(m) },
      );
      if (outcome.kind !== "crashed") break;
      log.warn({ reason: outcome.reason }, "the generator crashed; retrying once");
    }
    if (interrupted && outcome.kind === "crashed") outcome = { kind: "cancelled" };
  } finally {
    bar.stop();
    process.off("SIGINT", onSigint);
    // a finished file needs nothing more from the child: it closes its sessions and exiftool on its own
    if (outcome.kind === "done") worker.release();
    else await worker.stop();
  }

  const error =
    outcome.kind === "failed"
      ? outcome.error
      : outcome.kind === "crashed"
        ? { code: "E_WORKER_CRASHED" as const, message: outcome.reason, hint: new TesseraError("E_WORKER_CRASHED").hint }
        : outcome.kind === "cancelled"
          ? { code: "E_CANCELLED" as const, message: new TesseraError("E_CANCELLED").message, hint: new TesseraError("E_CANCELLED").hint }
          : undefined;
  const state = outcome.kind === "done" ? "done" : outcome.kind === "cancelled" ? "cancelled" : "failed";
  store.recordFinished({ jobId, clientJobId, request, state, attempts, startedAt, ...(outcome.kind === "done" ? { output: outcome.output } : {}), ...(error ? { error } : {}) });
  store.db.close();
  audit.write(outcome.kind === "done" ? { event: "done", jobId, output: outcome.output.path, sha256: outcome.output.sha256 } : { event: state, jobId, code: error?.code, reason: error?.message });
  audit.close();
  if (outcome.kind === "done") return outcome.output;
  const thrown = new TesseraError(error!.code, undefined, { hint: error!.hint });
  thrown.message = error!.message;
  throw thrown;
}
