// The shared workflows, unchanged, on After Effects: prepareJob plans on the comp read as tracks and asks for frames
// from the layers' source files; placeOutput lands the finished clip through host.jsx.
import { placeOutput } from "../../panel/workflows/land.js";
import { prepareJob, type PrepareInput, type Prepared } from "../../panel/workflows/prepare.js";
import type { Plan } from "../../panel/workflows/plan.js";
import type { GenerationRequest } from "../../shared/protocol.js";
import { framesToSeconds } from "../../shared/time.js";
import { afterEffects, type AeFixture } from "./fakes/after-effects.js";
import { f, FPS, model, output } from "./support.js";

function prepare(fx: AeFixture, workflow: PrepareInput["workflow"], patch: Partial<PrepareInput> = {}): Promise<Prepared> {
  return prepareJob({
    host: fx.host,
    workflow,
    clientJobId: "job-1",
    prompt: "harbour at dawn",
    negativePrompt: "",
    frames: () => 24,
    quality: "draft",
    seed: 7,
    extendAt: "tail",
    model: model(),
    handles: 0,
    format: "h264",
    fit: "fill",
    whenNoTrackFree: "ask",
    random: () => 0.5,
    ...patch,
  });
}

function job(prepared: Prepared): { plan: Plan; request: GenerationRequest } {
  if (prepared.kind !== "job") throw new Error(`expected a job, got ${JSON.stringify(prepared)}`);
  return prepared;
}

describe("the workflows on an After Effects comp", () => {
  test("the request takes the comp's id, rate and size, and saves beside the project", async () => {
    const fx = afterEffects();
    const { request } = job(await prepare(fx, "broll"));
    expect(request).toMatchObject({ sequenceId: `/Edit/Spot.aep#${fx.comp.id}`, fps: FPS, width: 1920, height: 1080, frames: 24, output: { folder: "/Edit/Tessera Media" } });
  });

  test("Extend reads the layer's own source frames (its source in point included)", async () => {
    const fx = afterEffects();
    fx.layer("Street B.mp4").selected = true;
    const street = job(await prepare(fx, "extend", { extendAt: "head" }));
    expect(street.request.conditioning).toEqual({ after: { kind: "media", path: "/media/street.mp4", inFrame: 12, outFrame: 84 } });
    fx.layer("Street B.mp4").selected = false;
    fx.layer("Harbour wide.mp4").selected = true;
    const { plan, request } = job(await prepare(fx, "extend"));
    expect(request.conditioning).toEqual({ before: { kind: "media", path: "/media/harbour.mp4", inFrame: 0, outFrame: 72 } });
    const landed = await placeOutput(fx.host, plan, output("/out/more.mp4", 24, 0));
    expect(landed).toMatchObject({ kind: "placed", clip: { track: 0, start: f(360), end: f(384) } });
    expect(fx.stack().slice(-2)).toEqual(["Harbour wide.mp4", "more.mp4"]);
  });

  test("Fill between a solid and a footage layer conditions on the footage side and fills the gap exactly", async () => {
    const fx = afterEffects();
    fx.layer("Placeholder: skyline at dusk").selected = true;
    fx.layer("Street B.mp4").selected = true;
    const { plan, request } = job(await prepare(fx, "fill"));
    expect(plan).toMatchObject({ track: 0, start: f(144).toString(), frames: 72 });
    expect(request.conditioning).toEqual({ after: { kind: "media", path: "/media/street.mp4", inFrame: 12, outFrame: 84 } });
    const landed = await placeOutput(fx.host, plan, output("/out/gap.mp4", 72, 0));
    expect(landed).toMatchObject({ kind: "placed", clip: { track: 0, start: f(144), end: f(216) }, note: null });
  });

  test("B-roll where every track is busy asks; a new track is a new layer on top", async () => {
    const fx = afterEffects();
    fx.comp.time = framesToSeconds(250, FPS);
    const asked = await prepare(fx, "broll");
    expect(asked.kind).toBe("ask");
    if (asked.kind !== "ask") return;
    expect(asked.question.message).toMatch(/^No level is free for /);
    expect(asked.question.options.map((o) => o.label)).toEqual(["New layer on top", "Overwrite level 1", "Overwrite level 2"]);
    const { plan } = job(await prepare(fx, "broll", { choice: { kind: "new-track", track: 2 } }));
    const landed = await placeOutput(fx.host, plan, output("/out/top.mp4", 24, 6));
    expect(landed).toMatchObject({ kind: "placed", clip: { track: 2, start: f(250), end: f(274) } });
    expect(fx.stack()[0]).toBe("top.mp4");
    expect(fx.layer("top.mp4").startTime).toBeCloseTo(framesToSeconds(244, FPS), 6); // the handle before it stays
  });

  test("a clip finished for another comp waits instead of landing in the open one", async () => {
    const fx = afterEffects();
    const { plan } = job(await prepare(fx, "broll"));
    const other = fx.ae.project.items.addComp("Comp 2", 1920, 1080, 1, 10, 24000 / 1001);
    fx.ae.project.activeItem = other;
    expect(await placeOutput(fx.host, plan, output("/out/late.mp4", 24, 0))).toMatchObject({ kind: "waiting" });
    expect(other.numLayers).toBe(0);
  });
});
