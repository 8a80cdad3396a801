// Opening a library from the command line and `serve`: the lock is taken before the library is
// opened (a locked library is never migrated by a second instance), and a damaged, cut-short,
// not-a-database or read-only library gives a sentence saying what to do, not an SqliteError stack.
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src/main/db/connection';
import { libraryError } from '../../src/main/db/errors';
import { acquireLibraryLock } from '../../src/main/db/lock';
import { MIGRATIONS } from '../../src/main/db/migrations/index';
import { createCore } from '../../src/main/services/index';
import { tempDir } from '../helpers/tmp';

const dir = tempDir();
const renderer = join(dir, 'renderer');
mkdirSync(renderer, { recursive: true });
writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>app</title>');

function cli(args: string[], timeoutMs = 30_000): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['bin/caption-studio.js', ...args]);
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => p.kill('SIGTERM'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/** A library with a few images, written and closed. */
function library(name: string): string {
  const path = join(dir, name, 'library.db');
  mkdirSync(join(dir, name), { recursive: true });
  const core = createCore({ dbPath: path });
  for (let i = 0; i < 300; i++)
    core.store.images.upsert({ hash: `h${i}`, path: `/photos/${i}.jpg`, width: 1, height: 1 });
  core.close();
  return path;
}

describe('serve and the library lock', () => {
  it('a second serve on a locked library stops before opening it (no migration, no backup)', async () => {
    const path = join(dir, 'old', 'library.db');
    mkdirSync(join(dir, 'old'));
    openDatabase(path, { migrations: MIGRATIONS.slice(0, 2) }).close();
    const release = acquireLibraryLock(path);
    try {
      const r = await cli(['serve', '--db', path, '--renderer', renderer]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/open in another Caption Studio \(process \d+\)/);
      const db = new Database(path, { readonly: true });
      expect(schemaVersion(db)).toBe(2);
      db.close();
      expect(readdirSync(join(dir, 'old')).filter((f) => f.endsWith('.bak'))).toEqual([]);
    } finally {
      release();
    }
  }, 60_000);
});

describe('a library that cannot be used says what to do', () => {
  const damaged = (): Record<string, string> => {
    const good = library('good');
    const cut = join(dir, 'cut.db');
    copyFileSync(good, cut);
    truncateSync(cut, Math.floor(statSync(cut).size / 3));
    const notDb = join(dir, 'notes.db');
    writeFileSync(notDb, 'my shopping list\n'.repeat(400));
    const overwritten = join(dir, 'overwritten.db');
    copyFileSync(good, overwritten);
    const bytes = Buffer.alloc(statSync(overwritten).size, 0xa5);
    bytes.set(Buffer.from('SQLite format 3\0'), 0);
    writeFileSync(overwritten, Buffer.concat([readHead(good), bytes.subarray(4096)]));
    return { cut, notDb, overwritten };
  };

  it('on the command line and in serve: a sentence, no SqliteError stack', async () => {
    const files = damaged();
    const expected: Record<string, RegExp> = {
      cut: /is damaged \(cut short or overwritten\).*backup/,
      notDb: /is not a Caption Studio library: it is not an SQLite database/,
      overwritten: /is damaged \(cut short or overwritten\)/,
    };
    for (const [name, path] of Object.entries(files)) {
      for (const args of [
        ['health', '--db', path],
        ['serve', '--db', path, '--renderer', renderer],
      ]) {
        const r = await cli(args);
        expect(r.code, `${args[0]} ${name}: ${r.err}`).toBe(1);
        expect(r.err, `${args[0]} ${name}`).toMatch(expected[name]);
        expect(r.err).not.toMatch(/SqliteError|\n\s+at /);
      }
    }
  }, 120_000);

  it('a read-only library is said to be read-only when it is opened, not at the first edit', () => {
    const path = library('ro');
    // As root, file permissions do not stop a write; a read-only connection fails the same way.
    const ro = new Database(path, { readonly: true });
    let err: unknown;
    try {
      ro.exec(`BEGIN IMMEDIATE; PRAGMA user_version = ${schemaVersion(ro)}; ROLLBACK`);
    } catch (e) {
      err = e;
    }
    ro.close();
    expect(libraryError(err, path)?.message).toMatch(/cannot write the library .*read-only.*writable folder/);
    // The real thing: a file this user may not write (as root: an immutable file, where chattr works).
    const root = process.getuid?.() === 0;
    if (!root) chmodSync(path, 0o444);
    const readOnly = !root || spawnSync('chattr', ['+i', path]).status === 0;
    try {
      if (readOnly) expect(() => openDatabase(path)).toThrow(/cannot write the library .*read-only/);
    } finally {
      if (root && readOnly) spawnSync('chattr', ['-i', path]);
    }
  });

  it('errors met after opening become the same sentences (API calls)', async () => {
    const path = library('later');
    const core = createCore({ dbPath: path });
    // Damage the file under the open library, as a failing disk or another program might.
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(statSync(path).size - 4096, 0x5a), 0, undefined, 4096);
    closeSync(fd);
    const r = await core.dispatch('library.list', { limit: 1000 });
    core.close();
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('io');
      expect(r.error.message).toMatch(/is damaged/);
    }
  });
});

const readHead = (path: string): Buffer => readFileSync(path).subarray(0, 4096);
