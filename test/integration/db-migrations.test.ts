// Migrations on real SQLite files: empty, each older version, a newer database refused, backups.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src/main/db/connection';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/main/db/migrations/index';
import { tempDir } from '../helpers/tmp';

const dir = tempDir();

describe('migrations', () => {
  it('brings an empty database to the current schema with WAL, foreign keys and STRICT tables', () => {
    const db = openDatabase(join(dir, 'empty.db'));
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const strict = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'captions'").get() as {
      sql: string;
    };
    expect(strict.sql).toMatch(/STRICT/);
    expect(() =>
      db
        .prepare("INSERT INTO images (hash, path, width, height, added_at) VALUES ('h', 'p', 'wide', 1, 1)")
        .run(),
    ).toThrow(/cannot store TEXT value in INTEGER column/);
    db.close();
  });

  it('upgrades every older version, keeping its data and a backup copy', () => {
    // The real older versions, plus the current one against a list with one more migration
    // (what the next release will do to today's libraries).
    const next = [
      ...MIGRATIONS,
      { version: SCHEMA_VERSION + 1, name: 'next', up: 'CREATE TABLE next_one (x INTEGER) STRICT;' },
    ];
    const cases = [
      ...Array.from({ length: SCHEMA_VERSION - 1 }, (_, i) => ({ from: i + 1, list: MIGRATIONS })),
      { from: SCHEMA_VERSION, list: next },
    ];
    for (const { from, list } of cases) {
      const path = join(dir, `v${from}-of-${list.length}.db`);
      const old = openDatabase(path, { migrations: MIGRATIONS.slice(0, from) });
      old
        .prepare("INSERT INTO images (hash, path, width, height, added_at) VALUES ('h1', '/a.jpg', 4, 3, 1)")
        .run();
      old.close();
      const db = openDatabase(path, { migrations: list });
      expect(schemaVersion(db)).toBe(list.length);
      expect(db.prepare('SELECT count(*) AS n FROM images').get()).toEqual({ n: 1 });
      db.close();
      const backups = readdirSync(dir).filter((f) => f.startsWith(`v${from}-of-${list.length}.db.v${from}-`));
      expect(backups).toHaveLength(1);
      const copy = new Database(join(dir, backups[0]), { readonly: true });
      expect(copy.pragma('user_version', { simple: true })).toBe(from);
      copy.close();
    }
  });

  it('makes no backup for a new database, and none when already current', () => {
    const path = join(dir, 'fresh.db');
    openDatabase(path).close();
    openDatabase(path).close();
    expect(readdirSync(dir).filter((f) => f.startsWith('fresh.db.v'))).toEqual([]);
  });

  it('refuses a database written by a newer version, saying what to do', () => {
    const path = join(dir, 'future.db');
    openDatabase(path).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    raw.close();
    expect(() => openDatabase(path)).toThrow(
      /newer Caption Studio.*Update Caption Studio, or open another library/,
    );
    expect(existsSync(path)).toBe(true);
  });
});
