// Entry of the self-contained helper that `npm run dist` packs: the bundle beside it, always (the archive carries no
// sources to prefer), started the same way bin/tessera.js starts it.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runBundle } from "./standby-child.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
await runBundle(join(root, "dist", "helper", "cli.mjs"), process.argv[2]);
