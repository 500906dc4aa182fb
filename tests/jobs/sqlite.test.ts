/**
 * The job database on each SQLite driver this Node can load: node:sqlite (Node 22.13+, what the self-contained
 * helper runs on) and better-sqlite3 (Node 20, and wherever its compiled module matches this Node). Same
 * transactions, same pragmas, and one file readable by the other driver.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { openDb } from "../../helper-service/jobs/db.js";
import { defaultDriver, openSqlite, type SqliteDriver } from "../../helper-service/jobs/sqlite.js";
import { JobStore } from "../../helper-service/jobs/store.js";
import { GenerationRequestSchema } from "../../shared/protocol.js";
import { baseRequest, tempDir } from "../server/support.js";

const nodeMajor = Number(process.versions.node.split(".")[0]);

function loads(driver: SqliteDriver): boolean {
  try {
    openSqlite(":memory:", { driver }).close();
    return true;
  } catch {
    return false; // node:sqlite absent, or better-sqlite3 compiled for another Node
  }
}

const drivers = (["node:sqlite", "better-sqlite3"] as const).filter(loads);

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("the default driver is node:sqlite from Node 22.13 on and better-sqlite3 before", () => {
  const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
  const expected = major > 22 || (major === 22 && minor >= 13) ? "node:sqlite" : "better-sqlite3";
  expect(defaultDriver()).toBe(expected);
  expect(drivers).toContain(expected);
  if (nodeMajor < 22) expect(loads("node:sqlite")).toBe(false);
});

describe.each(drivers.map((driver) => [driver]))("%s", (driver) => {
  test("migrates, journals in WAL mode and keeps the FTS index in step", () => {
    const db = openDb(join(dir, "tessera.db"), { driver });
    expect(db.driver).toBe(driver);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("user_version", { simple: true })).toBe(1);
    const store = new JobStore(db);
    const request = GenerationRequestSchema.parse(baseRequest({ prompt: "harbour at dawn, slow push in" }));
    const job = store.create({ jobId: "00000000-0000-4000-8000-000000000001", clientJobId: "c-1", request });
    expect(store.get(job.jobId)?.state).toBe("queued");
    const hits = db.prepare("SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?").all("harbour");
    expect(hits).toHaveLength(1);
    db.close();
    expect(db.open).toBe(false);
  });

  test("a transaction that throws leaves nothing behind; a nested one rolls back only itself", () => {
    const db = openSqlite(join(dir, "t.db"), { driver });
    db.exec("CREATE TABLE t (x INTEGER)");
    const insert = db.prepare("INSERT INTO t (x) VALUES (?)");
    const count = () => (db.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n;
    expect(() =>
      db.transaction(() => {
        insert.run(1);
        throw new Error("disk full");
      })(),
    ).toThrow("disk full");
    expect(count()).toBe(0);
    db.transaction(() => {
      insert.run(2);
      expect(() =>
        db.transaction(() => {
          insert.run(3);
          throw new Error("inner");
        })(),
      ).toThrow("inner");
    })();
    expect((db.prepare("SELECT x FROM t").all() as { x: number }[]).map((r) => r.x)).toEqual([2]);
    db.close();
  });

  test("a read-only connection refuses writes", () => {
    openSqlite(join(dir, "r.db"), { driver }).close();
    const db = openSqlite(join(dir, "r.db"), { driver, readonly: true });
    expect(() => db.exec("CREATE TABLE t (x INTEGER)")).toThrow(/readonly|read-only/i);
    db.close();
  });
});

(drivers.length === 2 ? test : test.skip)("a database written by one driver opens with the other", () => {
  const path = join(dir, "tessera.db");
  const first = new JobStore(openDb(path, { driver: "better-sqlite3" }));
  const request = GenerationRequestSchema.parse(baseRequest({ prompt: "a fox in snow" }));
  first.create({ jobId: "00000000-0000-4000-8000-000000000002", clientJobId: "c-2", request });
  first.db.close();
  const second = new JobStore(openDb(path, { driver: "node:sqlite" }));
  expect(second.get("00000000-0000-4000-8000-000000000002")?.request.prompt).toBe("a fox in snow");
  second.db.close();
});
