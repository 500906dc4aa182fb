/**
 * The panel's recent log: what happened to the connection, the jobs and the host, kept in memory (the last
 * `limit` lines) so an editor can export it with "Export log" and send it with `tessera doctor`'s output. Nothing
 * is written anywhere until they do; prompts are kept because they are what a failing take is recognised by.
 */
import { PREMIERE_TERMS, termsOf, type EditorHost, type HostTerms } from "../host/editor-host.js";
import { describeConnection } from "../ui/connection-lines.js";
import { PANEL_VERSION } from "../version.js";
import type { Message, PanelState } from "./panel-model.js";

export type LogSource = "client" | "host" | "panel";

export class PanelLog {
  private readonly lines: string[] = [];

  constructor(
    private readonly limit = 500,
    private readonly now: () => Date = () => new Date(),
  ) {}

  add(source: LogSource, text: string): void {
    this.lines.push(`${this.now().toISOString()} ${source.padEnd(6)} ${text.replace(/\s+/g, " ").trim()}`);
    if (this.lines.length > this.limit) this.lines.splice(0, this.lines.length - this.limit);
  }

  /** The lines, oldest first, under a header naming the panel and host. */
  text(header: string[]): string {
    return [...header, "", ...this.lines, ""].join("\n");
  }

  get size(): number {
    return this.lines.length;
  }
}

/** Log lines for what changed between two panel states: connection, messages, jobs, the open sequence, host errors. */
export function describeChanges(before: PanelState | null, after: PanelState, terms: HostTerms = PREMIERE_TERMS): [LogSource, string][] {
  const out: [LogSource, string][] = [];
  if (!before || before.connection !== after.connection) {
    const line = describeConnection(after.connection);
    if (!before || before.connection.kind !== after.connection.kind || line.cause !== describeConnection(before.connection).cause) {
      out.push(["client", `connection ${after.connection.kind}: ${line.title}. ${line.cause}`]);
    }
  }
  if (after.message && after.message !== before?.message) out.push(["panel", `${after.message.tone}: ${after.message.text}`]);
  if (after.host.error !== (before?.host.error ?? null) && after.host.error) out.push(["host", `error: ${after.host.error}`]);
  const seq = after.host.sequence;
  if (seq && seq.id !== before?.host.sequence?.id) {
    out.push(["host", `${terms.timeline} "${seq.name}" ${seq.width}x${seq.height} ${seq.fps.num}/${seq.fps.den} fps, ${seq.videoTrackCount} ${terms.track}s`]);
  }
  const previous = new Map((before?.jobs ?? []).map((j) => [j.clientJobId, j]));
  for (const job of after.jobs) {
    const was = previous.get(job.clientJobId);
    if (was?.status === job.status) continue;
    const error = job.error ? ` (${job.error.message} ${job.error.hint})` : "";
    const note = job.note ? ` ${job.note}` : "";
    out.push(["client", `job ${job.clientJobId.slice(0, 8)} "${job.prompt}" ${job.status}${error}${note}`]);
  }
  return out;
}

/** Saves the log through the host; the message to show, or null when the user cancelled the save. */
export async function exportPanelLog(host: EditorHost, log: PanelLog, state: PanelState, now = new Date()): Promise<Message | null> {
  if (!host.saveLog) return { tone: "error", text: `${host.name} cannot save files from the panel.` };
  const { helperVersion, device, connection } = state;
  const text = log.text([
    `Tessera panel ${PANEL_VERSION} in ${host.name}`,
    `Helper ${helperVersion ?? "not connected"}${device ? ` on ${device}` : ""}; connection ${connection.kind}`,
    `Project ${state.host.project?.path ?? state.host.project?.name ?? "none"}; ${termsOf(host).timeline} ${state.host.sequence?.name ?? "none"}`,
    `Exported ${now.toISOString()}; ${log.size} lines`,
  ]);
  try {
    const where = await host.saveLog(`tessera-panel-${now.toISOString().replace(/[:.]/g, "-")}.log`, text);
    return where ? { tone: "info", text: `Log saved to ${where}. Send it with the output of \`tessera doctor\`.` } : null;
  } catch (error) {
    return { tone: "error", text: `The log could not be saved: ${error instanceof Error ? error.message : String(error)}` };
  }
}
