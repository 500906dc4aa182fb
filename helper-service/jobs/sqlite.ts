/**
 * One SQLite connection over whichever driver this Node has: Node's own node:sqlite where it is built in and
 * unflagged (22.13 and later, every 24), else better-sqlite3. The self-contained helper bundles Node 24, so it needs
 * no compiled module for its database on any platform; Node 20 (no node:sqlite) keeps using better-sqlite3.
 * Both drivers read and write the same file format, so a data folder moves freely between them.
 *
 * The surface is the part of better-sqlite3's the job store uses, with the same meaning.
 */
import type BetterSqlite3 from "better-sqlite3";
import { createRequire } from "node:module";

export type SqliteValue = null | number | bigint | string | Uint8Array;

export interface Statement {
  run(...params: SqliteValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: SqliteValue[]): unknown;
  all(...params: SqliteValue[]): unknown[];
}

export interface Connection {
  readonly driver: SqliteDriver;
  /** The database file. */
  readonly name: string;
  readonly open: boolean;
  exec(sql: string): void;
  prepare(sql: string): Statement;
  /** `PRAGMA <text>`; with `simple`, the first column of the first row. */
  pragma(text: string, options?: { simple?: boolean }): unknown;
  /** Wraps `fn` so each call runs in one transaction (a savepoint when nested), rolled back if it throws. */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  close(): void;
}

export type SqliteDriver = "node:sqlite" | "better-sqlite3";

export interface OpenOptions {
  readonly?: boolean;
  /** Force a driver (tests compare them); by default node:sqlite where available. */
  driver?: SqliteDriver;
}

/** What node:sqlite exposes that this module uses (the project's @types/node predates it). */
interface NodeSqliteStatement {
  run(...params: SqliteValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: SqliteValue[]): unknown;
  all(...params: SqliteValue[]): unknown[];
}
interface NodeSqliteDatabase {
  readonly isOpen?: boolean;
  exec(sql: string): void;
  prepare(sql: string): NodeSqliteStatement;
  close(): void;
}
interface NodeSqlite {
  DatabaseSync: new (path: string, options?: { readOnly?: boolean }) => NodeSqliteDatabase;
}

let nodeSqlite: NodeSqlite | null | undefined;

/**
 * node:sqlite when this Node has it without a flag. Loading it announces an ExperimentalWarning on Node 24; the
 * part used here (open, exec, prepared statements) has been stable since 22.5, so that one warning is not printed
 * into every command's output.
 */
export function loadNodeSqlite(): NodeSqlite | null {
  if (nodeSqlite !== undefined) return nodeSqlite;
  const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    if (/^SQLite is an experimental feature/.test(text)) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    const found = getBuiltin?.call(process, "node:sqlite") as NodeSqlite | undefined;
    nodeSqlite = found && typeof found.DatabaseSync === "function" ? found : null;
  } catch {
    nodeSqlite = null; // present but behind --experimental-sqlite (22.5 to 22.12)
  } finally {
    process.emitWarning = emitWarning;
  }
  return nodeSqlite;
}

/** The driver openSqlite uses by default here. */
export function defaultDriver(): SqliteDriver {
  return loadNodeSqlite() ? "node:sqlite" : "better-sqlite3";
}

export function openSqlite(path: string, options: OpenOptions = {}): Connection {
  const driver = options.driver ?? defaultDriver();
  return driver === "node:sqlite" ? openNodeSqlite(path, options) : openBetterSqlite(path, options);
}

function openBetterSqlite(path: string, options: OpenOptions): Connection {
  // loaded only here: its compiled module exists for one Node ABI, and a Node with node:sqlite never needs it
  const require = createRequire(import.meta.url);
  const Database = require("better-sqlite3") as typeof BetterSqlite3;
  const db = new Database(path, { readonly: options.readonly ?? false });
  return {
    driver: "better-sqlite3",
    name: db.name,
    get open() {
      return db.open;
    },
    exec: (sql) => void db.exec(sql),
    prepare: (sql) => db.prepare<SqliteValue[]>(sql),
    pragma: (text, pragmaOptions) => db.pragma(text, pragmaOptions),
    transaction: (fn) => db.transaction(fn),
    close: () => void db.close(),
  };
}

function openNodeSqlite(path: string, options: OpenOptions): Connection {
  const sqlite = loadNodeSqlite();
  if (!sqlite) throw new Error(`node:sqlite is not available in Node ${process.version}; use better-sqlite3.`);
  const db = new sqlite.DatabaseSync(path, { readOnly: options.readonly ?? false });
  let open = true;
  let depth = 0;
  const connection: Connection = {
    driver: "node:sqlite",
    name: path,
    get open() {
      return open;
    },
    exec: (sql) => db.exec(sql),
    prepare: (sql) => db.prepare(sql),
    pragma(text, pragmaOptions) {
      const rows = db.prepare(`PRAGMA ${text}`).all() as Record<string, unknown>[];
      if (!pragmaOptions?.simple) return rows;
      const first = rows[0];
      return first === undefined ? undefined : Object.values(first)[0];
    },
    transaction(fn) {
      return (...args) => {
        // better-sqlite3's semantics: the outermost call is a transaction, inner calls are savepoints
        const savepoint = `tessera_${depth}`;
        db.exec(depth === 0 ? "BEGIN" : `SAVEPOINT ${savepoint}`);
        depth++;
        try {
          const result = fn(...args);
          depth--;
          db.exec(depth === 0 ? "COMMIT" : `RELEASE ${savepoint}`);
          return result;
        } catch (error) {
          depth--;
          db.exec(depth === 0 ? "ROLLBACK" : `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
          throw error;
        }
      };
    },
    close() {
      if (!open) return;
      db.close();
      open = false;
    },
  };
  return connection;
}
