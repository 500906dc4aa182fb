/**
 * The job database (DATA_DIR/tessera.db): jobs, their transition journal and a full-text index of prompts, in one
 * SQLite file in WAL mode. Every state change commits before anyone hears about it, so a crash at any moment
 * leaves a consistent record to recover from.
 */
import { openSqlite, type Connection, type OpenOptions } from "./sqlite.js";

export type Db = Connection;

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE jobs (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id          TEXT NOT NULL UNIQUE,
    client_job_id   TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    phase           TEXT,
    fraction        REAL NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    prompt          TEXT NOT NULL,
    workflow        TEXT NOT NULL,
    project_id      TEXT,
    sequence_id     TEXT,
    request_json    TEXT NOT NULL,
    output_json     TEXT,
    error_json      TEXT,
    source_job_id   TEXT,
    created_at      TEXT NOT NULL,
    started_at      TEXT,
    finished_at     TEXT
  );
  CREATE INDEX jobs_by_state ON jobs (state, seq);
  CREATE INDEX jobs_by_project ON jobs (project_id, created_at);
  CREATE INDEX jobs_by_sequence ON jobs (sequence_id, created_at);
  CREATE INDEX jobs_by_created ON jobs (created_at);

  -- The journal: one row per transition, in the order they happened.
  CREATE TABLE job_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id    TEXT NOT NULL REFERENCES jobs (job_id),
    state     TEXT NOT NULL,
    phase     TEXT,
    attempt   INTEGER NOT NULL,
    detail    TEXT,
    at        TEXT NOT NULL
  );
  CREATE INDEX job_events_by_job ON job_events (job_id, id);

  CREATE VIRTUAL TABLE jobs_fts USING fts5 (
    prompt, content = 'jobs', content_rowid = 'seq', tokenize = 'unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
    INSERT INTO jobs_fts (rowid, prompt) VALUES (new.seq, new.prompt);
  END;
  CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
    INSERT INTO jobs_fts (jobs_fts, rowid, prompt) VALUES ('delete', old.seq, old.prompt);
  END;
  CREATE TRIGGER jobs_fts_update AFTER UPDATE OF prompt ON jobs BEGIN
    INSERT INTO jobs_fts (jobs_fts, rowid, prompt) VALUES ('delete', old.seq, old.prompt);
    INSERT INTO jobs_fts (rowid, prompt) VALUES (new.seq, new.prompt);
  END;
  `,
];

export function openDb(path: string, options: Pick<OpenOptions, "driver"> = {}): Db {
  const db = openSqlite(path, options);
  db.pragma("journal_mode = WAL");
  // FULL: a committed transition survives power loss too, not only a crashed process.
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new Error(`The job database ${db.name} was written by a newer Tessera (schema ${version}).`);
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
