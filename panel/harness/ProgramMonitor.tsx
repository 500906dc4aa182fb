import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import { formatTimecode, TICKS_PER_SECOND, ticksToFrames, ticksToSeconds } from "../../shared/time.js";
import type { SimulatedClip, SimulatedHost } from "../host/simulated.js";

/** The clip on screen at `at`: the top track's, as Premiere's program monitor shows it. */
function clipAt(host: SimulatedHost, at: bigint): SimulatedClip | null {
  for (let t = host.trackCount() - 1; t >= 0; t--) {
    const clip = host.clipsOn(t).find((c) => c.start <= at && c.end > at);
    if (clip) return clip;
  }
  return null;
}

/**
 * The sequence at the playhead: the clip under it plays as HTML video of its real file, which the helper serves
 * (`sourceOf` maps a media path to that URL, or null when the file cannot be played here; then the shot is
 * named). Scrubbing the timeline seeks the video; Play runs it and the playhead follows, to the clip's end.
 */
export function ProgramMonitor({ host, sourceOf }: { host: SimulatedHost; sourceOf?: (path: string) => string | null }) {
  useSyncExternalStore((l) => host.subscribe(l), () => host.version);
  const { sequence } = host;
  const at = sequence.playhead;
  const shown = clipAt(host, at);
  const src = shown?.mediaPath && sourceOf ? sourceOf(shown.mediaPath) : null;
  const video = useRef<HTMLVideoElement>(null);
  const [playing, setPlaying] = useState(false);
  // Source time of the playhead's frame, a quarter frame in so the decoder lands on it, not on the one before.
  const quarterFrame = (0.25 * sequence.fps.den) / sequence.fps.num;
  const offset = shown ? ticksToSeconds(at - shown.start + shown.inPoint) + quarterFrame : 0;

  useEffect(() => {
    const v = video.current;
    if (!v || playing) return;
    if (Math.abs(v.currentTime - offset) > quarterFrame) v.currentTime = offset;
  }, [src, offset, playing, quarterFrame]);

  const follow = () => {
    const v = video.current;
    if (!v || !playing || !shown) return;
    const ticks = shown.start - shown.inPoint + BigInt(Math.round(v.currentTime * Number(TICKS_PER_SECOND)));
    if (ticks >= shown.end) {
      v.pause();
      setPlaying(false);
      return host.setPlayhead(shown.end - 1n);
    }
    host.setPlayhead(ticks);
  };
  const toggle = () => {
    const v = video.current;
    if (!v) return;
    if (playing) {
      v.pause();
      setPlaying(false);
    } else {
      setPlaying(true);
      void v.play().catch(() => setPlaying(false));
    }
  };

  const selected = host.selectedIds().map((id) => host.clip(id)?.name).filter(Boolean);
  return (
    <section className="monitor" aria-label="Program monitor">
      <div className="monitor__frame">
        {src ? (
          <video
            key={src}
            ref={video}
            className="monitor__video"
            src={src}
            muted={false}
            preload="auto"
            playsInline
            aria-label={`Program monitor: ${shown?.name ?? ""}`}
            data-clip={shown?.name}
            onLoadedMetadata={(e) => (e.currentTarget.currentTime = offset)}
            onTimeUpdate={follow}
            onEnded={() => setPlaying(false)}
          />
        ) : (
          <div className="monitor__shot">{shown?.name ?? "No clip at the playhead"}</div>
        )}
        <div className="monitor__tc">{formatTimecode(ticksToFrames(at, sequence.fps, "floor"), sequence.fps)}</div>
      </div>
      <div className="monitor__bar">
        <button type="button" className="btn btn--quiet" disabled={!src} aria-pressed={playing} onClick={toggle}>
          {playing ? "Pause" : "Play"}
        </button>
        <p className="monitor__sel">
          {selected.length ? `Selected: ${selected.join(", ")}` : "Click clips to select them (Shift-click adds); click the ruler to move the playhead."}
        </p>
      </div>
    </section>
  );
}
