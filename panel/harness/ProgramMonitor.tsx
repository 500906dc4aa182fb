import { useSyncExternalStore } from "react";
import { formatTimecode, ticksToFrames } from "../../shared/time.js";
import type { SimulatedHost } from "../host/simulated.js";

/** What is under the playhead, top track first: the harness cannot play video, so it names the shot. */
export function ProgramMonitor({ host }: { host: SimulatedHost }) {
  useSyncExternalStore((l) => host.subscribe(l), () => host.version);
  const { sequence } = host;
  const at = sequence.playhead;
  let shown: string | null = null;
  for (let t = host.trackCount() - 1; t >= 0 && !shown; t--) {
    shown = host.clipsOn(t).find((c) => c.start <= at && c.end > at)?.name ?? null;
  }
  const selected = host.selectedIds().map((id) => host.clip(id)?.name).filter(Boolean);
  return (
    <section className="monitor" aria-label="Program monitor">
      <div className="monitor__frame">
        <div className="monitor__shot">{shown ?? "No clip at the playhead"}</div>
        <div className="monitor__tc">{formatTimecode(ticksToFrames(at, sequence.fps, "floor"), sequence.fps)}</div>
      </div>
      <p className="monitor__sel">
        {selected.length ? `Selected: ${selected.join(", ")}` : "Click clips to select them (Shift-click adds); click the ruler to move the playhead."}
      </p>
    </section>
  );
}
