// One line per connection state: what is going on, why, and what to do about it.
import { HELPER_PORTS } from "../client/ports.js";
import type { ConnectionState } from "../client/connection-state.js";
import { updateAdvice } from "../../shared/compat.js";
import { PROTOCOL_VERSION } from "../../shared/protocol.js";
import { PANEL_VERSION } from "../version.js";

export type Tone = "ok" | "busy" | "warn" | "error";

export interface ConnectionLine {
  tone: Tone;
  title: string;
  cause: string;
  fix: string;
}

const portRange = `${HELPER_PORTS[0]}–${HELPER_PORTS[HELPER_PORTS.length - 1]}`;
const inSeconds = (ms: number) => `${Math.max(1, Math.round(ms / 1000))} s`;

export function describeConnection(state: ConnectionState): ConnectionLine {
  switch (state.kind) {
    case "idle":
      return { tone: "busy", title: "Not connected", cause: "The panel has not looked for the helper yet.", fix: "" };
    case "searching":
      return { tone: "busy", title: "Looking for the helper…", cause: `Trying ports ${portRange} on this computer.`, fix: "" };
    case "unreachable":
      return {
        tone: "error",
        title: "Helper not running",
        cause: `No Tessera helper answers on ports ${state.ports.join(", ")}.`,
        fix:
          "Double-click Tessera Helper in the folder you unpacked it to (or run `tessera serve`; `npm start` in a checkout) " +
          `and keep it running; \`tessera service install\` starts it at every login. Retrying in ${inSeconds(state.retryInMs)}.`,
      };
    case "needs-pairing":
      return {
        tone: "warn",
        title: "Pairing needed",
        cause:
          state.cause === "no-token"
            ? `This panel has no access token for the helper on port ${state.port} yet.`
            : `The helper on port ${state.port} refused this panel's token (it was reset, or it is another helper).`,
        fix: "Choose Get code, then type the 6 digits the helper prints (a helper started at login has no window: run `tessera pair` in its folder to see them).",
      };
    case "pairing":
      return {
        tone: state.error ? "error" : "warn",
        title: "Enter the pairing code",
        cause: state.error ?? `The helper on port ${state.port} printed a 6-digit code in its window.`,
        fix: "Codes are valid for 2 minutes; Get code again for a fresh one.",
      };
    case "connecting":
      return { tone: "busy", title: "Connecting…", cause: `Saying hello to the helper on port ${state.port}.`, fix: "" };
    case "connected":
      return {
        tone: "ok",
        title: "Connected",
        cause: `Helper ${state.welcome.version} on port ${state.port} · ${state.welcome.device} · panel ${PANEL_VERSION}`,
        fix: "",
      };
    case "reconnecting":
      return {
        tone: "warn",
        title: "Connection lost",
        cause: `The helper on port ${state.port} stopped answering (closed or restarting).`,
        fix: `Reconnecting in ${inSeconds(state.retryInMs)}; jobs keep running in the helper.`,
      };
    case "version-mismatch":
      return {
        tone: "error",
        title: "Version mismatch",
        cause: `The helper on port ${state.port} speaks protocol ${state.helperProtocol ?? "?"}${
          state.helperVersion ? ` (Tessera ${state.helperVersion})` : ""
        }; this panel (Tessera ${PANEL_VERSION}) speaks protocol ${PROTOCOL_VERSION}.`,
        fix: updateAdvice({
          panel: { protocol: PROTOCOL_VERSION, version: PANEL_VERSION },
          helper: { protocol: state.helperProtocol, version: state.helperVersion },
        }),
      };
    case "failed":
      return { tone: "error", title: "Connection failed", cause: state.message, fix: state.hint };
  }
}
