/**
 * A protocol-faithful fake ComfyUI server (after ComfyUI 0.3.64 server.py, execution.py, main.py): the HTTP
 * routes (also under /api), the WebSocket event sequence routed by client_id, binary previews (type 1, or type 4
 * after the feature_flags handshake), /history written when a prompt is done, /view, /upload/image, /interrupt,
 * /queue. It renders a real H.264 file with ffmpeg for each prompt, and can be told to fail in the ways a real
 * server does.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { basename, join, normalize, resolve, sep } from "node:path";
import { WebSocketServer, type WebSocket } from "ws";
import { previewFrame, renderSaved } from "./media.js";
import { DEFAULT_MODELS, objectInfo, type ModelFolders } from "./object-info.js";
import { validatePrompt } from "./validate.js";

export type Fault = "execution_error" | "non-video" | "stop-download" | "drop-ws" | "hang";

export interface FakeOptions {
  port?: number;
  models?: ModelFolders;
  /** Node classes this server lacks (a missing custom node pack). */
  without?: string[];
  stepMs?: number;
  /** Bearer token the server requires (a server behind an auth proxy). */
  token?: string;
}

interface Job {
  number: number;
  promptId: string;
  graph: Record<string, { class_type: string; inputs: Record<string, unknown> }>;
  clientId: string | undefined;
  outputs: string[];
  interrupted: boolean;
}

type Json = Record<string, unknown>;

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
}

const isLink = (v: unknown): v is [string, number] => Array.isArray(v) && v.length === 2 && typeof v[0] === "string";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class FakeComfyUI {
  readonly root = mkdtempSync(join(tmpdir(), "tessera-fake-comfyui-"));
  readonly requests: SeenRequest[] = [];
  readonly prompts: Job["graph"][] = [];
  /** The prompt ids queued, in order. */
  readonly promptIds: string[] = [];
  fault: Fault | null = null;
  stepMs: number;
  models: ModelFolders;
  without: string[];
  url = "";
  /** Serve /system_stats as a redirect to this address (a misconfigured proxy). */
  redirectTo: string | null = null;

  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Map<string, { ws: WebSocket; metadata: boolean }>();
  private readonly pending: Job[] = [];
  private running: Job | null = null;
  private readonly history = new Map<string, Json>();
  private counter = 0;
  private number = 0;
  private epoch = 0;

  private constructor(private readonly options: FakeOptions) {
    this.stepMs = options.stepMs ?? 20;
    this.models = options.models ?? DEFAULT_MODELS;
    this.without = options.without ?? [];
    mkdirSync(join(this.root, "input"), { recursive: true });
    mkdirSync(join(this.root, "output"), { recursive: true });
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(error));
      });
    });
    this.server.on("upgrade", (req, socket, head) => {
      if (!this.authorized(req)) {
        socket.end("HTTP/1.1 401 Unauthorized\r\n\r\n");
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws, req));
    });
  }

  static async start(options: FakeOptions = {}): Promise<FakeComfyUI> {
    const fake = new FakeComfyUI(options);
    await new Promise<void>((r) => fake.server.listen(options.port ?? 0, "127.0.0.1", r));
    fake.url = `http://127.0.0.1:${(fake.server.address() as { port: number }).port}`;
    return fake;
  }

  /** As if the server process restarted: queue, history and sockets are gone (files stay on disk). */
  restart(): void {
    this.epoch++;
    this.pending.length = 0;
    this.running = null;
    this.history.clear();
    for (const { ws } of this.sockets.values()) ws.terminate();
    this.sockets.clear();
  }

  /** As if the server was killed: connections cut, nothing listens any more. */
  async kill(): Promise<void> {
    this.restart();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  async close(): Promise<void> {
    if (this.server.listening) await this.kill();
    rmSync(this.root, { recursive: true, force: true });
  }

  private authorized(req: IncomingMessage): boolean {
    return !this.options.token || req.headers.authorization === `Bearer ${this.options.token}`;
  }

  private inputFiles(): string[] {
    const dir = join(this.root, "input");
    const list: string[] = [];
    const walk = (d: string, prefix: string): void => {
      for (const name of existsSync(d) ? readdirSync(d) : []) {
        const full = join(d, name);
        if (statSync(full).isDirectory()) walk(full, `${prefix}${name}/`);
        else list.push(`${prefix}${name}`);
      }
    };
    walk(dir, "");
    return list;
  }

  private info(): Record<string, never> {
    // top-level files only, as folder_paths lists them for the combo; subfolder files are valid values anyway
    return objectInfo(this.models, this.inputFiles().filter((f) => !f.includes("/")), this.without) as Record<string, never>;
  }

  private onSocket(ws: WebSocket, req: IncomingMessage): void {
    const clientId = new URL(req.url ?? "/", "http://x").searchParams.get("clientId") ?? randomUUID().replace(/-/g, "");
    const entry = { ws, metadata: false };
    this.sockets.get(clientId)?.ws.terminate();
    this.sockets.set(clientId, entry);
    let first = true;
    ws.on("message", (data, binary) => {
      if (binary || !first) return;
      first = false;
      try {
        const message = JSON.parse(data.toString()) as { type?: string; data?: { supports_preview_metadata?: boolean } };
        if (message.type === "feature_flags") {
          entry.metadata = message.data?.supports_preview_metadata === true;
          ws.send(JSON.stringify({ type: "feature_flags", data: { supports_preview_metadata: true, max_upload_size: 100 * 1024 * 1024 } }));
        }
      } catch {
        // not JSON: ignored, as the server does
      }
    });
    ws.on("close", () => {
      if (this.sockets.get(clientId) === entry) this.sockets.delete(clientId);
    });
    ws.send(JSON.stringify({ type: "status", data: { status: { exec_info: { queue_remaining: this.remaining() } }, sid: clientId } }));
  }

  private remaining(): number {
    return this.pending.length + (this.running ? 1 : 0);
  }

  private send(clientId: string | undefined, type: string, data: Json, broadcast = false): void {
    const text = JSON.stringify({ type, data });
    if (broadcast) for (const { ws } of this.sockets.values()) ws.send(text);
    else if (clientId) this.sockets.get(clientId)?.ws.send(text);
  }

  private broadcastStatus(): void {
    const text = JSON.stringify({ type: "status", data: { status: { exec_info: { queue_remaining: this.remaining() } } } });
    for (const { ws } of this.sockets.values()) ws.send(text);
  }

  private async sendPreview(job: Job, node: string): Promise<void> {
    const socket = job.clientId ? this.sockets.get(job.clientId) : undefined;
    if (socket) socket.ws.send(await previewFrame(socket.metadata, job.promptId, node));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Execution

  private order(job: Job): string[] {
    const done: string[] = [];
    const visit = (id: string): void => {
      if (done.includes(id)) return;
      for (const value of Object.values(job.graph[id]?.inputs ?? {})) if (isLink(value)) visit(value[0]);
      done.push(id);
    };
    job.outputs.forEach(visit);
    return done;
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    const job = this.pending.shift();
    if (!job) return;
    this.running = job;
    const epoch = this.epoch;
    const messages: [string, Json][] = [];
    const event = (type: string, data: Json, broadcast = false): void => {
      if (this.epoch !== epoch) return;
      const stamped = { ...data, timestamp: Date.now() };
      messages.push([type, stamped]);
      this.send(job.clientId, type, stamped, broadcast);
    };
    const outputs: Record<string, Json> = {};
    let status: "success" | "error" = "success";
    try {
      event("execution_start", { prompt_id: job.promptId });
      event("execution_cached", { nodes: [], prompt_id: job.promptId });
      const executed: string[] = [];
      for (const id of this.order(job)) {
        const node = job.graph[id]!;
        this.send(job.clientId, "executing", { node: id, display_node: id, prompt_id: job.promptId });
        const steps = node.class_type === "KSampler" || node.class_type === "SamplerCustom" ? this.stepsOf(job) : 0;
        for (let step = 1; step <= steps; step++) {
          await sleep(this.stepMs);
          if (this.epoch !== epoch) return;
          if (job.interrupted) {
            event("execution_interrupted", { prompt_id: job.promptId, node_id: id, node_type: node.class_type, executed }, true);
            status = "error";
            return;
          }
          if (this.fault === "execution_error" && step === 2) {
            event("execution_error", {
              prompt_id: job.promptId,
              node_id: id,
              node_type: node.class_type,
              executed,
              exception_message: "Allocation on device 0 would exceed allowed memory. (out of memory)",
              exception_type: "torch.OutOfMemoryError",
              traceback: ["Traceback (most recent call last):\n", "torch.OutOfMemoryError: Allocation on device\n"],
              current_inputs: {},
              current_outputs: {},
            });
            status = "error";
            return;
          }
          if (this.fault === "drop-ws" && step === 2) {
            this.fault = null;
            for (const { ws } of this.sockets.values()) ws.terminate();
          }
          while (this.fault === "hang" && this.epoch === epoch && !job.interrupted) await sleep(50);
          this.send(job.clientId, "progress", { value: step, max: steps, prompt_id: job.promptId, node: id });
          await this.sendPreview(job, id);
        }
        if (node.class_type === "SaveVideo") {
          const saved = await renderSaved(job.graph, String(node.inputs.filename_prefix ?? "ComfyUI"), join(this.root, "output"), ++this.counter, this.fault === "non-video");
          if (this.epoch !== epoch) return;
          outputs[id] = { images: [saved], animated: [true] };
          this.send(job.clientId, "executed", { node: id, display_node: id, output: outputs[id], prompt_id: job.promptId });
        }
        executed.push(id);
      }
      event("execution_success", { prompt_id: job.promptId });
    } finally {
      if (this.epoch === epoch) {
        this.history.set(job.promptId, {
          prompt: [job.number, job.promptId, job.graph, { client_id: job.clientId }, job.outputs],
          outputs,
          status: { status_str: status, completed: status === "success", messages },
          meta: Object.fromEntries(Object.keys(outputs).map((id) => [id, { node_id: id, display_node: id, parent_node: null, real_node_id: id }])),
        });
        this.running = null;
        this.send(job.clientId, "executing", { node: null, prompt_id: job.promptId });
        this.broadcastStatus();
        void this.pump();
      }
    }
  }

  private stepsOf(job: Job): number {
    for (const node of Object.values(job.graph)) {
      if (typeof node.inputs.steps === "number") return node.inputs.steps;
    }
    return 10;
  }

  // ---------------------------------------------------------------------------------------------------------
  // HTTP

  private async body(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname.replace(/^\/api(?=\/)/, "");
    this.requests.push({ method: req.method ?? "GET", path, headers: req.headers });
    if (!this.authorized(req)) return void res.writeHead(401).end("401: Unauthorized");
    const route = `${req.method} ${path}`;
    if (route === "GET /system_stats") {
      if (this.redirectTo) return void res.writeHead(302, { location: this.redirectTo }).end();
      return this.json(res, 200, {
        system: { os: "posix", ram_total: 67_000_000_000, ram_free: 50_000_000_000, comfyui_version: "0.3.64", python_version: "3.12.3", pytorch_version: "2.8.0+cu128", embedded_python: false, argv: ["main.py", "--listen", "--preview-method", "auto"] },
        devices: [{ name: "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync", type: "cuda", index: 0, vram_total: 25_393_692_672, vram_free: 24_100_000_000, torch_vram_total: 0, torch_vram_free: 0 }],
      });
    }
    if (route === "GET /object_info") return this.json(res, 200, this.info());
    if (req.method === "GET" && path.startsWith("/object_info/")) {
      const name = decodeURIComponent(path.slice("/object_info/".length));
      const all = this.info() as Record<string, unknown>;
      return this.json(res, 200, name in all ? { [name]: all[name] } : {});
    }
    if (req.method === "GET" && path.startsWith("/models/")) return this.json(res, 200, this.models[path.slice(8)] ?? []);
    if (route === "GET /prompt") return this.json(res, 200, { exec_info: { queue_remaining: this.remaining() } });
    if (route === "POST /prompt") return this.postPrompt(await this.body(req), res);
    if (route === "GET /queue") {
      const item = (j: Job) => [j.number, j.promptId, j.graph, { client_id: j.clientId }, j.outputs];
      return this.json(res, 200, { queue_running: this.running ? [item(this.running)] : [], queue_pending: this.pending.map(item) });
    }
    if (route === "POST /queue") {
      const body = JSON.parse((await this.body(req)).toString() || "{}") as { clear?: boolean; delete?: string[] };
      if (body.clear) this.pending.length = 0;
      for (const id of body.delete ?? []) {
        const index = this.pending.findIndex((j) => j.promptId === id);
        if (index >= 0) this.pending.splice(index, 1);
      }
      this.broadcastStatus();
      return void res.writeHead(200).end();
    }
    if (route === "POST /interrupt") {
      const text = (await this.body(req)).toString();
      const body = (text ? JSON.parse(text) : {}) as { prompt_id?: string };
      if (this.running && (!body.prompt_id || body.prompt_id === this.running.promptId)) this.running.interrupted = true;
      return void res.writeHead(200).end();
    }
    if (req.method === "GET" && path.startsWith("/history/")) {
      const id = decodeURIComponent(path.slice("/history/".length));
      const entry = this.history.get(id);
      return this.json(res, 200, entry ? { [id]: entry } : {});
    }
    if (route === "GET /view") return this.view(url, res);
    if (route === "POST /upload/image") return this.upload(req, res);
    res.writeHead(404).end("404: Not Found");
  }

  private postPrompt(raw: Buffer, res: ServerResponse): void {
    let body: { prompt?: unknown; client_id?: string; prompt_id?: string };
    try {
      body = JSON.parse(raw.toString()) as typeof body;
    } catch {
      return this.json(res, 400, { error: { type: "invalid_prompt", message: "Invalid JSON", details: "", extra_info: {} }, node_errors: {} });
    }
    if (!body.prompt) return this.json(res, 400, { error: { type: "no_prompt", message: "No prompt provided", details: "No prompt provided", extra_info: {} }, node_errors: {} });
    const result = validatePrompt(body.prompt, this.info(), (name) => existsSync(join(this.root, "input", normalize(name))));
    if (!result.ok) return this.json(res, result.status, result.body);
    const promptId = body.prompt_id ?? randomUUID();
    const job: Job = { number: this.number++, promptId, graph: body.prompt as Job["graph"], clientId: body.client_id, outputs: result.outputs, interrupted: false };
    this.prompts.push(job.graph);
    this.promptIds.push(promptId);
    this.pending.push(job);
    this.json(res, 200, { prompt_id: promptId, number: job.number, node_errors: result.nodeErrors });
    this.broadcastStatus();
    void this.pump();
  }

  private view(url: URL, res: ServerResponse): void {
    const filename = url.searchParams.get("filename");
    if (!filename || filename.startsWith("/") || filename.includes("..")) return void res.writeHead(400).end();
    const type = url.searchParams.get("type") ?? "output";
    if (!["output", "input", "temp"].includes(type)) return void res.writeHead(400).end();
    const base = join(this.root, type);
    const folder = resolve(base, url.searchParams.get("subfolder") ?? "");
    if (folder !== base && !folder.startsWith(base + sep)) return void res.writeHead(403).end();
    const file = join(folder, basename(filename));
    if (!existsSync(file)) return void res.writeHead(404).end();
    const bytes = readFileSync(file);
    const mime = file.endsWith(".mp4") ? "video/mp4" : file.endsWith(".png") ? "image/png" : "application/octet-stream";
    res.writeHead(200, { "content-type": mime, "content-length": String(bytes.length) });
    if (this.fault === "stop-download") {
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
      setTimeout(() => res.destroy(), 50);
      return;
    }
    res.end(bytes);
  }

  private async upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await this.body(req);
    const form = await new Request("http://x/", { method: "POST", headers: { "content-type": req.headers["content-type"] ?? "" }, body: new Uint8Array(raw) }).formData();
    const image = form.get("image");
    if (!(image instanceof File) || !image.name) return void res.writeHead(400).end();
    const subfolder = String(form.get("subfolder") ?? "");
    const type = String(form.get("type") ?? "input");
    const base = join(this.root, type === "temp" || type === "output" ? type : "input");
    const folder = resolve(base, subfolder);
    if (folder !== base && !folder.startsWith(base + sep)) return void res.writeHead(400).end();
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, basename(image.name)), Buffer.from(await image.arrayBuffer()));
    this.json(res, 200, { name: basename(image.name), subfolder, type });
  }
}

