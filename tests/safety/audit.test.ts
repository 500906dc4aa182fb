/** The audit log: JSON lines, appended (never rewritten), user-only, never holding a token. */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { AuditLog, promptSummary } from "../../helper-service/safety/audit.js";
import { tempDir } from "../server/support.js";

test("records are appended as JSON lines across reopenings, and forbidden keys are dropped", () => {
  const path = join(tempDir(), "audit.log");
  const first = new AuditLog(path);
  first.write({ event: "request", clientJobId: "a", prompt: "a fox", seed: 1 });
  first.write({ event: "refused", clientJobId: "a", code: "E_POLICY", reason: "rule" });
  first.close();
  const second = new AuditLog(path);
  second.write({ event: "done", jobId: "j", token: "secret-token" } as never);
  second.close();
  const lines = readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines.map((l) => l.event)).toEqual(["request", "refused", "done"]);
  expect(lines.every((l) => typeof l.at === "string")).toBe(true);
  expect(readFileSync(path, "utf8")).not.toContain("secret-token");
  if (process.platform !== "win32") expect(statSync(path).mode & 0o777).toBe(0o600);
});

test("the normal log sees a prompt only as length and short hash", () => {
  const summary = promptSummary("a very private prompt");
  expect(summary.promptChars).toBe(21);
  expect(summary.promptHash).toMatch(/^[0-9a-f]{12}$/);
  expect(JSON.stringify(summary)).not.toContain("private");
});
