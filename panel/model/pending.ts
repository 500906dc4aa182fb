// Jobs this panel asked for and has not placed yet, kept in storage so a reload or a helper restart loses none:
// the plan says where the clip goes, the request can be sent again under the same clientJobId.
import { z } from "zod";
import { GenerationRequestSchema } from "../../shared/protocol.js";
import type { KeyValueStore } from "../workflows/ledger.js";
import { PlanSchema } from "../workflows/plan.js";

const KEY = "tessera.pending";

export const PendingJobSchema = z.object({
  clientJobId: z.string().min(1),
  jobId: z.string().nullable(),
  plan: PlanSchema,
  request: GenerationRequestSchema,
  createdAt: z.string(),
  cancelled: z.boolean(),
});
export type PendingJob = z.infer<typeof PendingJobSchema>;

export class PendingJobs {
  private jobs: PendingJob[];

  constructor(private readonly store: KeyValueStore) {
    let raw: unknown = [];
    try {
      raw = JSON.parse(store.getItem(KEY) ?? "[]");
    } catch {
      raw = [];
    }
    const parsed = z.array(PendingJobSchema).safeParse(raw);
    this.jobs = parsed.success ? parsed.data : [];
  }

  all(): PendingJob[] {
    return [...this.jobs];
  }

  get(clientJobId: string): PendingJob | undefined {
    return this.jobs.find((j) => j.clientJobId === clientJobId);
  }

  byJobId(jobId: string): PendingJob | undefined {
    return this.jobs.find((j) => j.jobId === jobId);
  }

  put(job: PendingJob): void {
    this.jobs = [...this.jobs.filter((j) => j.clientJobId !== job.clientJobId), job];
    this.save();
  }

  update(clientJobId: string, patch: Partial<PendingJob>): PendingJob | undefined {
    const job = this.get(clientJobId);
    if (!job) return undefined;
    const next = { ...job, ...patch };
    this.put(next);
    return next;
  }

  remove(clientJobId: string): void {
    this.jobs = this.jobs.filter((j) => j.clientJobId !== clientJobId);
    this.save();
  }

  private save(): void {
    this.store.setItem(KEY, JSON.stringify(this.jobs));
  }
}
