/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "node-addons"]}
 */
import "@testing-library/jest-dom";
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import WebSocket from "ws";
import { HelperConnection, type SocketLike } from "../../panel/client/connection.js";
import type { ConnectionState } from "../../panel/client/connection-state.js";
import { memoryTokenStore } from "../../panel/client/token-store.js";
import type { SimulatedHost } from "../../panel/host/simulated.js";
import { PanelModel } from "../../panel/model/panel-model.js";
import { App } from "../../panel/ui/App.js";
import { describeConnection } from "../../panel/ui/connection-lines.js";
import { estimateTokens, firstIgnoredWord } from "../../panel/ui/prompt-length.js";
import { FakeHelper } from "./fakes/fake-helper.js";
import { clipNamed, demoHost, memoryStore, output } from "./support.js";

const createSocket = (url: string) => new WebSocket(url) as unknown as SocketLike;
let helpers: FakeHelper[] = [];
let models: PanelModel[] = [];

async function mount(options: { token?: string | null } = {}): Promise<{ helper: FakeHelper; host: SimulatedHost; model: PanelModel }> {
  const helper = await FakeHelper.start();
  helpers.push(helper);
  const host = demoHost();
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

  test("duration defaults from the sequence and switches between seconds and frames", async () => {
    await mount();
    await screen.findByText("Connected");
    // 4 s in a 23.976 sequence is 00:00:04:00: timecode counts 24 frames a second
    expect(screen.getByText("00:00:04:00 · 4 s · 96 frames at 23.976 fps")).toBeInTheDocument();
    fireEvent.change(screen.getByRole("combobox", { name: "Duration unit" }), { target: { value: "frames" } });
    expect(screen.getByRole("spinbutton", { name: "Duration" })).toHaveValue(96);
    fireEvent.change(screen.getByRole("combobox", { name: "Duration unit" }), { target: { value: "seconds" } });
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
    fireEvent.change(screen.getByRole("combobox", { name: "Quality" }), { target: { value: "draft" } });
    expect(screen.getByText("5 steps")).toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Loop" })); // a seamless clip
    expect(screen.getByRole("button", { name: "Loop" })).toHaveAttribute("aria-pressed", "true");
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
    fireEvent.change(screen.getByRole("combobox", { name: "When no video track is free" }), { target: { value: "new-track" } });
    expect(model.getState().settings).toMatchObject({ handles: 6, whenNoTrackFree: "new-track" });
    for (const label of ["Output format", "Fit to the sequence frame", "Helper port"]) expect(screen.getByLabelText(label)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Forget pairing" })).toBeInTheDocument();
  });

  test("every control has an accessible name", async () => {
    await mount();
    await screen.findByText("Connected");
    for (const tab of ["Create", "History", "Settings"]) {
      fireEvent.click(screen.getByRole("tab", { name: new RegExp(`^${tab}`) }));
      for (const role of ["button", "textbox", "combobox", "spinbutton", "searchbox"] as const) {
        for (const element of screen.queryAllByRole(role)) expect(element).toHaveAccessibleName();
      }
    }
  });
});

describe("connection lines", () => {
  const welcome = { type: "welcome" as const, version: "0.1.0", protocol: 1 as const, device: "CPU", models: [], queue: [] };
  const states: [ConnectionState, string, RegExp][] = [
    [{ kind: "searching" }, "Looking for the helper…", /48750–48753/],
    [{ kind: "unreachable", ports: [48750, 48751, 48752, 48753], retryInMs: 4000 }, "Helper not running", /npm start.*Retrying in 4 s/],
    [{ kind: "needs-pairing", port: 48750, cause: "no-token" }, "Pairing needed", /Get code/],
    [{ kind: "needs-pairing", port: 48750, cause: "token-refused" }, "Pairing needed", /refused this panel's token/],
    [{ kind: "pairing", port: 48750, error: null }, "Enter the pairing code", /6-digit code/],
    [{ kind: "connecting", port: 48751 }, "Connecting…", /48751/],
    [{ kind: "connected", port: 48750, welcome }, "Connected", /Helper 0.1.0 on port 48750 · CPU/],
    [{ kind: "reconnecting", port: 48750, retryInMs: 1000 }, "Connection lost", /Reconnecting in 1 s/],
    [{ kind: "version-mismatch", port: 48750, helperProtocol: 2, helperVersion: "2.0.0" }, "Version mismatch", /protocol 2 \(Tessera 2.0.0\).*same Tessera version/],
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
