/**
 * The browser harness: the real panel UI and workflows against the simulated host, talking to the helper that
 * served this page. The token arrives in window.__TESSERA_BOOT__ and is kept in localStorage like a paired panel's.
 */
import { createRoot } from "react-dom/client";
import { HelperConnection, type SocketLike } from "../client/connection.js";
import { storageTokenStore } from "../client/token-store.js";
import { SimulatedHost } from "../host/simulated.js";
import { PanelModel } from "../model/panel-model.js";
import { PANEL_VERSION } from "../version.js";
import { readBoot } from "./boot.js";
import { AeHarnessPage } from "./ae/AeHarnessPage.js";
import { isAfterEffectsPage, startAfterEffects } from "./ae/start.js";
import { createDemoHost, HarnessMediaSchema, type HarnessMedia } from "./demo.js";
import { HarnessPage } from "./HarnessPage.js";

declare global {
  interface Window {
    __TESSERA_BOOT__?: unknown;
  }
}

async function loadMedia(): Promise<HarnessMedia | null> {
  try {
    const response = await fetch("./media.json", { cache: "no-store" });
    if (!response.ok) return null;
    const parsed = HarnessMediaSchema.safeParse(await response.json());
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const boot = readBoot(window.__TESSERA_BOOT__);
  const tokens = storageTokenStore(window.localStorage);
  if (boot) await tokens.set(boot.token);
  const media = await loadMedia();
  const ae = isAfterEffectsPage(window.location.search) ? await startAfterEffects(media) : null;
  const host = ae?.host ?? createDemoHost(media);
  const connection = new HelperConnection({
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    tokens,
    preferredPort: boot?.port ?? null,
    client: { name: "harness", version: PANEL_VERSION },
  });
  const model = new PanelModel({ host, connection, store: window.localStorage });
  model.start();
  const root = document.getElementById("root");
  if (!root) return;
  if (ae) createRoot(root).render(<AeHarnessPage ae={ae.ae} comp={ae.comp} watcher={ae.watcher} model={model} />);
  else if (host instanceof SimulatedHost) createRoot(root).render(<HarnessPage host={host} model={model} media={media} />);
}

void main();
