// The running helper with the fake ComfyUI as engine "studio-gpu", and a panel-protocol client: the setup of the
// engine tests that go through the WebSocket (jobs submitted as the panel submits them).
import { resolve } from "node:path";
import { addEngine } from "../../helper-service/engines/config.js";
import { createHelper, type Helper } from "../../helper-service/server/helper.js";
import { silentLogger } from "../../helper-service/server/log.js";
import type { HelperMessage, HelperMessageOf } from "../../shared/protocol.js";
import { baseRequest, stopHelper, tempDir, TestClient } from "../server/support.js";
import { FakeComfyUI } from "./fake-comfyui/server.js";

export const TINY = resolve(__dirname, "../fixtures/tiny-model");

export interface EngineRig {
  fake: FakeComfyUI;
  helper: Helper;
  client: TestClient;
  dataDir: string;
  out: string;
}

/** `prepare` edits the data folder (own templates) before the helper reads it. */
export async function startEngineRig(options: { stepMs: number; outPrefix: string; prepare?: (dataDir: string) => void }): Promise<EngineRig> {
  const fake = await FakeComfyUI.start({ stepMs: options.stepMs });
  const dataDir = tempDir();
  const out = tempDir(options.outPrefix);
  options.prepare?.(dataDir);
  addEngine(dataDir, { kind: "comfyui", name: "studio-gpu", url: fake.url });
  const helper = await createHelper({ dataDir, port: 0, modelDirs: [TINY], log: silentLogger() });
  await helper.ready;
  return { fake, helper, client: await TestClient.authed(helper), dataDir, out };
}

export async function stopEngineRig(rig: Partial<EngineRig> | undefined): Promise<void> {
  rig?.client?.ws.close();
  if (rig?.helper) await stopHelper(rig.helper);
  await rig?.fake?.close();
}

type RequestInput = Parameters<typeof baseRequest>[0];

/** Sends generate requests with these defaults; each answer is its job id and where its messages start. */
export function submitter(rig: () => EngineRig, name: string, defaults: () => RequestInput) {
  let n = 0;
  return async (overrides: RequestInput = {}): Promise<{ jobId: string; from: number; binaryFrom: number }> => {
    const { client } = rig();
    const requestId = `${name}${++n}`;
    const from = client.messages.length;
    const binaryFrom = client.binary.length;
    client.send({ type: "generate", requestId, clientJobId: `${name}-${n}`, request: baseRequest({ ...defaults(), ...overrides }) });
    const accepted = await client.waitFor<HelperMessageOf<"job.accepted">>((m) => m.type === "job.accepted" && m.requestId === requestId, 15_000, from);
    return { jobId: accepted.jobId, from, binaryFrom };
  };
}

/** The job's last event: done, failed or cancelled. */
export function endOf(client: TestClient, jobId: string, from: number, ms = 60_000): Promise<HelperMessage> {
  return client.waitFor<HelperMessage>((m) => (m.type === "job.done" || m.type === "job.failed" || m.type === "job.cancelled") && m.jobId === jobId, ms, from);
}
