/**
 * `tessera pair`: prints the pairing code a panel should type. It shows the code the running helper holds, or
 * asks the helper for a fresh one (the same `pair.request` a panel sends), then reads it from DATA_DIR/pairing.json.
 */
import { existsSync, readFileSync } from "node:fs";
import WebSocket from "ws";
import { z } from "zod";
import { TesseraError } from "../../shared/errors.js";
import { parseHelperMessage } from "../../shared/parse.js";
import { dataPaths } from "../server/data-dir.js";
import { runningHelper } from "../server/instance.js";
import { dataDirOf } from "./common.js";

const PairingFileSchema = z.object({ code: z.string().regex(/^\d{6}$/), expiresAt: z.number() });

function currentCode(path: string): z.infer<typeof PairingFileSchema> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const parsed = PairingFileSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
    return parsed.success && parsed.data.expiresAt > Date.now() ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Sends pair.request and waits for the code file, or the helper's refusal (pairing paused). */
async function requestCode(port: number, path: string): Promise<z.infer<typeof PairingFileSchema>> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  try {
    await new Promise<void>((res, rej) => {
      ws.once("open", () => res());
      ws.once("error", rej);
    });
    let refusal: TesseraError | undefined;
    ws.on("message", (data) => {
      const parsed = parseHelperMessage(data.toString());
      if (parsed.ok && parsed.message.type === "error") {
        refusal = new TesseraError(parsed.message.code, undefined, { hint: parsed.message.hint });
        refusal.message = parsed.message.message;
      }
    });
    ws.send(JSON.stringify({ type: "pair.request" }));
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (refusal) throw refusal;
      const code = currentCode(path);
      if (code) return code;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new TesseraError("E_HELPER_UNREACHABLE", "The helper made no pairing code.");
  } finally {
    ws.close();
  }
}

export async function pairCommand(options: { dataDir?: string }): Promise<void> {
  const dataDir = await dataDirOf(options.dataDir);
  const paths = dataPaths(dataDir);
  const helper = runningHelper(paths.instance);
  if (!helper) throw new TesseraError("E_HELPER_UNREACHABLE", `No helper is running with the data folder ${dataDir}.`);
  const code = currentCode(paths.pairing) ?? (await requestCode(helper.port, paths.pairing));
  const seconds = Math.max(1, Math.round((code.expiresAt - Date.now()) / 1000));
  process.stdout.write(`pairing code: ${code.code} (valid for ${seconds} s)\n`);
  process.stdout.write(`type it into the Tessera panel to connect it to the helper on port ${helper.port}\n`);
}
