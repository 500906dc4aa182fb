/**
 * The panel inside After Effects (CEP 12): the same UI, client and workflows as in Premiere, with the host adapter
 * for After Effects over ExtendScript. CEP is a full Chromium, so the WebSocket is the page's own; the token and
 * settings live in the page's localStorage (CEP has no secure storage without Node, which this panel does not
 * enable).
 */
import { createRoot } from "react-dom/client";
import { HelperConnection, type SocketLike } from "../client/connection.js";
import { storageTokenStore } from "../client/token-store.js";
import { AfterEffectsHost } from "../host/aftereffects.js";
import { JsxBridge } from "../host/aftereffects/bridge.js";
import { PanelModel } from "../model/panel-model.js";
import { loadSettings } from "../model/settings.js";
import { App } from "../ui/App.js";
import { PANEL_VERSION } from "../version.js";
import { adobeCep, cepEval, extensionFolder, hostScriptLoader } from "./runtime.js";

const root = document.getElementById("root");
const cep = adobeCep();
if (!cep) {
  if (root) root.textContent = "Tessera for After Effects runs inside After Effects (Window > Extensions > Tessera).";
} else {
  const store = window.localStorage;
  const bridge = new JsxBridge(cepEval(cep), { loader: hostScriptLoader(extensionFolder(cep)) });
  const host = new AfterEffectsHost(bridge);
  const connection = new HelperConnection({
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    tokens: storageTokenStore(store),
    preferredPort: loadSettings(store).port,
    client: { name: "aftereffects-panel", version: PANEL_VERSION },
  });
  const model = new PanelModel({ host, connection, store });
  model.start();
  if (root) createRoot(root).render(<App model={model} />);
}
