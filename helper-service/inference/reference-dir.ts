/**
 * Where the shipped reference model lives (models/reference). A module of its own, so the CLI and `serve` can
 * find it without loading onnxruntime, which the registry pulls in.
 */
import { fileURLToPath } from "node:url";

export const REFERENCE_DIR = fileURLToPath(new URL("../../models/reference", import.meta.url));
