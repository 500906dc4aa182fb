/**
 * `tessera history [TEXT]`: past jobs, newest first, found by prompt words and filtered by project or sequence.
 * `--rerun JOBID --out FILE` makes the clip again with the same seed, or with `--variant` a fresh one.
 */
import { resolve } from "node:path";
import { TesseraError } from "../../shared/errors.js";
import { formatFrameRate } from "../../shared/time.js";
import { openDb } from "../jobs/db.js";
import { rerunRequest, searchHistory } from "../jobs/history.js";
import { JobStore, toHistoryItem, type JobRecord } from "../jobs/store.js";
import { dataPaths } from "../server/data-dir.js";
import { dataDirOf, usage } from "./common.js";
import { formatFor, reportWritten } from "./generate.js";
import { runLocalJob } from "./local-job.js";

export interface HistoryOptions {
  project?: string;
  sequence?: string;
  limit?: number;
  json?: boolean;
  rerun?: string;
  variant?: boolean;
  out?: string;
  dataDir?: string;
}

function line(job: JobRecord): string {
  const r = job.request;
  const when = job.createdAt.replace("T", " ").slice(0, 19);
  const result = job.output?.path ?? (job.error ? `${job.error.code}: ${job.error.message}` : "");
  const kind = `${r.quality === "draft" ? " draft" : ""}${r.loop ? " loop" : ""}`;
  const length = `${r.frames} frames at ${formatFrameRate(r.fps)}${kind}`;
  return `${when}  ${job.state.padEnd(9)} ${job.jobId}  seed ${r.seed}  ${length}  ${JSON.stringify(r.prompt)}  ${result}`.trimEnd();
}

export async function historyCommand(text: string | undefined, options: HistoryOptions): Promise<void> {
  const dataDir = await dataDirOf(options.dataDir);
  const store = new JobStore(openDb(dataPaths(dataDir).db));
  try {
    if (options.rerun) return await rerun(store, dataDir, options);
    const jobs = searchHistory(store, {
      ...(text !== undefined ? { text } : {}),
      ...(options.project !== undefined ? { projectId: options.project } : {}),
      ...(options.sequence !== undefined ? { sequenceId: options.sequence } : {}),
      limit: options.limit ?? 20,
    });
    if (options.json) {
      process.stdout.write(`${JSON.stringify(jobs.map(toHistoryItem), null, 2)}\n`);
      return;
    }
    if (jobs.length === 0) process.stdout.write(text ? `no jobs match ${JSON.stringify(text)}\n` : "no jobs yet\n");
    for (const job of jobs) process.stdout.write(`${line(job)}\n`);
  } finally {
    if (store.db.open) store.db.close();
  }
}

async function rerun(store: JobStore, dataDir: string, options: HistoryOptions): Promise<void> {
  const source = store.get(options.rerun!);
  if (!source) throw new TesseraError("E_JOB_NOT_FOUND", `No job ${options.rerun} in ${dataPaths(dataDir).db}.`, { hint: "Run `tessera history` to list job ids." });
  if (!options.out) throw usage("--rerun needs --out FILE.");
  store.db.close();
  const out = resolve(options.out);
  const request = rerunRequest(source, options.variant ? "variant" : "same-seed");
  request.output = { ...request.output, format: formatFor(out, source.request.output.format === "png" ? "png" : undefined) };
  const output = await runLocalJob(dataDir, request, out);
  reportWritten(output);
}
