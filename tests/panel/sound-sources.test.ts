/**
 * Extend and fill from frames the host rendered (speed, effects respected) still continue the footage's sound:
 * the request names the clip's media for it. With Sound off, or media conditioning (its own sound source), it
 * names none.
 */
import type { Ticks } from "../../panel/host/editor-host.js";
import type { SimulatedHost } from "../../panel/host/simulated.js";
import { prepareJob, type PrepareInput } from "../../panel/workflows/prepare.js";
import { clipNamed, demoHost, model } from "./support.js";

/** The demo sequence, saved as a project, on a host that renders frames (as Premiere does). */
function renderingHost(): SimulatedHost {
  const host = demoHost();
  host.project = { ...host.project, path: "/Volumes/Work/Edit/Edit.prproj" };
  host.renderFrames = async (times: Ticks[], folder: string) => times.map((_, i) => `${folder}/frame_${i}.png`);
  return host;
}

const input = (host: SimulatedHost, extra: Partial<PrepareInput>): PrepareInput => ({
  host,
  workflow: "extend",
  clientJobId: "job-1",
  prompt: "more harbour",
  negativePrompt: "",
  frames: () => 24,
  quality: "standard",
  seed: 1,
  extendAt: "tail",
  model: model(),
  handles: 0,
  format: "h264",
  fit: "fill",
  whenNoTrackFree: "new-track",
  random: () => 0.5,
  ...extra,
});

test("rendered conditioning frames: the clip's media is named for its sound, at its visible range", async () => {
  const host = renderingHost();
  host.select([clipNamed(host, "Harbour wide.mp4").id]);
  const prepared = await prepareJob(input(host, { audio: "extend" }));
  if (prepared.kind !== "job") throw new Error(`not a job: ${JSON.stringify(prepared)}`);
  expect(prepared.request.conditioning?.before?.kind).toBe("frames");
  expect(prepared.request.audio).toBe("extend");
  expect(prepared.request.audioSources).toEqual({ before: { path: "/media/harbour.mp4", inFrame: 12, outFrame: 84 } });
});

test("a fill names both sides' media; Sound off names none", async () => {
  const host = renderingHost();
  host.select([clipNamed(host, "Placeholder: skyline").id, clipNamed(host, "Street B.mp4").id]);
  const fill = await prepareJob(input(host, { workflow: "fill", audio: "extend" }));
  if (fill.kind !== "job") throw new Error("not a job");
  // the placeholder has no media: only the clip after the gap has sound to continue
  expect(fill.request.audioSources).toEqual({ after: { path: "/media/street.mp4", inFrame: 12, outFrame: 84 } });
  host.select([clipNamed(host, "Harbour wide.mp4").id]);
  const quiet = await prepareJob(input(host, { audio: "none" }));
  if (quiet.kind !== "job") throw new Error("not a job");
  expect(quiet.request.audio).toBe("none");
  expect(quiet.request.audioSources).toBeUndefined();
});

test("the sound goes on the footage's audio track, raised as far as the video went above the footage", async () => {
  const { audioTrackFor } = await import("../../panel/workflows/land.js");
  const plan = { workflow: "extend", label: "x", sequenceId: "s", fps: { num: 24, den: 1 }, track: 0, start: "0", frames: 24, handles: 0, onBusy: "track-above", source: { name: "a", track: 0, start: "0", end: "1", mediaPath: "/a.mp4" }, audioTrack: 1 } as const;
  expect(audioTrackFor(plan, { track: 0 })).toBe(1);
  expect(audioTrackFor(plan, { track: 2 })).toBe(3);
  expect(audioTrackFor({ ...plan, audioTrack: undefined }, { track: 0 })).toBe(0);
});
