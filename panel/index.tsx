/**
 * The panel inside Premiere Pro: the real host (premiere.ts), the access token in UXP's secure storage, settings
 * and the job ledger in UXP's localStorage, and UXP's global WebSocket.
 */
import { createRoot } from "react-dom/client";
import { HelperConnection, type SocketLike } from "./client/connection.js";
import { secureTokenStore, type SecureStorageLike } from "./client/token-store.js";
import { loadPremiere, PremiereHost } from "./host/premiere.js";
import { PanelModel } from "./model/panel-model.js";
import { loadSettings } from "./model/settings.js";
import { App } from "./ui/App.js";
import { PANEL_VERSION } from "./version.js";

interface UxpFile {
  nativePath: string;
  write(data: string, options?: { format?: unknown }): Promise<unknown>;
}
interface UxpModule {
  storage: {
    secureStorage: SecureStorageLike;
    localFileSystem: { getFileForSaving(name: string, options?: { types?: string[] }): Promise<UxpFile | null | undefined> };
    formats: { utf8: unknown };
  };
}
interface UxpFs {
  mkdir(path: string, options?: { recursive?: boolean }): Promise<unknown>;
  lstat(path: string): Promise<unknown>;
}

/* eslint-disable @typescript-eslint/no-require-imports -- UXP exposes its modules only through require */
const uxp = require("uxp") as UxpModule;
const fs = require("fs") as UxpFs;
/* eslint-enable @typescript-eslint/no-require-imports */

const store = window.localStorage;
const host = new PremiereHost(loadPremiere(), {
  makeFolder: async (path) => {
    try {
      await fs.mkdir(path, { recursive: true });
    } catch {
      // already there; if it is truly missing, the frame export fails and the workflow uses the media instead
    }
  },
  fileExists: (path) => fs.lstat(path).then(
    () => true,
    () => false,
  ),
  // a save dialog: the editor picks where the log goes, so they can find it to send
  saveFile: async (name, text) => {
    const file = await uxp.storage.localFileSystem.getFileForSaving(name, { types: ["log", "txt"] });
    if (!file) return null;
    await file.write(text, { format: uxp.storage.formats.utf8 });
    return file.nativePath;
  },
});
const connection = new HelperConnection({
  createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
  tokens: secureTokenStore(uxp.storage.secureStorage),
  preferredPort: loadSettings(store).port,
  client: { name: "premiere-panel", version: PANEL_VERSION },
});
const model = new PanelModel({ host, connection, store });
model.start();

const root = document.getElementById("root");
if (root) createRoot(root).render(<App model={model} />);
