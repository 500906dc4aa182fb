/**
 * History: every job ever accepted, searchable by prompt words (FTS5, prefix matching, accents ignored) and
 * filterable by project and sequence, newest first; each record can be run again with the same seed (the same
 * clip) or as a variant (a fresh seed).
 */
import { randomInt } from "node:crypto";
import type { GenerationRequest } from "../../shared/protocol.js";
import { toRecord, type JobRecord, type JobStore } from "./store.js";

export interface HistoryFilter {
  text?: string;
  projectId?: string;
  sequenceId?: string;
  limit?: number;
  /** Only items created before this ISO time (paging backwards). */
  before?: string;
}

/**
 * Turns what a user types into a safe FTS5 query: every word must occur, as a prefix ("cit" finds "city").
 * Quoting each word keeps FTS5 operators and punctuation in user text from becoming syntax.
 */
export function ftsQuery(text: string): string | undefined {
  const words = text.match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length === 0) return undefined;
  return words
    .slice(0, 16)
    .map((w) => `"${w.replace(/"/g, '""')}"*`)
    .join(" ");
}

export function searchHistory(store: JobStore, filter: HistoryFilter = {}): JobRecord[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const query = filter.text === undefined ? undefined : ftsQuery(filter.text);
  if (filter.text !== undefined && query === undefined) return [];
  if (query !== undefined) {
    where.push("jobs.seq IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?)");
    params.push(query);
  }
  if (filter.projectId !== undefined) {
    where.push("jobs.project_id = ?");
    params.push(filter.projectId);
  }
  if (filter.sequenceId !== undefined) {
    where.push("jobs.sequence_id = ?");
    params.push(filter.sequenceId);
  }
  if (filter.before !== undefined) {
    where.push("jobs.created_at < ?");
    params.push(new Date(filter.before).toISOString());
  }
  const limit = Math.max(1, Math.min(filter.limit ?? 50, 1000));
  const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT ?`;
  return store.db
    .prepare(sql)
    .all(...params, limit)
    .map(toRecord);
}

export type RerunMode = "same-seed" | "variant";

/** The request to send again: identical for "same-seed", with a fresh random seed for "variant". */
export function rerunRequest(job: JobRecord, mode: RerunMode, random: () => number = () => randomInt(0, 2 ** 32)): GenerationRequest {
  const request = structuredClone(job.request);
  if (mode === "variant") {
    let seed = random();
    while (seed === job.request.seed) seed = random();
    request.seed = seed;
  }
  return request;
}
