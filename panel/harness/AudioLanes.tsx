// The harness timeline's audio tracks (A1, A2...): each clip with linked sound shows under its video, on the audio
// track its sound is on, the way Premiere draws linked audio. Sound is a property of the clip here: the
// simulated host keeps no separate audio items.
import { formatDuration, ticksToFrames } from "../../shared/time.js";
import type { SimulatedHost } from "../host/simulated.js";

/** How many audio tracks to draw: at least A1, and every track some clip's sound is on. */
export function audioTrackCount(host: SimulatedHost): number {
  const tracks = Array.from({ length: host.trackCount() }, (_, t) => host.clipsOn(t)).flat().map((c) => c.audioTrack ?? 0);
  return Math.max(1, ...tracks.map((t) => t + 1));
}

export function AudioLabels({ count }: { count: number }) {
  return (
    <>
      {Array.from({ length: count }, (_, a) => (
        <div key={a} className="tl-label tl-label--audio">
          A{a + 1}
        </div>
      ))}
    </>
  );
}

export function AudioLanes({ host, count, total }: { host: SimulatedHost; count: number; total: bigint }) {
  const fps = host.sequence.fps;
  const clips = Array.from({ length: host.trackCount() }, (_, t) => host.clipsOn(t)).flat();
  return (
    <>
      {Array.from({ length: count }, (_, a) => (
        <ul key={a} className="tl-track tl-track--audio" aria-label={`A${a + 1}`}>
          {clips
            .filter((c) => c.audioTrack === a)
            .map((clip) => {
              const frames = ticksToFrames(clip.end - clip.start, fps, "round");
              return (
                <li
                  key={clip.id}
                  className="tl-clip tl-clip--audio"
                  style={{ left: `${(Number(clip.start) / Number(total)) * 100}%`, width: `${(Number(clip.end - clip.start) / Number(total)) * 100}%` }}
                  data-start-frame={ticksToFrames(clip.start, fps, "round")}
                  data-frames={frames}
                  title={`${clip.name} · sound`}
                >
                  <span className="tl-clip__name">{clip.name}</span>
                  <span className="tl-clip__len">{formatDuration(frames, fps, { dropFrame: host.sequence.dropFrame ?? false })}</span>
                </li>
              );
            })}
        </ul>
      ))}
    </>
  );
}
