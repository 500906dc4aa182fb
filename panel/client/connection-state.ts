// The connection as one state at a time; the UI shows one line per state with its cause and fix.
import type { HelperMessageOf } from "../../shared/protocol.js";

export type Welcome = HelperMessageOf<"welcome">;

export type ConnectionState =
  | { kind: "idle" }
  /** Probing the helper ports. */
  | { kind: "searching" }
  /** No port answered: the helper is not running (or something blocks loopback). */
  | { kind: "unreachable"; ports: number[]; retryInMs: number }
  /** A helper answered but this panel has no token, or its token was refused. */
  | { kind: "needs-pairing"; port: number; cause: "no-token" | "token-refused" }
  /** A code was requested; the user types the 6 digits the helper shows. */
  | { kind: "pairing"; port: number; error: string | null }
  /** Saying hello with the stored token. */
  | { kind: "connecting"; port: number }
  | { kind: "connected"; port: number; welcome: Welcome }
  /** The connection dropped; trying again. */
  | { kind: "reconnecting"; port: number; retryInMs: number }
  /** The helper speaks another protocol version. */
  | { kind: "version-mismatch"; port: number; helperProtocol: number | null; helperVersion: string | null }
  | { kind: "failed"; port: number | null; message: string; hint: string };

export type ConnectionKind = ConnectionState["kind"];
