/**
 * Putting a finished clip on the timeline: import it once into the "Tessera Media" bin, check the planned range
 * is still the right place (the edit may have changed while the clip was generating), and apply one named undo
 * step that trims the handles with the item's In/Out. Never ripples: the host only overwrites.
 */
import type { JobOutput } from "../../shared/protocol.js";
import { framesToTicks } from "../../shared/time.js";
import { PREMIERE_TERMS, termsOf, type ClipInfo, type EditorHost, type HostTerms, type Ticks, type TrackInfo } from "../host/editor-host.js";
import { MEDIA_BIN_NAME } from "../host/paths.js";
import type { PlacementLedger } from "./ledger.js";
import { planEnd, type Plan } from "./plan.js";
import { firstFreeTrack, isFree } from "./timeline.js";

export interface Target {
  track: number;
  start: Ticks;
  remove: ClipInfo[];
  /** Said to the user when the clip did not go where planned. */
  note: string | null;
}

/** Where the clip goes now, following the plan's rule for a range that was taken meanwhile. */
export function resolveTarget(plan: Plan, tracks: TrackInfo[], terms: HostTerms = PREMIERE_TERMS): Target {
  const start = BigInt(plan.start);
  const end = planEnd(plan);
  const planned = Math.min(plan.track, tracks.length);
  if (plan.replace) {
    const ref = plan.replace;
    const placeholder = tracks[ref.track]?.clips.find((c) => c.start === BigInt(ref.start) && c.end === BigInt(ref.end));
    if (placeholder) return { track: ref.track, start, remove: [placeholder], note: null };
    if (isFree(tracks, ref.track, start, end)) {
      return { track: ref.track, start, remove: [], note: `"${ref.name}" was gone; the clip took its place.` };
    }
    const track = firstFreeTrack(tracks, start, end) ?? tracks.length;
    return { track, start, remove: [], note: `"${ref.name}" moved; the clip went to ${terms.trackName(track)}.` };
  }
  if (plan.onBusy === "overwrite" || isFree(tracks, planned, start, end)) {
    return { track: planned, start, remove: [], note: null };
  }
  const from = plan.onBusy === "track-above" ? planned + 1 : 0;
  const track = firstFreeTrack(tracks, start, end, from) ?? tracks.length;
  return {
    track,
    start,
    remove: [],
    note: `${terms.trackName(planned)} was taken while generating; the clip went to ${terms.trackName(track)}.`,
  };
}

/** Source In/Out that show exactly the planned frames and keep the handles outside. */
export function trimRange(plan: Plan, output: JobOutput): { sourceIn: Ticks; sourceOut: Ticks } {
  const handles = Math.min(output.handles, Math.floor((output.frames - 1) / 2));
  const sourceIn = framesToTicks(handles, output.fps, "round");
  return { sourceIn, sourceOut: sourceIn + framesToTicks(plan.frames, plan.fps, "round") };
}

/**
 * Where a clip's sound goes: the footage's audio track, moved up as many tracks as the video had to move above the
 * footage (the space next to it was taken: its sound's neighbour on that audio track is likely taken too).
 */
export function audioTrackFor(plan: Plan, target: Pick<Target, "track">): number {
  const raised = plan.source ? Math.max(0, target.track - plan.source.track) : 0;
  return (plan.audioTrack ?? 0) + raised;
}

export type Landed =
  | { kind: "placed"; clip: ClipInfo; note: string | null }
  | { kind: "already" }
  | { kind: "waiting"; reason: string };

export interface LandingJob {
  jobId: string;
  plan: Plan;
  output: JobOutput;
}

/** Imports the output (once per file) and places it by the plan as one undo step; no ledger: "Insert again". */
export async function placeOutput(host: EditorHost, plan: Plan, output: JobOutput): Promise<Landed> {
  const sequence = await host.getSequence();
  if (!sequence || sequence.id !== plan.sequenceId) {
    return { kind: "waiting", reason: `Open the ${termsOf(host).timeline} this clip was made for, then choose Insert.` };
  }
  const media = await host.importMedia(output.path, MEDIA_BIN_NAME);
  const target = resolveTarget(plan, await host.getVideoTracks(), termsOf(host));
  const clip = await host.applyEdit({
    label: plan.label,
    remove: target.remove,
    place: { media, track: target.track, start: target.start, ...trimRange(plan, output), ...(output.audio ? { audioTrack: audioTrackFor(plan, target) } : {}) },
    record: output.record,
  });
  return { kind: "placed", clip, note: target.note };
}

/** Places a finished job once per job id, however often the panel hears that it finished. */
export async function landJob(host: EditorHost, ledger: PlacementLedger, job: LandingJob): Promise<Landed> {
  if (!ledger.begin(job.jobId)) return { kind: "already" };
  let placedPath: string | null = null;
  try {
    const landed = await placeOutput(host, job.plan, job.output);
    if (landed.kind === "placed") placedPath = job.output.path;
    return landed;
  } finally {
    ledger.finish(job.jobId, placedPath);
  }
}
