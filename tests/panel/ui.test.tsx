/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "node-addons"]}
 */
import "@testing-library/jest-dom";
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import type { ModelInfo } from "../../shared/protocol.js";
import { HelperConnection, type SocketLike } from "../../panel/client/connection.js";
import type { ConnectionState } from "../../panel/client/connection-state.js";
import { memoryTokenStore } from "../../panel/client/token-store.js";
import type { EditorHost } from "../../panel/host/editor-host.js";
import type { SimulatedHost } from "../../panel/host/simulated.js";
import { PanelModel } from "../../panel/model/panel-model.js";
import { App } from "../../panel/ui/App.js";
import { describeConnection } from "../../panel/ui/connection-lines.js";
import { estimateTokens, firstIgnoredWord } from "../../panel/ui/prompt-length.js";
import { afterEffects } from "./fakes/after-effects.js";
import { FakeHelper } from "./fakes/fake-helper.js";
import { clipNamed, demoHost, memoryStore, model as packageModel, output } from "./support.js";

const createSocket = (url: string) => new WebSocket(url) as unknown as SocketLike;
let helpers: FakeHelper[] = [];
let models: PanelModel[] = [];

async function mount<H extends EditorHost = SimulatedHost>(
  options: { token?: string | null; host?: H; models?: ModelInfo[] } = {},
): Promise<{ helper: FakeHelper; host: H; model: PanelModel }> {
  const helper = await FakeHelper.start();
  helpers.push(helper);
  if (options.models) helper.models = options.models;
  const host = options.host ?? (demoHost() as unknown as H);
  const connection = new HelperConnection({
    createSocket,
    tokens: memoryTokenStore(options.token === undefined ? helper.token : options.token),
    ports: [helper.port],
    backoff: { baseMs: 30, maxMs: 100, jitter: 0 },
  });
  const model = new PanelModel({ host, connection, store: memoryStore() });
  models.push(model);
  render(<App model={model} />);
  act(() => model.start());
  return { helper, host, model };
}

// the panel updates from real socket traffic, outside any act(); assertions wait with waitFor instead
beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;
});

afterEach(async () => {
  cleanup();
  for (const m of models) m.dispose();
  for (const h of helpers) await h.stop();
  helpers = [];
  models = [];
});

const generate = () => screen.getByRole("button", { name: "Generate" });

describe("the panel UI", () => {
  test("Generate is enabled by a prompt; the others say what they need; the selection enables them", async () => {
    const { host } = await mount();
    await screen.findByText("Connected");
    const prompt = screen.getByRole("textbox", { name: "Prompt" });
    expect(generate()).toBeDisabled();
    expect(screen.getByText("Type a prompt.")).toBeInTheDocument();
    fireEvent.change(prompt, { target: { value: "harbour at dawn" } });
    expect(generate()).toBeEnabled();
    const replace = screen.getByRole("button", { name: "Replace" });
    expect(replace).toBeDisabled();
    expect(replace).toHaveAccessibleDescription(/Select the placeholder clip to replace./);
    act(() => host.select([clipNamed(host, "Placeholder: skyline").id]));
    await waitFor(() => expect(replace).toBeEnabled());
    expect(screen.getByRole("button", { name: "Extend" })).toHaveAccessibleDescription(/no media file/);
    act(() => host.select([clipNamed(host, "Placeholder: skyline").id, clipNamed(host, "Street B.mp4").id]));
    await waitFor(() => expect(screen.getByRole("button", { name: "Fill" })).toBeEnabled());
  });

  test("in After Effects the panel speaks of the comp, its current time, layers and levels", async () => {
    const fx = afterEffects();
    await mount({ host: fx.host });
    await screen.findByText("Connected");
    expect(screen.getByText(/then land in the comp\.$/)).toBeInTheDocument();
    fireEvent.change(screen.getByRole("textbox", { name: "Prompt" }), { target: { value: "harbour at dawn" } });
    await waitFor(() => expect(generate()).toHaveAttribute("title", "Generate: B-roll at the current time on the first free level"));
    expect(screen.getByRole("button", { name: "Replace" })).toHaveAccessibleDescription(/Select the placeholder layer to replace\./);
    fireEvent.click(screen.getByRole("tab", { name: "Settings" }));
    expect(screen.getByRole("radiogroup", { name: "Fit to the comp frame" })).toBeInTheDocument();
    within(screen.getByRole("radiogroup", { name: "When no level is free" })).getByRole("radio", { name: "Add a layer on top" });
    expect(document.body.textContent).not.toMatch(/the sequence|Premiere|\bV\d/);
  });

  test("duration defaults from the sequence and switches between seconds and frames", async () => {
    await mount();
    await screen.findByText("Connected");
    // 4 s in a 23.976 sequence is 00:00:04:00: timecode counts 24 frames a second
    expect(screen.getByText("00:00:04:00 · 4 s · 96 frames at 23.976 fps")).toBeInTheDocument();
    const unit = screen.getByRole("radiogroup", { name: "Duration unit" });
    expect(within(unit).getByRole("radio", { name: "seconds" })).toBeChecked();
    fireEvent.click(within(unit).getByRole("radio", { name: "frames" }));
    expect(within(unit).getByRole("radio", { name: "frames" })).toBeChecked();
    expect(within(unit).getByRole("radio", { name: "frames" })).toHaveClass("is-on");
    expect(screen.getByRole("spinbutton", { name: "Duration" })).toHaveValue(96);
    fireEvent.click(within(unit).getByRole("radio", { name: "seconds" }));
    expect(screen.getByRole("spinbutton", { name: "Duration" })).toHaveValue(4);
  });

  test("a prompt longer than the model reads gets a notice naming where it stops", async () => {
    await mount();
    await screen.findByText("Connected");
    const long = "a slow dolly shot past neon shop windows in the rain at night with reflections on wet asphalt and steam";
    fireEvent.change(screen.getByRole("textbox", { name: "Prompt" }), { target: { value: long } });
    expect(screen.getByRole("note")).toHaveTextContent("The model reads about 16 words and marks; from “wet” on, the prompt is ignored.");
    expect(screen.getByRole("textbox", { name: "Prompt" })).toHaveAccessibleDescription(/prompt is ignored/);
  });

  test("a job shows phase, progress, ETA, a live preview and Cancel, then lands", async () => {
    const { helper, host } = await mount();
    await screen.findByText("Connected");
    fireEvent.change(screen.getByRole("textbox", { name: "Prompt" }), { target: { value: "harbour" } });
    fireEvent.click(generate());
    await waitFor(() => expect(helper.jobs).toHaveLength(1));
    const row = await screen.findByRole("listitem", { name: "harbour" });
    await waitFor(() => expect(within(row).getByText(/^Queued/)).toBeInTheDocument());
    act(() => {
      helper.progress(helper.lastJob().jobId, 0.5);
      helper.preview(helper.lastJob().jobId);
    });
    await waitFor(() => expect(within(row).getByRole("progressbar", { name: "Progress of harbour" })).toHaveAttribute("aria-valuenow", "50"));
    expect(within(row).getByText("Generating · window 1/2 · 50%")).toBeInTheDocument();
    expect(within(row).getByText("12 s left")).toBeInTheDocument();
    expect(within(row).getByRole("img", { name: "Live preview of harbour" })).toBeInTheDocument();
    expect(within(row).getByRole("button", { name: "Cancel harbour" })).toBeEnabled();
    act(() => helper.done(helper.lastJob().jobId, output("/out/harbour_5.mp4", helper.lastJob().message.request.frames, 12)));
    await waitFor(() => expect(within(row).getByText("In the sequence")).toBeInTheDocument());
    expect(within(row).queryByRole("button", { name: "Cancel harbour" })).not.toBeInTheDocument();
    expect(host.clipsOn(1).map((c) => c.name)).toContain("harbour_5.mp4");
  });

  test("a Draft take is marked a draft; Make final sends the same prompt and seed at full quality and swaps it in", async () => {
    const { helper, host } = await mount();
    await screen.findByText("Connected");
    fireEvent.change(screen.getByRole("textbox", { name: "Prompt" }), { target: { value: "reef" } });
    fireEvent.click(within(screen.getByRole("radiogroup", { name: "Quality" })).getByRole("radio", { name: "Draft" }));
    expect(screen.getByText("5 steps")).toBeInTheDocument();
    const loop = screen.getByRole("radiogroup", { name: "Loop" });
    fireEvent.click(within(loop).getByRole("radio", { name: "Seamless loop" })); // a seamless clip
    expect(within(loop).getByRole("radio", { name: "Seamless loop" })).toBeChecked();
    fireEvent.click(generate());
    await waitFor(() => expect(helper.jobs).toHaveLength(1));
    const draft = helper.lastJob();
    expect(draft.message.request).toMatchObject({ quality: "draft", loop: true, handles: 0 });
    const row = await screen.findByRole("listitem", { name: "reef" });
    expect(within(row).getByText("Draft")).toBeInTheDocument();
    act(() => helper.done(draft.jobId, output("/out/reef_draft.mp4", draft.message.request.frames, 0)));
    await waitFor(() => expect(within(row).getByText("In the sequence")).toBeInTheDocument());
    fireEvent.click(within(row).getByRole("button", { name: "Make final" }));
    await waitFor(() => expect(helper.jobs).toHaveLength(2));
    expect(within(row).getByRole("button", { name: "Make final" })).toBeDisabled();
    const final = helper.lastJob();
    expect(final.message.request).toMatchObject({ prompt: "reef", seed: draft.message.request.seed, quality: "final", steps: 20, loop: true });
    act(() => helper.done(final.jobId, output("/out/reef_final.mp4", final.message.request.frames, 0)));
    await waitFor(() => expect(host.clipsOn(1).map((c) => c.name)).toEqual(["reef_final.mp4", "Title"]));
  });

  test("Sound and Loop are choices; an engine model greys Loop out and its takes are sent without a loop", async () => {
    const engine: ModelInfo = { ...packageModel(), id: "studio-gpu/ltx-video-2b", name: "LTX-Video 2B via studio-gpu", engine: "studio-gpu" };
    const { helper } = await mount({ models: [packageModel(), engine] });
    await screen.findByText("Connected");
    const sound = screen.getByRole("radiogroup", { name: "Sound" });
    fireEvent.click(within(sound).getByRole("radio", { name: "No sound" }));
    expect(within(sound).getByRole("radio", { name: "No sound" })).toBeChecked();
    const loop = screen.getByRole("radiogroup", { name: "Loop" });
    fireEvent.click(within(loop).getByRole("radio", { name: "Seamless loop" }));
    expect(screen.getByText("B-roll ends where it starts.")).toBeInTheDocument();
    fireEvent.click(within(screen.getByRole("radiogroup", { name: "Model" })).getByRole("radio", { name: "LTX-Video 2B via studio-gpu 1.0.0" }));
    expect(within(loop).getByRole("radio", { name: "Plays once" })).toBeChecked();
    expect(within(loop).getByRole("radio", { name: "Seamless loop" })).toBeDisabled();
    expect(screen.getByText("LTX-Video 2B via studio-gpu runs on studio-gpu, which makes no loops: choose a model package for a loop.")).toBeInTheDocument();
    fireEvent.change(screen.getByRole("textbox", { name: "Prompt" }), { target: { value: "waves" } });
    fireEvent.click(generate());
    await waitFor(() => expect(helper.jobs).toHaveLength(1));
    expect(helper.lastJob().message.request).toMatchObject({ modelId: "studio-gpu/ltx-video-2b", handles: 12 });
    expect(helper.lastJob().message.request.loop).toBeUndefined();
  });

  test("Cancel in the queue cancels the job in the helper", async () => {
    const { helper } = await mount();
    await screen.findByText("Connected");
    fireEvent.change(screen.getByRole("textbox", { name: "Prompt" }), { target: { value: "fog" } });
    fireEvent.click(generate());
    const cancel = await screen.findByRole("button", { name: "Cancel fog" });
    await waitFor(() => expect(helper.jobs).toHaveLength(1));
    await waitFor(() => expect(screen.getByRole("listitem", { name: "fog" })).toHaveTextContent(/Queued/));
    fireEvent.click(cancel);
    await waitFor(() => expect(screen.getByRole("listitem", { name: "fog" })).toHaveTextContent("Cancelled"));
    expect(helper.sent("cancel")).toHaveLength(1);
  });

  test("history is searchable by prompt and offers Re-run, Variant and Insert again", async () => {
    const { helper } = await mount();
    await screen.findByText("Connected");
    const request = { prompt: "lighthouse at dusk", negativePrompt: "", seed: 9, frames: 24, fps: { num: 24000, den: 1001 }, width: 1920, height: 1080, handles: 12, fit: "fill" as const, retime: "blend" as const, output: { format: "h264" as const }, workflow: "broll" as const };
    helper.history = [{ jobId: "0b7c9a1e-1111-4111-8111-111111111111", clientJobId: "x", state: "done", createdAt: "2026-11-25T10:00:00.000Z", request, output: output("/out/l.mp4", 24, 12) }];
    fireEvent.click(screen.getByRole("tab", { name: "History" }));
    fireEvent.change(screen.getByRole("searchbox", { name: "Search history" }), { target: { value: "lighthouse" } });
    fireEvent.click(screen.getByRole("button", { name: "Search" }));
    const item = await screen.findByRole("listitem", { name: "lighthouse at dusk" });
    for (const name of ["Re-run lighthouse at dusk", "Variant of lighthouse at dusk", "Insert again lighthouse at dusk"]) {
      expect(within(item).getByRole("button", { name })).toBeEnabled();
    }
    fireEvent.click(within(item).getByRole("button", { name: "Variant of lighthouse at dusk" }));
    await waitFor(() => expect(helper.jobs).toHaveLength(1));
    expect(helper.lastJob().message.request.prompt).toBe("lighthouse at dusk");
  });

  test("pairing: Get code, type the digits, connected", async () => {
    const { helper } = await mount({ token: null });
    await screen.findByText("Pairing needed");
    fireEvent.click(screen.getByRole("button", { name: "Get code" }));
    const code = await screen.findByRole("textbox", { name: "Pairing code" });
    fireEvent.change(code, { target: { value: helper.pairingCode } });
    fireEvent.click(screen.getByRole("button", { name: "Pair" }));
    await screen.findByText("Connected");
  });

  test("settings are labelled controls and persist in the model", async () => {
    const { model } = await mount();
    fireEvent.click(screen.getByRole("tab", { name: "Settings" }));
    fireEvent.change(screen.getByRole("spinbutton", { name: "Handles (frames each side)" }), { target: { value: "6" } });
    fireEvent.click(within(screen.getByRole("radiogroup", { name: "When no video track is free" })).getByRole("radio", { name: "Add a track above" }));
    fireEvent.click(within(screen.getByRole("radiogroup", { name: "Output format" })).getByRole("radio", { name: "ProRes 422 HQ MOV" }));
    expect(model.getState().settings).toMatchObject({ handles: 6, whenNoTrackFree: "new-track", format: "prores" });
    // the value shows as the lit button, whatever the order it was set in
    expect(within(screen.getByRole("radiogroup", { name: "Output format" })).getByRole("radio", { checked: true })).toHaveTextContent("ProRes 422 HQ MOV");
    for (const label of ["Fit to the sequence frame", "Helper port"]) expect(screen.getByLabelText(label)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Forget pairing" })).toBeInTheDocument();
  });

  test("Export log saves the recent connection, job and host lines through the host and says where", async () => {
    const { helper, host } = await mount();
    await screen.findByText("Connected");
    fireEvent.change(screen.getByRole("textbox", { name: "Prompt" }), { target: { value: "harbour" } });
    fireEvent.click(generate());
    await waitFor(() => expect(helper.jobs).toHaveLength(1));
    act(() => helper.done(helper.lastJob().jobId, output("/out/harbour_5.mp4", helper.lastJob().message.request.frames, 12)));
    await screen.findByText("In the sequence");
    fireEvent.click(screen.getByRole("tab", { name: "Settings" }));
    fireEvent.click(screen.getByRole("button", { name: "Export log" }));
    await waitFor(() => expect(host.savedLogs).toHaveLength(1));
    const [saved] = host.savedLogs;
    expect(saved!.name).toMatch(/^tessera-panel-.*\.log$/);
    expect(saved!.text).toMatch(/^Tessera panel .* in Simulated sequence\n/);
    expect(saved!.text).toMatch(/client connection connected: Connected/);
    expect(saved!.text).toMatch(/client job \w+ "harbour" placed/);
    expect(saved!.text).toMatch(/host +import \/out\/harbour_5\.mp4 into "Tessera Media": item/);
    expect(saved!.text).toMatch(/host +Tessera: B-roll .* on V2 .*: placed "harbour_5\.mp4" on V2/);
    expect(await screen.findByText(`Log saved to ${saved!.name}. Send it with the output of \`tessera doctor\`.`)).toBeInTheDocument();
  });

  test("only what UXP renders: no <select>, no <label for>, no textarea rows, every field inside its label", async () => {
    await mount();
    await screen.findByText("Connected");
    for (const tab of ["Create", "History", "Settings"]) {
      fireEvent.click(screen.getByRole("tab", { name: new RegExp(`^${tab}`) }));
      expect(document.querySelectorAll("select, label[for], textarea[rows], [hidden]")).toHaveLength(0);
      // clicking a visible label focuses its field in UXP only when the label wraps it
      for (const field of document.querySelectorAll("input, textarea")) {
        if (!field.hasAttribute("aria-label")) expect(field.closest("label")).not.toBeNull();
      }
    }
    // UXP may draw a <title> as text at the top of the panel
    expect(readFileSync(join(__dirname, "../../panel/index.html"), "utf8")).not.toMatch(/<title/i);
  });

  test("every control has an accessible name", async () => {
    await mount();
    await screen.findByText("Connected");
    for (const tab of ["Create", "History", "Settings"]) {
      fireEvent.click(screen.getByRole("tab", { name: new RegExp(`^${tab}`) }));
      for (const role of ["button", "textbox", "radio", "radiogroup", "spinbutton", "searchbox"] as const) {
        for (const element of screen.queryAllByRole(role)) expect(element).toHaveAccessibleName();
      }
    }
  });
});

describe("connection lines", () => {
  const welcome = { type: "welcome" as const, version: "0.1.0", protocol: 1 as const, device: "CPU", models: [], queue: [] };
  const states: [ConnectionState, string, RegExp][] = [
    [{ kind: "searching" }, "Looking for the helper…", /48750–48753/],
    [{ kind: "unreachable", ports: [48750, 48751, 48752, 48753], retryInMs: 4000 }, "Helper not running", /Double-click Tessera Helper.*`tessera service install` starts it at every login\. Retrying in 4 s/],
    [{ kind: "needs-pairing", port: 48750, cause: "no-token" }, "Pairing needed", /Get code.*started at login.*`tessera pair`/],
    [{ kind: "needs-pairing", port: 48750, cause: "token-refused" }, "Pairing needed", /refused this panel's token/],
    [{ kind: "pairing", port: 48750, error: null }, "Enter the pairing code", /6-digit code/],
    [{ kind: "connecting", port: 48751 }, "Connecting…", /48751/],
    [{ kind: "connected", port: 48750, welcome }, "Connected", /Helper 0.1.0 on port 48750 · CPU · panel 0\.0\.0-dev/],
    [{ kind: "reconnecting", port: 48750, retryInMs: 1000 }, "Connection lost", /Reconnecting in 1 s/],
    [{ kind: "version-mismatch", port: 48750, helperProtocol: 2, helperVersion: "2.0.0" }, "Version mismatch", /protocol 2 \(Tessera 2.0.0\).*panel is older: update it to Tessera 2\.0\.0/],
    [{ kind: "version-mismatch", port: 48750, helperProtocol: 0, helperVersion: "0.0.9" }, "Version mismatch", /protocol 0 \(Tessera 0.0.9\).*helper is older: update it to Tessera 0\.0\.0-dev/],
    [{ kind: "version-mismatch", port: 48750, helperProtocol: null, helperVersion: null }, "Version mismatch", /protocol \?.*same Tessera version/],
    [{ kind: "failed", port: null, message: "Too many sessions.", hint: "Close a tab." }, "Connection failed", /Too many sessions.*Close a tab/],
  ];
  test.each(states)("%o reads as %s with its cause and fix", (state, title, text) => {
    const line = describeConnection(state);
    expect(line.title).toBe(title);
    expect(`${line.cause} ${line.fix}`).toMatch(text);
  });

  test("prompt length is estimated from words and marks", () => {
    expect(estimateTokens("a harbour, at dawn.")).toBe(6);
    expect(firstIgnoredWord("one two three", 2)).toBe("three");
    expect(firstIgnoredWord("one two", 2)).toBeNull();
  });
});
