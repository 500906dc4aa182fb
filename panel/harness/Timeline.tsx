/**
 * The simulated sequence as a small Premiere-style timeline: a ruler that moves the playhead, one list per video
 * track (top track first, as Premiere draws them), each clip an item with its name and length.
 */
import { useSyncExternalStore, type MouseEvent } from "react";
import { formatDuration, formatTimecode, framesToSeconds, frameRateLabel, framesToTicks, ticksToFrames } from "../../shared/time.js";
import type { SimulatedClip, SimulatedHost } from "../host/simulated.js";
import { AudioLabels, AudioLanes, audioTrackCount } from "./AudioLanes.js";
import { selectable } from "./selectable.js";

function useHostVersion(host: SimulatedHost): number {
  return useSyncExternalStore(
    (listener) => host.subscribe(listener),
    () => host.version,
  );
}

function ClipItem({ host, clip, total, selected }: { host: SimulatedHost; clip: SimulatedClip; total: bigint; selected: boolean }) {
  const fps = host.sequence.fps;
  const frames = ticksToFrames(clip.end - clip.start, fps, "round");
  const left = (Number(clip.start) / Number(total)) * 100;
  const width = (Number(clip.end - clip.start) / Number(total)) * 100;
  const kind = clip.record ? "generated" : clip.mediaPath ? "media" : "synthetic";
  return (
    <li
      className={`tl-clip tl-clip--${kind}${selected ? " is-selected" : ""}`}
      style={{ left: `${left}%`, width: `${width}%` }}
      aria-selected={selected}
      data-start-frame={ticksToFrames(clip.start, fps, "round")}
      data-frames={frames}
      data-track={clip.track + 1}
      title={`${clip.name} · ${frames} frames`}
      {...selectable((add) => host.toggleSelected(clip.id, add))}
    >
      <span className="tl-clip__name">{clip.name}</span>
      <span className="tl-clip__len">{formatDuration(frames, fps, { dropFrame: host.sequence.dropFrame ?? false })}</span>
    </li>
  );
}

export function Timeline({ host }: { host: SimulatedHost }) {
  useHostVersion(host);
  const { sequence } = host;
  const fps = sequence.fps;
  const trackCount = host.trackCount();
  const ends = Array.from({ length: trackCount }, (_, t) => host.clipsOn(t)).flat().map((c) => c.end);
  const last = ends.reduce((a, b) => (b > a ? b : a), 0n);
  const total = last + framesToTicks(Math.round(fps.num / fps.den) * 6, fps, "round");
  const seconds = Math.ceil(framesToSeconds(ticksToFrames(total, fps, "floor"), fps));
  const playheadFrame = ticksToFrames(sequence.playhead, fps, "floor");
  const selected = new Set(host.selectedIds());
  const moveTo = (e: MouseEvent<HTMLDivElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const ratio = Math.min(1, Math.max(0, (e.clientX - box.left) / box.width));
    const frame = Math.round(ticksToFrames(total, fps, "floor") * ratio);
    host.setPlayhead(framesToTicks(frame, fps, "round"));
  };
  const pct = (t: bigint) => `${(Number(t) / Number(total)) * 100}%`;
  const tracks = Array.from({ length: trackCount }, (_, i) => trackCount - 1 - i);
  const audioTracks = audioTrackCount(host);
  return (
    <section className="tl" aria-label="Timeline">
      <header className="tl-head">
        <span className="tl-head__name">{sequence.name}</span>
        <span className="tl-head__tc" aria-label="Playhead timecode">
          {formatTimecode(playheadFrame, fps)}
        </span>
        <span className="tl-head__meta">
          {sequence.width}×{sequence.height} · {frameRateLabel(fps)} fps
        </span>
        <span className="tl-head__tools">
          <button type="button" className="btn btn--quiet" onClick={() => host.setInOut(sequence.playhead, sequence.outPoint)}>
            Mark In
          </button>
          <button
            type="button"
            className="btn btn--quiet"
            onClick={() => host.setInOut(sequence.inPoint, sequence.playhead + framesToTicks(1, fps, "round"))}
          >
            Mark Out
          </button>
          <button type="button" className="btn btn--quiet" onClick={() => host.setInOut(null, null)}>
            Clear In/Out
          </button>
          <button type="button" className="btn btn--quiet" disabled={!host.canUndo()} onClick={() => host.undo()}>
            Undo{host.canUndo() ? ` ${host.undoLabels[host.undoLabels.length - 1]}` : ""}
          </button>
        </span>
      </header>
      <div className="tl-body">
        <div className="tl-labels" aria-hidden="true">
          <div className="tl-ruler-spacer" />
          {tracks.map((t) => (
            <div key={t} className="tl-label">
              V{t + 1}
            </div>
          ))}
          <AudioLabels count={audioTracks} />
        </div>
        <div className="tl-area">
          <div className="tl-ruler" onClick={moveTo} role="presentation">
            {Array.from({ length: seconds + 1 }, (_, s) => (
              <span key={s} className="tl-tick" style={{ left: `${(s / (Number(total) / 254016000000)) * 100}%` }}>
                {s % 2 === 0 ? `${s}s` : ""}
              </span>
            ))}
          </div>
          {tracks.map((t) => (
            <ul key={t} className="tl-track" aria-label={`V${t + 1}`}>
              {host.clipsOn(t).map((clip) => (
                <ClipItem key={clip.id} host={host} clip={clip} total={total} selected={selected.has(clip.id)} />
              ))}
            </ul>
          ))}
          <AudioLanes host={host} count={audioTracks} total={total} />
          {sequence.inPoint !== null && sequence.outPoint !== null && (
            <div className="tl-inout" style={{ left: pct(sequence.inPoint), width: pct(sequence.outPoint - sequence.inPoint) }} aria-label="In/Out range" />
          )}
          <div
            className="tl-playhead"
            style={{ left: pct(sequence.playhead) }}
            role="img"
            aria-label={`Playhead at ${formatTimecode(playheadFrame, fps)}`}
            data-frame={playheadFrame}
          />
        </div>
      </div>
    </section>
  );
}
