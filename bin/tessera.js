#!/usr/bin/env node
// Runs the helper's TypeScript directly (through tsx), so a fresh clone works right after `npm ci`.
import { register } from "tsx/esm/api";

register();
await import("../helper-service/cli.ts");
