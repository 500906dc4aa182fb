/**
 * The panel's state and its actions, independent of React: the connection, the open sequence and selection, the
 * form, the queue and the history. Components read `getState()` and call the actions; everything that talks to
 * the helper or the host happens here or in the workflows.
 */
import type { EngineState, HistoryItem, ModelInfo } from "../../shared/protocol.js";
import type { ConnectionState } from "../client/connection-state.js";
import type { HelperConnection, JobEvent, Preview } from "../client/connection.js";
import { HelperError } from "../client/errors.js";
import { newId } from "../client/ids.js";
import { termsOf, type ClipInfo, type EditorHost, type HostTerms, type ProjectInfo, type SequenceInfo } from "../host/editor-host.js";
import { loggedHost } from "../host/logged-host.js";
import { canLoop, gateAll, type ActionName, type Availability } from "../workflows/capabilities.js";
import { landJob, placeOutput } from "../workflows/land.js";
import { PlacementLedger, type KeyValueStore } from "../workflows/ledger.js";
import { planBroll, type TrackChoice, type TrackQuestion } from "../workflows/plan.js";
import { prepareJob } from "../workflows/prepare.js";
import { describeJob, messageOf, snapshotKey } from "./describe.js";
import { finalFor } from "./drafts.js";
import { ACTIVE, applyJobEvent, applyQueueEntry, type JobView } from "./jobs.js";
import { formFromHistory, resumeSteps } from "./history-actions.js";
import { describeChanges, exportPanelLog, PanelLog } from "./panel-log.js";
import { PendingJobs, type PendingJob } from "./pending.js";
import { imageUrl, releaseImageUrl } from "./preview-url.js";
import { Store } from "./store.js";
import { convertDuration, loadForm, loadSettings, requestedFrames, saveForm, saveSettings, type Form, type Settings } from "./settings.js";

export interface HostSnapshot {
  project: ProjectInfo | null;
  sequence: SequenceInfo | null;
  selection: ClipInfo[];
  error: string | null;
}

export interface Message {
  tone: "info" | "warning" | "error";
  text: string;
}

export interface PanelState {
  connection: ConnectionState;
  models: ModelInfo[];
  device: string | null;
  helperVersion: string | null;
  host: HostSnapshot;
  form: Form;
  settings: Settings;
  jobs: JobView[];
  question: { workflow: "broll"; question: TrackQuestion } | null;
  busy: boolean;
  message: Message | null;
  history: { text: string; items: HistoryItem[]; loading: boolean; error: string | null };
  /** Engine servers (ComfyUI) as the helper last reported them; null until Settings asks. */
  engines: EngineState[] | null;
}

export type Workflow = "broll" | "replace" | "extend" | "fill";

export interface PanelModelOptions {
  host: EditorHost;
  connection: HelperConnection;
  store: KeyValueStore;
  random?: () => number;
}

export class PanelModel extends Store<PanelState> {
  private readonly pending: PendingJobs;
  private readonly ledger: PlacementLedger;
  private readonly host: EditorHost;
  private readonly connection: HelperConnection;
  private readonly store: KeyValueStore;
  private readonly random: () => number;
  private unsubscribe: (() => void)[] = [];
  /** Jobs being placed right now: the same "done" heard twice must not start a second placement. */
  private readonly landing = new Set<string>();
  private hostKey = "";
  /** Recent connection, job and host lines for "Export log". */
  readonly log = new PanelLog();
  /** How the panel names the host's objects ("sequence" or "comp", "V2" or "level 2"). */
  readonly terms: HostTerms;

  constructor(options: PanelModelOptions) {
    const store = options.store;
    const pending = new PendingJobs(store);
    super({
      connection: options.connection.getState(),
      models: [],
      device: null,
      helperVersion: null,
      host: { project: null, sequence: null, selection: [], error: null },
      form: loadForm(store),
      settings: loadSettings(store),
      jobs: pending.all().map((p) => describeJob(p, p.cancelled ? "cancelled" : "sending", termsOf(options.host))),
      question: null,
      busy: false,
      message: null,
      history: { text: "", items: [], loading: false, error: null },
      engines: null,
    });
    ({ connection: this.connection, store: this.store } = options);
    this.host = loggedHost(options.host, (text) => this.log.add("host", text));
    this.terms = termsOf(options.host);
    let logged: PanelState | null = null;
    this.subscribe(() => {
      for (const [source, text] of describeChanges(logged, this.state, this.terms)) this.log.add(source, text);
      logged = this.state;
    });
    this.random = options.random ?? Math.random;
    this.pending = pending;
    this.ledger = new PlacementLedger(store);
  }

  private updateJob(clientJobId: string, change: (job: JobView) => JobView): void {
    this.update({ jobs: this.state.jobs.map((j) => (j.clientJobId === clientJobId ? change(j) : j)) });
  }

  start(): void {
    const events = this.connection.events;
    this.unsubscribe.push(
      events.on("state", (connection) => this.update({ connection })),
      events.on("welcome", (welcome) => void this.resume(welcome)),
      events.on("job", (event) => this.onJobEvent(event)),
      events.on("preview", (preview) => this.onPreview(preview)),
      events.on("notice", (n) => this.say(n.level === "warning" ? "warning" : "info", n.message)),
      events.on("error", (e) => this.say("error", `${e.message} ${e.hint}`)),
      this.host.subscribe(() => void this.refreshHost()),
    );
    void this.refreshHost();
    this.connection.start();
  }

  dispose(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.connection.stop();
  }

  retryConnection(): void {
    this.connection.retryNow();
  }

  requestPairingCode(): Promise<void> {
    return this.connection.requestPairingCode();
  }

  submitPairingCode(code: string): Promise<void> {
    return this.connection.submitPairingCode(code);
  }

  /** Asks the helper for its engine servers' state (Settings shows it). */
  async refreshEngines(): Promise<void> {
    const system = await this.connection.systemInfo().catch(() => null);
    if (system) this.update({ engines: system.engines ?? [] });
  }

  forgetPairing(): Promise<void> {
    return this.connection.forgetPairing();
  }

  say(tone: Message["tone"], text: string): void {
    this.update({ message: { tone, text } });
  }

  dismissMessage(): void {
    this.update({ message: null });
  }

  /** Saves the recent log through the host (a save dialog in Premiere) and says where it went. */
  async exportLog(): Promise<void> {
    const message = await exportPanelLog(this.host, this.log, this.state);
    if (message) this.say(message.tone, message.text);
  }

  // -- host ------------------------------------------------------------------------------------------------------

  async refreshHost(): Promise<void> {
    let host: HostSnapshot;
    try {
      const [project, sequence, selection] = await Promise.all([
        this.host.getProject(),
        this.host.getSequence(),
        this.host.getSelection().catch(() => []),
      ]);
      host = { project, sequence, selection, error: null };
    } catch (error) {
      host = { project: null, sequence: null, selection: [], error: messageOf(error) };
    }
    const key = snapshotKey(host);
    if (key === this.hostKey) return;
    this.hostKey = key;
    this.update({ host });
  }

  // -- form and settings -----------------------------------------------------------------------------------------

  setForm(patch: Partial<Form>): void {
    const form = { ...this.state.form, ...patch };
    saveForm(this.store, form);
    this.update({ form });
  }

  /** Switches seconds/frames keeping the same length at the sequence's rate. */
  setDurationUnit(unit: Form["durationUnit"]): void {
    const { form } = this.state;
    if (form.durationUnit === unit) return;
    const sequence = this.state.host.sequence;
    const fps = sequence?.fps ?? { num: 24, den: 1 };
    this.setForm({ durationUnit: unit, duration: convertDuration(form, fps, { dropFrame: sequence?.dropFrame ?? false }) });
  }

  setSettings(patch: Partial<Settings>): void {
    const settings = { ...this.state.settings, ...patch };
    saveSettings(this.store, settings);
    this.update({ settings });
    if (patch.port !== undefined) this.connection.setPreferredPort(settings.port);
  }

  currentModel(): ModelInfo | null {
    const { models, form } = this.state;
    return models.find((m) => m.id === form.modelId) ?? models[0] ?? null;
  }

  availability(): Record<ActionName, Availability> {
    const { connection, host, form, busy, settings } = this.state;
    return gateAll({
      connection,
      model: this.currentModel(),
      sequence: host.sequence,
      selection: host.selection,
      prompt: form.prompt,
      extendAt: form.extendAt,
      busy,
      terms: this.terms,
      ...(host.sequence ? { frames: requestedFrames(form, host.sequence.fps) } : {}),
      handles: settings.handles,
    });
  }

  // -- generating --------------------------------------------------------------------------------------------------

  async run(workflow: Workflow, choice?: TrackChoice): Promise<void> {
    if (this.state.busy) return;
    this.update({ busy: true, message: null, question: null });
    try {
      const { form, settings } = this.state;
      const clientJobId = newId();
      const prepared = await prepareJob({
        host: this.host,
        workflow,
        clientJobId,
        prompt: form.prompt,
        negativePrompt: form.negativePrompt,
        frames: (fps, timecode) => requestedFrames(form, fps, timecode),
        quality: form.quality,
        seed: form.seedLocked ? form.seed : null,
        extendAt: form.extendAt,
        model: this.currentModel(),
        handles: settings.handles,
        format: settings.format,
        fit: settings.fit,
        whenNoTrackFree: settings.whenNoTrackFree,
        random: this.random,
        ...(choice ? { choice } : {}),
        audio: form.sound,
        // an engine model makes no loops: the Loop choice shows it off and greyed out for one
        loop: form.loop && canLoop(this.currentModel()),
        ...(form.quality === "draft" ? { renderQuality: "draft" as const } : {}),
      });
      if (prepared.kind === "refused") return this.say("warning", prepared.reason);
      if (prepared.kind === "ask") return this.update({ question: { workflow: "broll", question: prepared.question } });
      if (prepared.request.seed !== form.seed) this.setForm({ seed: prepared.request.seed });
      const job: PendingJob = { clientJobId, jobId: null, plan: prepared.plan, request: prepared.request, createdAt: new Date().toISOString(), cancelled: false };
      this.pending.put(job);
      this.update({ jobs: [describeJob(job, "sending", this.terms), ...this.state.jobs] });
      this.send(job);
    } catch (error) {
      this.say("error", messageOf(error));
    } finally {
      this.update({ busy: false });
    }
  }

  /** The user's answer to "no free track": place there and go on. */
  answerQuestion(choice: TrackChoice | null): void {
    const question = this.state.question;
    this.update({ question: null });
    if (question && choice) void this.run(question.workflow, choice);
  }

  private send(job: PendingJob): void {
    this.connection.generate(job.clientJobId, job.request).then(
      (accepted) => this.onJobEvent(accepted),
      (error: unknown) => {
        // not connected: the job stays "sending" and goes out again with the next welcome
        if (error instanceof HelperError && (error.code === "E_HELPER_UNREACHABLE" || error.code === "E_TIMEOUT")) return;
        this.pending.remove(job.clientJobId);
        const e = error instanceof HelperError ? { message: error.message, hint: error.hint } : { message: messageOf(error), hint: "" };
        this.updateJob(job.clientJobId, (j) => ({ ...j, status: "failed", error: e }));
      },
    );
  }

  async cancel(clientJobId: string): Promise<void> {
    const job = this.pending.get(clientJobId);
    if (!job) return;
    if (!job.jobId) {
      this.pending.update(clientJobId, { cancelled: true });
      this.updateJob(clientJobId, (j) => ({ ...j, status: "cancelled" }));
      return;
    }
    try {
      await this.connection.cancel(job.jobId);
    } catch (error) {
      this.say("error", messageOf(error));
    }
  }

  // -- helper events -------------------------------------------------------------------------------------------------

  private onJobEvent(event: JobEvent): void {
    const pending =
      event.type === "job.accepted" ? this.pending.get(event.clientJobId) : this.pending.byJobId(event.jobId);
    if (!pending) return; // another panel's job
    if (event.type === "job.accepted" && pending.jobId !== event.jobId) {
      this.pending.update(pending.clientJobId, { jobId: event.jobId });
      if (pending.cancelled) void this.connection.cancel(event.jobId).catch(() => undefined);
    }
    this.updateJob(pending.clientJobId, (j) => applyJobEvent(j, event));
    if (event.type === "job.failed" || event.type === "job.cancelled") this.pending.remove(pending.clientJobId);
    if (event.type === "job.done") void this.land(pending.clientJobId);
  }

  private onPreview(preview: Preview): void {
    const pending = this.pending.byJobId(preview.header.jobId);
    if (!pending) return;
    const url = imageUrl(preview.image);
    this.updateJob(pending.clientJobId, (j) => {
      releaseImageUrl(j.previewUrl);
      return { ...j, previewUrl: url };
    });
  }

  /** After (re)connecting: adopt the helper's view of our jobs, resend what it never got, place what finished. */
  private async resume(welcome: Extract<ConnectionState, { kind: "connected" }>["welcome"]): Promise<void> {
    this.adoptModels(welcome.models, welcome.device);
    this.update({ helperVersion: welcome.version });
    if (welcome.models.length === 0) void this.waitForModels();
    const jobs = this.pending.all();
    const needHistory = jobs.some((j) => j.jobId && !j.cancelled && !welcome.queue.some((q) => q.clientJobId === j.clientJobId));
    const history = needHistory ? await this.connection.queryHistory({ limit: 200 }).catch(() => null) : [];
    for (const step of resumeSteps(jobs, welcome.queue, history)) {
      const { job } = step;
      if (step.kind === "adopt") {
        const { entry } = step;
        if (job.jobId !== entry.jobId) this.pending.update(job.clientJobId, { jobId: entry.jobId });
        this.updateJob(job.clientJobId, (j) => applyQueueEntry(j, entry));
        if (entry.state === "done") void this.land(job.clientJobId);
        if (entry.state === "failed" || entry.state === "cancelled") this.pending.remove(job.clientJobId);
      } else if (step.kind === "land") {
        const { item } = step;
        this.pending.update(job.clientJobId, { jobId: item.jobId });
        this.updateJob(job.clientJobId, (j) => ({ ...j, jobId: item.jobId, status: "placing", fraction: 1, output: item.output ?? null }));
        void this.land(job.clientJobId);
      } else if (step.kind === "ended") {
        this.pending.remove(job.clientJobId);
        const item = step.item;
        const status = item?.state === "failed" ? "failed" : "cancelled";
        this.updateJob(job.clientJobId, (j) => ({ ...j, status, error: item?.error ?? j.error }));
      } else {
        this.send(job);
      }
    }
    void this.searchHistory(this.state.history.text);
  }

  private adoptModels(models: ModelInfo[], device: string): void {
    const modelId = models.some((m) => m.id === this.state.form.modelId) ? this.state.form.modelId : (models[0]?.id ?? null);
    this.update({ models, device });
    if (modelId !== this.state.form.modelId) this.setForm({ modelId });
  }

  /** A helper that has just started welcomes before its generator has loaded the model: ask again until it has. */
  private async waitForModels(attempts = 30, everyMs = 1000): Promise<void> {
    for (let i = 0; i < attempts; i++) {
      await new Promise((r) => setTimeout(r, everyMs));
      if (this.state.connection.kind !== "connected" || this.state.models.length > 0) return;
      const models = await this.connection.listModels().catch(() => []);
      if (models.length > 0) {
        const system = await this.connection.systemInfo().catch(() => null);
        this.adoptModels(models, system?.device ?? this.state.device ?? "");
        return;
      }
    }
  }

  /** Places a finished job (once per job id); also the queue row's "Insert" when it could not be placed. */
  async land(clientJobId: string): Promise<void> {
    const pending = this.pending.get(clientJobId);
    const view = this.state.jobs.find((j) => j.clientJobId === clientJobId);
    if (!pending?.jobId || !view?.output || this.landing.has(clientJobId)) return;
    this.landing.add(clientJobId);
    this.updateJob(clientJobId, (j) => ({ ...j, status: "placing", note: null }));
    try {
      const landed = await landJob(this.host, this.ledger, { jobId: pending.jobId, plan: pending.plan, output: view.output });
      if (landed.kind === "waiting") {
        this.updateJob(clientJobId, (j) => ({ ...j, status: "ready", note: landed.reason }));
        return;
      }
      const note = landed.kind === "placed" ? `On ${this.terms.trackName(landed.clip.track)} as ${landed.clip.name}.${landed.note ? ` ${landed.note}` : ""}` : `Already in the ${this.terms.timeline}.`;
      this.pending.remove(clientJobId);
      this.updateJob(clientJobId, (j) => ({ ...j, status: "placed", note, ...(landed.kind === "placed" ? { placedClip: landed.clip } : {}) }));
      void this.refreshHost();
    } catch (error) {
      this.updateJob(clientJobId, (j) => ({ ...j, status: "ready", note: `Not placed: ${messageOf(error)}` }));
    } finally {
      this.landing.delete(clientJobId);
    }
  }

  /** The same shot at full quality (same prompt and seed), replacing the placed draft in place as one undo step. */
  makeFinal(clientJobId: string): void {
    const draft = this.state.jobs.find((j) => j.clientJobId === clientJobId);
    if (!draft?.retake || !draft.placedClip || draft.finalRequested) return;
    const { plan, request } = finalFor(draft.retake, draft.placedClip, this.currentModel());
    const job: PendingJob = { clientJobId: newId(), jobId: null, plan, request, createdAt: new Date().toISOString(), cancelled: false };
    this.pending.put(job);
    const note = "The final is on its way; it replaces this draft.";
    this.update({ jobs: [describeJob(job, "sending"), ...this.state.jobs.map((j) => (j.clientJobId === clientJobId ? { ...j, finalRequested: true, note } : j))] });
    this.send(job);
  }

  // -- history ---------------------------------------------------------------------------------------------------

  async searchHistory(text: string): Promise<void> {
    this.update({ history: { ...this.state.history, text, loading: true, error: null } });
    try {
      const items = await this.connection.queryHistory({ ...(text.trim() ? { text: text.trim() } : {}), limit: 50 });
      if (this.state.history.text === text) this.update({ history: { text, items, loading: false, error: null } });
    } catch (error) {
      this.update({ history: { ...this.state.history, loading: false, error: messageOf(error) } });
    }
  }

  /** The same shot again at the playhead: same prompt, settings and seed. */
  rerun(item: HistoryItem): Promise<void> {
    this.fillFrom(item, true);
    return this.run("broll");
  }

  /** Another take: same prompt and settings, a new seed. */
  variant(item: HistoryItem): Promise<void> {
    this.fillFrom(item, false);
    return this.run("broll");
  }

  private fillFrom(item: HistoryItem, keepSeed: boolean): void {
    const fps = this.state.host.sequence?.fps ?? item.request.fps;
    this.setForm(formFromHistory(item, this.state.form.durationUnit, fps, keepSeed));
  }

  /** Places a finished take again at the playhead (the file is imported once; the placement is new). */
  async insertAgain(item: HistoryItem): Promise<void> {
    const output = item.output;
    if (!output) return this.say("warning", "This job has no finished clip.");
    const sequence = await this.host.getSequence();
    if (!sequence) return this.say("warning", `Open a ${this.terms.timeline} in the timeline first.`);
    const frames = Math.max(1, output.frames - 2 * output.handles);
    const planned = planBroll({
      sequence: { ...sequence, inPoint: null, outPoint: null },
      tracks: await this.host.getVideoTracks(),
      selection: [],
      prompt: item.request.prompt,
      frames,
      handles: output.handles,
      whenNoTrackFree: "new-track",
      terms: this.terms,
    });
    if (planned.kind !== "plan") return;
    try {
      const landed = await placeOutput(this.host, { ...planned.plan, label: planned.plan.label.replace("B-roll", "Insert again") }, output);
      if (landed.kind === "placed") this.say("info", `Inserted ${landed.clip.name} on ${this.terms.trackName(landed.clip.track)}.`);
      void this.refreshHost();
    } catch (error) {
      this.say("error", messageOf(error));
    }
  }

  hasActiveJobs(): boolean {
    return this.state.jobs.some((j) => ACTIVE.has(j.status));
  }
}
