import type { ConnectionState } from "../../panel/client/connection-state.js";
import type { ClipInfo, TrackInfo } from "../../panel/host/editor-host.js";
import { gateAll, type GateInput } from "../../panel/workflows/capabilities.js";
import { conditioningTimes, extendConditioning, fillConditioning, mediaSource } from "../../panel/workflows/conditioning.js";
import { landJob, resolveTarget, trimRange } from "../../panel/workflows/land.js";
import { PlacementLedger } from "../../panel/workflows/ledger.js";
import { planBroll, planExtend, planFill, planReplace, PlanSchema, type Plan, type PlanInput } from "../../panel/workflows/plan.js";
import { buildRequest, stepsFor } from "../../panel/workflows/request.js";
import { GenerationRequestSchema } from "../../shared/protocol.js";
import { clipNamed, demoHost, f, FPS, memoryStore, model, output } from "./support.js";

async function input(host = demoHost(), patch: Partial<PlanInput> = {}): Promise<PlanInput> {
  const sequence = (await host.getSequence())!;
  return {
    sequence,
    tracks: await host.getVideoTracks(),
    selection: await host.getSelection(),
    prompt: "harbour at dawn",
    frames: 48,
    handles: 12,
    whenNoTrackFree: "ask",
    ...patch,
  };
}

function planned(result: ReturnType<typeof planBroll>): Plan {
  if (result.kind !== "plan") throw new Error(`expected a plan, got ${JSON.stringify(result)}`);
  return PlanSchema.parse(result.plan); // plans survive storage: they parse back
}

describe("B-roll", () => {
  test("lands at the playhead's frame on the first free track (V2), with handles", async () => {
    const host = demoHost();
    host.setPlayhead(f(48) + 1000n); // inside frame 48
    const plan = planned(planBroll(await input(host)));
    expect(plan).toMatchObject({ workflow: "broll", track: 1, start: f(48).toString(), frames: 48, handles: 12, label: 'Tessera: B-roll "harbour at dawn"' });
  });

  test("fills the sequence In/Out range when one is set", async () => {
    const host = demoHost();
    host.setInOut(f(100), f(130));
    const plan = planned(planBroll(await input(host)));
    expect(plan).toMatchObject({ start: f(100).toString(), frames: 30, track: 1 });
  });

  test("asks when no track is free: a new track above or overwrite one", async () => {
    const host = demoHost();
    host.setPlayhead(f(250)); // V1 street, V2 title
    const result = planBroll(await input(host, { frames: 24 }));
    expect(result.kind).toBe("ask");
    if (result.kind !== "ask") return;
    expect(result.question.options.map((o) => o.label)).toEqual(["New track V3", "Overwrite V1", "Overwrite V2"]);
    const answered = planned(planBroll(await input(host, { frames: 24, choice: { kind: "overwrite", track: 1 } })));
    expect(answered).toMatchObject({ track: 1, onBusy: "overwrite" });
    const setting = planned(planBroll(await input(host, { frames: 24, whenNoTrackFree: "new-track" })));
    expect(setting.track).toBe(2);
  });
});

describe("Replace", () => {
  test("takes the placeholder's exact track, start and duration", async () => {
    const host = demoHost();
    host.select([clipNamed(host, "Placeholder: skyline").id]);
    const plan = planned(planReplace(await input(host, { frames: 5 })));
    expect(plan).toMatchObject({ workflow: "replace", track: 0, start: f(96).toString(), frames: 72, handles: 12 });
    expect(plan.replace).toMatchObject({ name: "Placeholder: skyline", start: f(96).toString(), end: f(168).toString() });
  });

  test("needs exactly one selected clip", async () => {
    const host = demoHost();
    expect(planReplace(await input(host))).toEqual({ kind: "refused", reason: "Select the placeholder in the timeline." });
    host.select([clipNamed(host, "Street B.mp4").id, clipNamed(host, "Harbour wide.mp4").id]);
    expect(planReplace(await input(host))).toEqual({ kind: "refused", reason: "2 clips are selected; select only the placeholder." });
  });
});

describe("Extend", () => {
  test("tail: adjacent on the same track when free, no handles", async () => {
    const host = demoHost();
    host.select([clipNamed(host, "Harbour wide.mp4").id]);
    const plan = planned(planExtend(await input(host, { frames: 24 }), "tail"));
    expect(plan).toMatchObject({ track: 0, start: f(360).toString(), frames: 24, handles: 0, at: "tail", label: 'Tessera: Extend tail "harbour at dawn"' });
  });

  test("tail: on the track above when the space after the clip is taken", async () => {
    const host = demoHost();
    host.select([clipNamed(host, "Interview A.mp4").id]); // the placeholder follows it
    const plan = planned(planExtend(await input(host, { frames: 24 }), "tail"));
    expect(plan).toMatchObject({ track: 1, start: f(96).toString() });
  });

  test("head: before the clip, refused when there is no room before frame 0", async () => {
    const host = demoHost();
    host.select([clipNamed(host, "Street B.mp4").id]);
    const plan = planned(planExtend(await input(host, { frames: 48 }), "head"));
    expect(plan).toMatchObject({ track: 0, start: f(168).toString(), at: "head" });
    host.select([clipNamed(host, "Interview A.mp4").id]);
    const refused = planExtend(await input(host, { frames: 10 }), "head");
    expect(refused).toEqual({ kind: "refused", reason: 'Only 0 frames fit before "Interview A.mp4"; ask for at most 0 frames or extend the tail.' });
  });

  test("a clip without media (a matte) cannot be continued", async () => {
    const host = demoHost();
    host.select([clipNamed(host, "Placeholder: skyline").id]);
    expect(planExtend(await input(host), "tail")).toMatchObject({ kind: "refused", reason: expect.stringContaining("no media file") });
  });
});

describe("Fill", () => {
  test("exactly the gap between the two selected clips, on their track", async () => {
    const host = demoHost();
    host.select([clipNamed(host, "Street B.mp4").id, clipNamed(host, "Placeholder: skyline").id]);
    const plan = planned(planFill(await input(host)));
    expect(plan).toMatchObject({ workflow: "fill", track: 0, start: f(168).toString(), frames: 48, handles: 0 });
  });

  test("says why there is no gap", async () => {
    const host = demoHost();
    host.select([clipNamed(host, "Street B.mp4").id, clipNamed(host, "Harbour wide.mp4").id]);
    expect(planFill(await input(host))).toEqual({ kind: "refused", reason: "The two clips touch: there is no gap between them." });
    host.select([clipNamed(host, "Street B.mp4").id, clipNamed(host, "Title").id]);
    expect(planFill(await input(host))).toMatchObject({ reason: expect.stringContaining("different tracks") });
    host.select([clipNamed(host, "Interview A.mp4").id, clipNamed(host, "Street B.mp4").id]);
    expect(planFill(await input(host))).toEqual({ kind: "refused", reason: "Another clip sits in the gap between them." });
  });
});

describe("capability gating", () => {
  const connected: ConnectionState = {
    kind: "connected",
    port: 48750,
    welcome: { type: "welcome", version: "0.1.0", protocol: 1, device: "cpu", models: [], queue: [] },
  };
  const clip = (name: string, start: number, end: number, mediaPath: string | null = "/m.mp4", track = 0): ClipInfo => ({
    id: name,
    name,
    track,
    start: f(start),
    end: f(end),
    inPoint: 0n,
    outPoint: f(end - start),
    speed: 1,
    reversed: false,
    mediaPath,
    mediaFps: FPS,
    offline: false,
  });
  const base = (patch: Partial<GateInput> = {}): GateInput => ({
    connection: connected,
    model: model(),
    sequence: { id: "s", name: "S", fps: FPS, width: 1920, height: 1080, playhead: 0n, inPoint: null, outPoint: null, videoTrackCount: 2 },
    selection: [],
    prompt: "a harbour",
    extendAt: "tail",
    busy: false,
    ...patch,
  });

  test("each action is enabled only when the selection and the model allow it, with a reason otherwise", () => {
    const none = gateAll(base());
    expect(none.generate).toEqual({ enabled: true, reason: null });
    expect(none.replace.reason).toBe("Select the placeholder clip to replace.");
    expect(none.extend.reason).toBe("Select one clip to extend.");
    expect(none.fill.reason).toBe("Select the two clips on either side of a gap.");
    const one = gateAll(base({ selection: [clip("a", 0, 10)] }));
    expect([one.replace.enabled, one.extend.enabled, one.fill.enabled]).toEqual([true, true, false]);
    const two = gateAll(base({ selection: [clip("a", 0, 10), clip("b", 20, 30)] }));
    expect([two.replace.enabled, two.extend.enabled, two.fill.enabled]).toEqual([false, false, true]);
    expect(gateAll(base({ selection: [clip("a", 0, 10), clip("b", 10, 30)] })).fill.reason).toBe("The selected clips touch: there is no gap to fill.");
    expect(gateAll(base({ selection: [clip("m", 0, 10, null)] })).extend.reason).toBe('"m" has no media file to continue from.');
  });

  test("what the model cannot do is disabled with the model's name", () => {
    const gates = gateAll(base({ model: model({ fill: false, extendHead: false }), extendAt: "head", selection: [clip("a", 0, 10), clip("b", 20, 30)] }));
    expect(gates.fill.reason).toBe("tessera-reference cannot fill a gap.");
    expect(gateAll(base({ model: model({ extendHead: false }), extendAt: "head", selection: [clip("a", 0, 10)] })).extend.reason).toBe(
      "tessera-reference cannot extend a clip's head.",
    );
    expect(gateAll(base({ model: model({ textToVideo: false }) })).generate.reason).toBe("tessera-reference cannot generate from text.");
  });

  test("no connection, no model, no sequence, no prompt", () => {
    expect(gateAll(base({ connection: { kind: "searching" } })).generate.reason).toBe("Connect to the Tessera helper first.");
    expect(gateAll(base({ model: null })).generate.reason).toMatch(/no model ready/);
    expect(gateAll(base({ sequence: null })).generate.reason).toBe("Open a sequence in the timeline.");
    expect(gateAll(base({ prompt: "  " })).generate.reason).toBe("Type a prompt.");
  });
});

describe("conditioning", () => {
  test("frames at the model's rate ending on the clip's last frame, or starting on its first", async () => {
    const host = demoHost();
    const harbour = clipNamed(host, "Harbour wide.mp4");
    const step = 254016000000n / 8n;
    const tail = conditioningTimes(harbour, "end", 5, { num: 8, den: 1 }, FPS);
    expect(tail.at(-1)).toBe(f(359));
    expect(tail[3]! + step).toBe(tail[4]);
    const head = conditioningTimes(harbour, "start", 5, { num: 8, den: 1 }, FPS);
    expect(head[0]).toBe(f(288));
    expect(head[1]).toBe(f(288) + step);
  });

  test("without rendering, the media's visible range in its own frame numbers", async () => {
    const host = demoHost();
    expect(mediaSource(clipNamed(host, "Harbour wide.mp4"), FPS)).toEqual({ kind: "media", path: "/media/harbour.mp4", inFrame: 12, outFrame: 84 });
    expect(mediaSource(clipNamed(host, "Placeholder: skyline"), FPS)).toBeNull();
    const sequence = (await host.getSequence())!;
    const ctx = { host, sequence, model: model(), renderFolder: "/Edit/Tessera Media/.conditioning/j" };
    expect(await extendConditioning(ctx, clipNamed(host, "Harbour wide.mp4"), "tail")).toEqual({
      before: { kind: "media", path: "/media/harbour.mp4", inFrame: 12, outFrame: 84 },
    });
    // a gap next to a matte conditions on the side that has footage
    expect(await fillConditioning(ctx, clipNamed(host, "Placeholder: skyline"), clipNamed(host, "Street B.mp4"))).toEqual({
      after: { kind: "media", path: "/media/street.mp4", inFrame: 12, outFrame: 84 },
    });
  });

  test("rendered frames (as seen) when the host can render them", async () => {
    const host = demoHost();
    host.renderFrames = async (times, folder) => times.map((_, i) => `${folder}/frame_${i}.png`);
    const sequence = (await host.getSequence())!;
    const result = await extendConditioning({ host, sequence, model: model(), renderFolder: "/r" }, clipNamed(host, "Harbour wide.mp4"), "head");
    expect(result).toEqual({ after: { kind: "frames", paths: ["/r/frame_0.png", "/r/frame_1.png", "/r/frame_2.png", "/r/frame_3.png", "/r/frame_4.png"], fps: { num: 8, den: 1 } } });
  });
});

describe("the generation request", () => {
  test("asks for exactly the planned frames at the sequence's rate and size, into Tessera Media", async () => {
    const host = demoHost();
    host.select([clipNamed(host, "Placeholder: skyline").id]);
    const plan = planned(planReplace(await input(host, { prompt: "" })));
    const request = buildRequest({
      plan,
      prompt: "",
      negativePrompt: "text",
      seed: 42,
      quality: "draft",
      model: model(),
      format: "h264",
      fit: "fill",
      sequence: (await host.getSequence())!,
      project: await host.getProject(),
      conditioning: null,
      outputFolder: "/Volumes/Work/Edit/Tessera Media",
    });
    expect(GenerationRequestSchema.parse(request)).toEqual(request);
    expect(request).toMatchObject({
      prompt: "Placeholder: skyline", // the placeholder's name seeds an empty prompt
      frames: 72,
      fps: FPS,
      width: 1920,
      height: 1080,
      handles: 12,
      seed: 42,
      steps: 5, // a draft: a quarter of the model's 20
      modelId: "tessera-reference",
      workflow: "replace",
      projectId: "p1",
      sequenceId: "s1",
      output: { format: "h264", folder: "/Volumes/Work/Edit/Tessera Media" },
    });
    expect([stepsFor("standard", model()), stepsFor("high", model()), stepsFor("draft", null)]).toEqual([20, 30, undefined]);
  });

  test("an unusable request is a clear error naming the field", async () => {
    const plan = planned(planBroll(await input()));
    const sequence = (await demoHost().getSequence())!;
    expect(() =>
      buildRequest({
        plan,
        prompt: " ",
        negativePrompt: "",
        seed: 1,
        quality: "standard",
        model: null,
        format: "h264",
        fit: "fill",
        sequence,
        project: null,
        conditioning: null,
        outputFolder: null,
      }),
    ).toThrow(/prompt: prompt is empty/);
  });
});

describe("landing a finished clip", () => {
  async function brollPlan(host = demoHost()) {
    return planned(planBroll(await input(host, { frames: 48 })));
  }

  test("imports once and places once per job id, however often the panel hears it finished", async () => {
    const host = demoHost();
    const store = memoryStore();
    const plan = await brollPlan(host);
    const job = { jobId: "6a1f0e1c-0000-4000-8000-000000000001", plan, output: output("/out/harbour_1_6a1f.mp4", 48, 12) };
    const first = new PlacementLedger(store);
    const results = await Promise.all([landJob(host, first, job), landJob(host, first, job)]);
    expect(results.map((r) => r.kind).sort()).toEqual(["already", "placed"]);
    const ledger = new PlacementLedger(store); // a reload
    expect(ledger.isPlaced(job.jobId)).toBe(true);
    expect(await landJob(host, ledger, job)).toEqual({ kind: "already" });
    const generated = host.clipsOn(1).filter((c) => c.name === "harbour_1_6a1f.mp4");
    expect(generated).toHaveLength(1);
    expect(host.importCounts.get("/out/harbour_1_6a1f.mp4")).toBe(1);
    expect(generated[0]).toMatchObject({ start: f(48), end: f(96), inPoint: f(12), outPoint: f(60) });
    expect(generated[0]!.record?.prompt).toBe("harbour at dawn");
    expect(host.undoLabels).toEqual(['Tessera: B-roll "harbour at dawn"']);
  });

  test("a failed placement is not recorded, so Insert can try again", async () => {
    const host = demoHost();
    const ledger = new PlacementLedger(memoryStore());
    const job = { jobId: "6a1f0e1c-0000-4000-8000-000000000002", plan: await brollPlan(host), output: output("/out/b.mp4", 48, 12) };
    const applyEdit = host.applyEdit.bind(host);
    host.applyEdit = async () => {
      throw new Error("disk offline");
    };
    await expect(landJob(host, ledger, job)).rejects.toThrow("disk offline");
    expect(ledger.isPlaced(job.jobId)).toBe(false);
    host.applyEdit = applyEdit;
    expect(await landJob(host, ledger, job)).toMatchObject({ kind: "placed" });
  });

  test("a range taken while generating moves the clip up, and says so", async () => {
    const host = demoHost();
    const plan = await brollPlan(host); // V2 at 48
    host.addClip({ name: "Editor's cut", track: 1, start: f(40), end: f(80), inPoint: 0n, outPoint: f(40), mediaPath: "/m.mp4" });
    const target = resolveTarget(plan, await host.getVideoTracks());
    expect(target).toMatchObject({ track: 2, note: "V2 was taken while generating; the clip went to V3." });
  });

  test("a replaced placeholder is removed; if it is gone the clip takes its spot", async () => {
    const host = demoHost();
    host.select([clipNamed(host, "Placeholder: skyline").id]);
    const plan = planned(planReplace(await input(host)));
    const tracks: TrackInfo[] = await host.getVideoTracks();
    expect(resolveTarget(plan, tracks).remove.map((c) => c.name)).toEqual(["Placeholder: skyline"]);
    const without = tracks.map((t) => ({ ...t, clips: t.clips.filter((c) => !c.name.startsWith("Placeholder")) }));
    expect(resolveTarget(plan, without)).toMatchObject({ track: 0, remove: [], note: '"Placeholder: skyline" was gone; the clip took its place.' });
    const landed = await landJob(host, new PlacementLedger(memoryStore()), { jobId: "6a1f0e1c-0000-4000-8000-000000000003", plan, output: output("/out/r.mp4", 72, 12) });
    expect(landed).toMatchObject({ kind: "placed", clip: { track: 0, start: f(96), end: f(168) } });
    expect(host.clipsOn(0).map((c) => c.name)).toEqual(["Interview A.mp4", "r.mp4", "Street B.mp4", "Harbour wide.mp4"]);
  });

  test("handles are trimmed by In/Out even when the helper delivered fewer than asked", () => {
    const plan = { fps: FPS, frames: 10 } as Plan;
    expect(trimRange(plan, output("/o.mp4", 10, 12))).toEqual({ sourceIn: f(12), sourceOut: f(22) });
    expect(trimRange(plan, output("/o.mp4", 10, 0))).toEqual({ sourceIn: 0n, sourceOut: f(10) });
  });

  test("another sequence open: the job waits, and is not marked placed", async () => {
    const host = demoHost();
    const plan = { ...(await brollPlan(host)), sequenceId: "elsewhere" };
    const ledger = new PlacementLedger(memoryStore());
    const job = { jobId: "6a1f0e1c-0000-4000-8000-000000000004", plan, output: output("/out/w.mp4", 48, 12) };
    expect(await landJob(host, ledger, job)).toMatchObject({ kind: "waiting" });
    expect(ledger.isPlaced(job.jobId)).toBe(false);
  });
});
