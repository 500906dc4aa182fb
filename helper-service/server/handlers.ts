/**
 * Requests of an authenticated client: generate (policy first, then the queue; idempotent by clientJobId),
 * cancel, history, models and system. Each reply echoes the request's requestId.
 */
import { TesseraError, toErrorBody } from "../../shared/errors.js";
import type { ClientMessage, ClientMessageOf, GenerationRequest } from "../../shared/protocol.js";
import { checkPathText } from "../media/paths.js";
import { searchHistory } from "../jobs/history.js";
import { toHistoryItem, type JobRecord } from "../jobs/store.js";
import { promptSummary } from "../safety/audit.js";
import type { HelperContext } from "./context.js";
import type { Session } from "./session.js";

type Request = Exclude<ClientMessage, { type: "hello" | "pair" | "pair.request" }>;

export async function handleRequest(ctx: HelperContext, session: Session, message: Request): Promise<void> {
  switch (message.type) {
    case "generate":
      return generate(ctx, session, message);
    case "cancel":
      ctx.queue.cancel(message.jobId, message.requestId);
      return;
    case "history.query": {
      const items = searchHistory(ctx.store, message).map(toHistoryItem);
      session.send({ type: "history.result", requestId: message.requestId, items });
      return;
    }
    case "models.list":
      session.send({ type: "models.result", requestId: message.requestId, models: await ctx.refreshModels() });
      return;
    case "system.get": {
      const { device, threads } = ctx.system();
      session.send({
        type: "system.result",
        requestId: message.requestId,
        version: ctx.version,
        device,
        threads,
        platform: `${process.platform}-${process.arch}`,
        queueLength: ctx.queue.length,
        ...(ctx.engines ? { engines: await ctx.engines().catch(() => []) } : {}),
      });
      return;
    }
  }
}

async function generate(ctx: HelperContext, session: Session, message: ClientMessageOf<"generate">): Promise<void> {
  const { request, requestId, clientJobId } = message;
  const known = ctx.store.byClientJobId(clientJobId);
  if (known) return replayJob(ctx, session, requestId, known);
  ctx.audit.write({
    event: "request",
    clientJobId,
    client: session.client,
    prompt: request.prompt,
    negativePrompt: request.negativePrompt,
    seed: request.seed,
    modelId: request.modelId,
    workflow: request.workflow,
    projectId: request.projectId,
    sequenceId: request.sequenceId,
  });
  try {
    checkModel(ctx, request.modelId);
    checkPaths(request);
    await ctx.policy.check(request);
  } catch (error) {
    const body = toErrorBody(error);
    ctx.audit.write({ event: "refused", clientJobId, code: body.code, reason: body.message });
    ctx.log.warn({ session: session.id, code: body.code, ...promptSummary(request.prompt) }, `refused: ${body.message}`);
    throw error;
  }
  // The policy check awaited: a resend may have arrived meanwhile, so ask the queue (which dedupes again).
  const { job, duplicate } = ctx.queue.submit(clientJobId, request);
  if (duplicate) return replayJob(ctx, session, requestId, job);
  ctx.audit.write({ event: "accepted", jobId: job.jobId, clientJobId });
  session.send({ type: "job.accepted", requestId, jobId: job.jobId, clientJobId });
}

function checkModel(ctx: HelperContext, modelId: string | undefined): void {
  const { models, ready } = ctx.system();
  // Until the generator process has loaded, the model list is not known yet; it checks the model itself.
  if (!ready) return;
  if (models.length === 0) {
    throw new TesseraError("E_MODEL_NOT_FOUND", "No model is installed.");
  }
  if (modelId !== undefined && !models.some((m) => m.id === modelId)) {
    throw new TesseraError("E_MODEL_NOT_FOUND", `"${modelId}" is not among ${models.map((m) => m.id).join(", ")}.`);
  }
}

/** Paths are hostile input: URLs, relative paths, device files and unknown shares are refused before queueing. */
function checkPaths(request: GenerationRequest): void {
  if (request.output.folder !== undefined) checkPathText(request.output.folder);
  for (const source of [request.conditioning?.before, request.conditioning?.after]) {
    if (source?.kind === "media") checkPathText(source.path);
    if (source?.kind === "frames") source.paths.forEach((p) => checkPathText(p));
  }
  for (const source of [request.audioSources?.before, request.audioSources?.after]) if (source) checkPathText(source.path);
}

/** A resent generate: the same job again, and where it stands now, so the client can carry on. */
function replayJob(ctx: HelperContext, session: Session, requestId: string, job: JobRecord): void {
  ctx.audit.write({ event: "duplicate", jobId: job.jobId, clientJobId: job.clientJobId });
  session.send({ type: "job.accepted", requestId, jobId: job.jobId, clientJobId: job.clientJobId });
  const { jobId } = job;
  switch (job.state) {
    case "queued": {
      const position = ctx.queue.snapshot().find((e) => e.jobId === jobId)?.position ?? 0;
      return session.send({ type: "job.queued", jobId, position });
    }
    case "running":
      return session.send({ type: "job.started", jobId });
    case "done":
      return session.send({ type: "job.done", jobId, output: job.output! });
    case "failed": {
      const error = job.error ?? toErrorBody(new TesseraError("E_INTERNAL", "The job failed."));
      return session.send({ type: "job.failed", jobId, ...error });
    }
    case "cancelled":
      return session.send({ type: "job.cancelled", jobId });
  }
}
