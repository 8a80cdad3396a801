// Several processes on one library: overlapping write transactions neither fail with SQLITE_BUSY
// nor lose a write; the lock file keeps a second app/server instance out.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/main/db/index';
import { acquireLibraryLock } from '../../src/main/db/lock';
import { tempDir } from '../helpers/tmp';
import { sql } from '../helpers/sql';

const dir = tempDir();

function writer(
  db: string,
  imageId: number,
  count: number,
  tag: string,
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [
      '--import',
      'tsx',
      'test/helpers/writer.ts',
      db,
      String(imageId),
      String(count),
      tag,
    ]);
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

describe('two processes, one library', () => {
  it('overlapping write transactions all land, with no SQLITE_BUSY', async () => {
    const db = join(dir, 'shared.db');
    const store = openStore(db);
    const img = store.images.upsert({ hash: 'x', path: '/x.jpg', width: 1, height: 1 }).image.id;
    store.close();
    const [a, b] = await Promise.all([writer(db, img, 150, 'A'), writer(db, img, 150, 'B')]);
    expect(a.err + b.err).toBe('');
    expect([JSON.parse(a.out), JSON.parse(b.out)]).toEqual([
      { tag: 'A', errors: 0 },
      { tag: 'B', errors: 0 },
    ]);
    const check = openStore(db);
    const texts = check.captions.ofImage(img).map((c) => c.text);
    expect(texts).toHaveLength(300);
    expect(new Set(texts).size).toBe(300);
    expect((sql(check).prepare('SELECT count(*) AS n FROM caption_history').get() as { n: number }).n).toBe(
      300,
    );
    check.close();
  }, 60_000);

  it('a second instance cannot take the library lock; a stale lock is taken over', async () => {
    const db = join(dir, 'locked.db');
    const release = acquireLibraryLock(db);
    // The same process asking again is a stale-looking lock of its own pid: refuse only other live pids.
    const other = spawn(process.execPath, [
      '--import',
      'tsx',
      '-e',
      `import('./src/main/db/lock.ts').then(m => { try { m.acquireLibraryLock(${JSON.stringify(db)}); console.log('took') } catch (e) { console.log(e.message) } })`,
    ]);
    let out = '';
    other.stdout.on('data', (d) => (out += d));
    await new Promise((r) => other.on('close', r));
    expect(out).toMatch(/open in another Caption Studio \(process \d+\)/);
    release();
    // A lock left by a dead process is taken over.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${db}.lock`, '999999');
    const again = acquireLibraryLock(db);
    again();
  }, 30_000);
});
