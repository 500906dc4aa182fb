/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "node-addons"]}
 */
// A model's longest clip (ModelInfo.longest, model frames at its fps) reaches the panel: the duration field says
// it, the buttons are gated by it with the fix, and a request that is too long is never sent.
import "@testing-library/jest-dom";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import WebSocket from "ws";
import { HelperConnection, type SocketLike } from "../../panel/client/connection.js";
import type { ConnectionState } from "../../panel/client/connection-state.js";
import { memoryTokenStore } from "../../panel/client/token-store.js";
import { PanelModel } from "../../panel/model/panel-model.js";
import { App } from "../../panel/ui/App.js";
import { gateAll, type GateInput } from "../../panel/workflows/capabilities.js";
import { lengthRefusal, longestFrames } from "../../panel/workflows/length.js";
import type { ModelInfo } from "../../shared/protocol.js";
import { modelFramesFor, parseFrameRate, type FrameRate } from "../../shared/time.js";
import { FakeHelper } from "./fakes/fake-helper.js";
import { clipNamed, demoHost, f, FPS, memoryStore, model as packageModel } from "./support.js";

/** As the helper lists LTX-Video on an engine: 257 frames at 24 fps in one run, fewer with guide frames. */
function engineModel(longest: ModelInfo["longest"] = { textToVideo: 257, extendTail: 248, extendHead: 256, fill: 247 }): ModelInfo {
  return {
    ...packageModel(),
    id: "studio-gpu/ltx-video-2b",
    name: "LTX-Video 2B via studio-gpu",
    engine: "studio-gpu",
    fps: 24,
    sizes: [[768, 512]],
    maxFrames: 257,
    longest,
  };
}

describe("the longest clip in sequence frames", () => {
  test.each<[string, FrameRate, number]>([
    ["23.976", FPS, 0],
    ["23.976 with handles", FPS, 12],
    ["25", { num: 25, den: 1 }, 0],
    ["29.97", { num: 30000, den: 1001 }, 6],
    ["24 (same as the model)", { num: 24, den: 1 }, 12],
  ])("at %s it is exactly the most the helper's conform plan accepts", (_, fps, handles) => {
    const m = engineModel();
    for (const [kind, limit] of Object.entries(m.longest!) as [keyof NonNullable<ModelInfo["longest"]>, number][]) {
      const most = longestFrames(m, kind, fps, handles)!;
      expect(modelFramesFor(most + 2 * handles, fps, parseFrameRate(m.fps))).toBeLessThanOrEqual(limit);
      expect(modelFramesFor(most + 1 + 2 * handles, fps, parseFrameRate(m.fps))).toBeGreaterThan(limit);
    }
  });

  test("a package (windows chained) and a kind an engine chains have no limit", () => {
    expect(longestFrames(packageModel(), "textToVideo", FPS)).toBeNull();
    expect(longestFrames(engineModel({ fill: 247 }), "extendTail", FPS)).toBeNull();
    expect(lengthRefusal(packageModel(), { workflow: "broll", frames: 100_000, handles: 12 }, FPS)).toBeNull();
  });

  test("the refusal says how long, how long the model can go, and what to do", () => {
    const m = engineModel();
    expect(lengthRefusal(m, { workflow: "broll", frames: 240, handles: 12 }, FPS)).toBe(
      "The B-roll is 10.01 s (240 frames at 23.976 fps); LTX-Video 2B via studio-gpu makes at most 9.63 s (231 frames) with 12-frame handles in one clip. " +
        "Set the duration to 9.63 s or less, lower the handles in Settings, or choose a model that makes longer clips.",
    );
    expect(lengthRefusal(m, { workflow: "broll", frames: 231, handles: 12 }, FPS)).toBeNull();
    expect(lengthRefusal(m, { workflow: "fill", frames: 300, handles: 0 }, FPS)).toMatch(/^The gap is 12\.51 s .* at most 10\.22 s \(245 frames\) in one clip\. Close the gap to 245 frames or less, or choose/);
    expect(lengthRefusal(m, { workflow: "extend", at: "head", frames: 300, handles: 0 }, FPS)).toMatch(/^The head extension .*Set the duration to/);
  });
});

describe("gating on the longest clip", () => {
  const connected: ConnectionState = {
    kind: "connected",
    port: 48750,
    welcome: { type: "welcome", version: "0.1.0", protocol: 1, device: "cpu", models: [], queue: [] },
  };
  const clip = (name: string, start: number, end: number) => ({
    id: name, name, track: 0, start: f(start), end: f(end), inPoint: 0n, outPoint: f(end - start), speed: 1, reversed: false,
    mediaPath: "/m.mp4", mediaFps: FPS, offline: false,
  });
  const base = (patch: Partial<GateInput> = {}): GateInput => ({
    connection: connected,
    model: engineModel(),
    sequence: { id: "s", name: "S", fps: FPS, width: 1920, height: 1080, playhead: 0n, inPoint: null, outPoint: null, videoTrackCount: 2 },
    selection: [],
    prompt: "a harbour",
    extendAt: "tail",
    busy: false,
    frames: 96,
    handles: 12,
    ...patch,
  });

  test("replace and fill say up front when the placeholder or the gap is longer than the model makes", () => {
    expect(gateAll(base({ selection: [clip("p", 0, 300)] })).replace.reason).toMatch(/^The placeholder is 12\.51 s .*Trim the placeholder to 231 frames/);
    expect(gateAll(base({ selection: [clip("p", 0, 200)] })).replace.enabled).toBe(true);
    expect(gateAll(base({ selection: [clip("a", 0, 10), clip("b", 310, 320)] })).fill.reason).toMatch(/^The gap is 12\.51 s/);
    expect(gateAll(base({ selection: [clip("a", 0, 10), clip("b", 210, 320)] })).fill.enabled).toBe(true);
    expect(gateAll(base({ model: packageModel(), selection: [clip("p", 0, 3000)] })).replace.enabled).toBe(true);
  });

  test("B-roll and extend follow the duration field; B-roll over an In/Out range follows the range", () => {
    expect(gateAll(base({ frames: 240 })).generate.reason).toMatch(/^The B-roll is 10\.01 s/);
    expect(gateAll(base({ frames: 240, handles: 0 })).generate.enabled).toBe(true);
    const inOut = base({ frames: 24 });
    inOut.sequence = { ...inOut.sequence!, inPoint: f(0), outPoint: f(400) };
    expect(gateAll(inOut).generate.reason).toMatch(/^The B-roll is 16\.68 s \(400 frames/);
    expect(gateAll(base({ frames: 300, selection: [clip("a", 0, 10)] })).extend.reason).toMatch(/^The tail extension is 12\.51 s/);
  });
});

describe("in the panel", () => {
  let helper: FakeHelper;
  let model: PanelModel;
  afterEach(async () => {
    cleanup();
    model.dispose();
    await helper.stop();
  });

  test("the duration field shows the model's longest clip; a too-long B-roll is refused with the fix and never sent", async () => {
    helper = await FakeHelper.start();
    helper.models = [engineModel()];
    const host = demoHost();
    const connection = new HelperConnection({
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      tokens: memoryTokenStore(helper.token),
      ports: [helper.port],
      backoff: { baseMs: 30, maxMs: 100, jitter: 0 },
    });
    model = new PanelModel({ host, connection, store: memoryStore() });
    render(<App model={model} />);
    act(() => model.start());
    await screen.findByText("Connected");
    expect(await screen.findByText("LTX-Video 2B via studio-gpu: B-roll up to 9.63 s (with 12-frame handles), extend up to 10.26 s in one clip.")).toBeInTheDocument();
    fireEvent.change(screen.getByRole("textbox", { name: "Prompt" }), { target: { value: "harbour at dawn" } });
    const generate = screen.getByRole("button", { name: "Generate" });
    expect(generate).toBeEnabled();
    fireEvent.change(screen.getByRole("spinbutton", { name: "Duration" }), { target: { value: "12" } });
    await waitFor(() => expect(generate).toBeDisabled());
    expect(generate).toHaveAccessibleDescription(/makes at most 9\.63 s .*Set the duration to 9\.63 s or less/);
    // the request itself is checked too (a click that raced the gate, or a host selection that changed)
    await act(() => model.run("broll"));
    // 12 s of timecode at 23.976 is 288 frames, 12.01 s of clock time
    expect(model.getState().message?.text).toMatch(/^The B-roll is 12\.01 s \(288 frames/);
    act(() => host.select([clipNamed(host, "Placeholder: skyline").id]));
    await waitFor(() => expect(screen.getByRole("button", { name: "Replace" })).toBeEnabled());
    expect(helper.received.filter((m) => m.type === "generate")).toHaveLength(0);
  });
});
