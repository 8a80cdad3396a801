// Opens a library database: WAL, foreign keys, busy timeout, forward-only migrations in one
// transaction with a backup copy made first; a database newer than this code is refused.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from '../../shared/result';
import { libraryError } from './errors';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations/index';

export type Db = Database.Database;

export interface OpenOptions {
  /** Migrations to apply (tests pass a prefix of the list to build older versions). */
  migrations?: readonly Migration[];
  /** Path of the native addon to load (the Electron build of better-sqlite3). */
  nativeBinding?: string;
  /** How long a writer waits for another process's write transaction, in ms. */
  busyTimeoutMs?: number;
}

/** Opens (and migrates) a library; a damaged, read-only or unreachable one is an AppError that says what to do. */
export function openDatabase(path: string, opts: OpenOptions = {}): Db {
  try {
    return open(path, opts);
  } catch (e) {
    throw libraryError(e, path) ?? e;
  }
}

function open(path: string, opts: OpenOptions): Db {
  const migrations = opts.migrations ?? MIGRATIONS;
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const existed = path !== ':memory:' && existsSync(path);
  // The Electron app builds better-sqlite3 for Electron's ABI and names it in this variable, which
  // its worker processes (Electron in Node mode) inherit.
  const binding = opts.nativeBinding ?? process.env.CAPTION_STUDIO_SQLITE_BINDING;
  const db = new Database(path, binding ? { nativeBinding: binding } : {});
  try {
    db.pragma(`busy_timeout = ${Math.floor(opts.busyTimeoutMs ?? 10_000)}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, path, existed, migrations);
    // A library that cannot be written (read-only file, folder or disk) is said so now, not at the first edit.
    // (Rewriting user_version to its value is a write that the rollback undoes.)
    if (path !== ':memory:') probeWritable(db);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

function probeWritable(db: Db): void {
  try {
    db.exec(`BEGIN IMMEDIATE; PRAGMA user_version = ${schemaVersion(db)}; ROLLBACK`);
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db, path: string, existed: boolean, migrations: readonly Migration[]): void {
  const target = migrations.length;
  const current = schemaVersion(db);
  if (current > SCHEMA_VERSION || current > target) {
    throw new AppError(
      'unsupported',
      `The library ${path} was written by a newer Caption Studio (schema ${current}; this version knows ` +
        `${SCHEMA_VERSION}). Update Caption Studio, or open another library with --db FILE.`,
    );
  }
  if (current === target) return;
  if (existed && current > 0) backup(db, path, current);
  const apply = db.transaction(() => {
    for (const m of migrations.slice(current)) db.exec(m.up);
    db.pragma(`user_version = ${target}`);
  });
  apply.immediate();
}

/** Copies the database before a migration: `<file>.v<N>-<timestamp>.bak`. */
function backup(db: Db, path: string, version: number): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dest = `${path}.v${version}-${stamp}.bak`;
  db.prepare('VACUUM INTO ?').run(dest);
  return dest;
}
