/**
 * `tessera engines` lists the engine servers with their state; `tessera engines add comfyui URL [--name N]
 * [--token T]` adds one (the token is stored mode 0600 and never printed); `tessera engines remove NAME`.
 */
import type { DoctorCheck } from "../inference/doctor.js";
import { addEngine, defaultEngineName, describeEngine, EngineUrlSchema, readEngines, removeEngine } from "../engines/config.js";
import { allEngineStatuses, type EngineStatus } from "../engines/comfyui/status.js";
import { dataDirOf, usage } from "./common.js";

function printStatus(status: EngineStatus): void {
  process.stdout.write(`${status.name}  comfyui  ${status.url}  ${status.reachable ? "reachable" : "UNREACHABLE"}: ${status.detail}\n`);
  for (const t of status.templates) {
    process.stdout.write(`  ${t.ready ? "ready  " : "missing"} ${t.id} (${t.model})\n`);
    for (const item of t.missing) process.stdout.write(`          ${item}\n`);
  }
}

export async function enginesCommand(options: { dataDir?: string }): Promise<void> {
  const dataDir = await dataDirOf(options.dataDir);
  if (readEngines(dataDir).length === 0) {
    process.stdout.write("no engines: the built-in ONNX engine runs every job. Add a ComfyUI server with `tessera engines add comfyui http://HOST:8188`.\n");
    return;
  }
  for (const status of await allEngineStatuses(dataDir)) printStatus(status);
}

export async function addEngineCommand(kind: string, url: string, options: { name?: string; token?: string; dataDir?: string }): Promise<void> {
  if (kind !== "comfyui") throw usage(`"${kind}" is not an engine kind Tessera drives (comfyui).`);
  const parsedUrl = EngineUrlSchema.safeParse(url);
  if (!parsedUrl.success) throw usage(parsedUrl.error.issues[0]?.message ?? `"${url}" is not an address`);
  const dataDir = await dataDirOf(options.dataDir);
  // `--token -` reads it from stdin, keeping it out of the shell history and the process list
  const token = options.token === "-" ? (await readStdin()).trim() : options.token;
  if (options.token === "-" && !token) throw usage("--token -: no token came on stdin.");
  const engine = addEngine(dataDir, {
    kind: "comfyui",
    name: options.name ?? defaultEngineName(parsedUrl.data),
    url: parsedUrl.data,
    ...(token ? { token } : {}),
  });
  process.stdout.write(`added ${describeEngine(engine)}\n`);
  const status = (await allEngineStatuses(dataDir)).find((s) => s.name === engine.name);
  if (status) printStatus(status);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function removeEngineCommand(name: string, options: { dataDir?: string }): Promise<void> {
  const dataDir = await dataDirOf(options.dataDir);
  if (!removeEngine(dataDir, name)) throw usage(`there is no engine "${name}" (see \`tessera engines\`).`);
  process.stdout.write(`removed ${name}\n`);
}

/** The doctor's lines for the engines: reachable, GPU and VRAM, and each template's missing nodes and files. */
export async function engineDoctorChecks(dataDir: string): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  for (const status of await allEngineStatuses(dataDir)) {
    const name = `engine ${status.name}`;
    if (!status.reachable) {
      checks.push({ name, status: "fail", detail: `${status.url}: ${status.detail}`, fix: "Start the ComfyUI server, or fix the address with `tessera engines add comfyui URL --name " + status.name + "`." });
      continue;
    }
    checks.push({ name, status: "ok", detail: `${status.url}: ${status.detail}` });
    for (const t of status.templates) {
      checks.push(
        t.ready
          ? { name: `${name} ${t.id}`, status: "ok", detail: `nodes and model files present (${t.model})` }
          : { name: `${name} ${t.id}`, status: "warn", detail: `missing for ${t.model}: ${t.missing.map((m) => m.split(":")[0]).join(", ")}`, fix: t.missing.join("; ") },
      );
    }
  }
  return checks;
}
