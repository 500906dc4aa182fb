/** What request handling needs from the running helper, in one place. */
import type { EngineState, ModelInfo } from "../../shared/protocol.js";
import type { JobQueue } from "../jobs/queue.js";
import type { JobStore } from "../jobs/store.js";
import type { AuditLog } from "../safety/audit.js";
import type { PromptPolicy } from "../safety/policy.js";
import type { Logger } from "./log.js";
import type { Pairing } from "./pairing.js";

export interface HelperContext {
  version: string;
  token: string;
  log: Logger;
  audit: AuditLog;
  pairing: Pairing;
  queue: JobQueue;
  store: JobStore;
  policy: PromptPolicy;
  /** The device that runs and the installed models, as last reported by the generator process. */
  system(): { device: string; models: ModelInfo[]; threads: number; ready: boolean };
  /** Waits (at most `timeoutMs`) for the generator process to report its device and models. */
  whenReady(timeoutMs: number): Promise<void>;
  /** The models as installed now (re-listed by the generator process). */
  refreshModels(): Promise<ModelInfo[]>;
  /** The engine servers and their state (checked now, a few seconds at most). */
  engines?(): Promise<EngineState[]>;
}
