// Which finished jobs are already on the timeline. The panel can learn that a job finished several times (the
// live event, the welcome snapshot after a reconnect, a history lookup); the ledger makes placing happen once per
// job id, across reconnects and panel reloads.
import { z } from "zod";

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const LEDGER_KEY = "tessera.placed";
const KEEP = 500;

const EntrySchema = z.object({ path: z.string(), at: z.string() });
const LedgerSchema = z.record(z.string(), EntrySchema);

export class PlacementLedger {
  private entries: Record<string, z.infer<typeof EntrySchema>>;
  private readonly busy = new Set<string>();

  constructor(private readonly store: KeyValueStore) {
    let parsed: unknown = {};
    try {
      parsed = JSON.parse(store.getItem(LEDGER_KEY) ?? "{}");
    } catch {
      parsed = {};
    }
    const checked = LedgerSchema.safeParse(parsed);
    this.entries = checked.success ? checked.data : {};
  }

  isPlaced(jobId: string): boolean {
    return Object.hasOwn(this.entries, jobId);
  }

  /** Claims the job for placing; false when it is placed already or being placed right now. */
  begin(jobId: string): boolean {
    if (this.isPlaced(jobId) || this.busy.has(jobId)) return false;
    this.busy.add(jobId);
    return true;
  }

  /** Ends a claim; with a path the job counts as placed from now on. */
  finish(jobId: string, placedPath: string | null): void {
    this.busy.delete(jobId);
    if (placedPath === null) return;
    this.entries[jobId] = { path: placedPath, at: new Date().toISOString() };
    const ids = Object.keys(this.entries);
    for (const id of ids.slice(0, Math.max(0, ids.length - KEEP))) delete this.entries[id];
    this.store.setItem(LEDGER_KEY, JSON.stringify(this.entries));
  }
}
