// Several processes on one library: overlapping write transactions neither fail with SQLITE_BUSY
// nor lose a write; the lock file keeps a second app/server instance out.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
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
    writeFileSync(`${db}.lock`, '999999');
    const again = acquireLibraryLock(db);
    again();
  }, 30_000);

  it('processes racing for a library whose last owner died: exactly one takes it, every round', async () => {
    const db = join(dir, 'raced.db');
    writeFileSync(`${db}.lock`, '999999'); // left by a process that is gone
    const rounds = 12;
    const slot = 1000;
    const goFile = join(dir, 'raced.go'); // the start time, written once every racer is ready
    // Each racer, at the start of each slot, asks for the lock; a winner holds it for most of the slot,
    // then lets go the way a crash would look (a dead pid left in the lock file). A racer the busy
    // machine woke too late for a slot sits that round out (it would meet a lock already let go).
    const script = `
      const { existsSync, readFileSync, writeFileSync } = await import('node:fs');
      const m = await import('./src/main/db/lock.ts');
      console.log('ready');
      while (!existsSync(${JSON.stringify(goFile)})) await new Promise((ok) => setTimeout(ok, 20));
      const go = Number(readFileSync(${JSON.stringify(goFile)}, 'utf8'));
      for (let r = 0; r < ${rounds}; r++) {
        const at = go + r * ${slot};
        await new Promise((ok) => setTimeout(ok, at - 5 - Date.now()));
        while (Date.now() < at) {}
        if (Date.now() > at + 300) {
          console.log('round ' + r + ' late');
          continue;
        }
        try {
          const release = m.acquireLibraryLock(${JSON.stringify(db)});
          console.log('round ' + r + ' took');
          await new Promise((ok) => setTimeout(ok, at + ${slot} - 200 - Date.now()));
          release();
          writeFileSync(${JSON.stringify(db + '.lock')}, '999999');
        } catch (e) {
          console.log('round ' + r + ' ' + (/another Caption Studio/.test(e.message) ? 'busy' : e.message));
        }
      }`;
    let ready = 0;
    const racers = Array.from({ length: 5 }, () => {
      const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
      let out = '';
      p.stdout.on('data', (d) => {
        out += d;
        if (String(d).includes('ready') && ++ready === 5) writeFileSync(goFile, String(Date.now() + 500));
      });
      p.stderr.on('data', (d) => (out += d));
      return new Promise<string>((r) => p.on('close', () => r(out)));
    });
    const outs = await Promise.all(racers);
    for (let r = 0; r < rounds; r++) {
      const lines = outs.map(
        (o) => o.split('\n').find((l) => l.startsWith(`round ${r} `)) ?? `round ${r} missing: ${o}`,
      );
      const why = `round ${r}: ${lines.join(' | ')}`;
      expect(
        lines.filter((l) => l.endsWith('took')),
        why,
      ).toHaveLength(1);
      const late = lines.filter((l) => l.endsWith('late')).length;
      expect(
        lines.filter((l) => l.endsWith('busy')),
        why,
      ).toHaveLength(4 - late);
      expect(late, why).toBeLessThanOrEqual(3); // at least two raced
    }
  }, 90_000);

  it('a lock held by a process killed with SIGKILL is free at once', async () => {
    const db = join(dir, 'killed.db');
    const holder = spawn(process.execPath, [
      '--import',
      'tsx',
      '-e',
      `import('./src/main/db/lock.ts').then(m => { m.acquireLibraryLock(${JSON.stringify(db)}); console.log('holding'); setInterval(() => {}, 1000) })`,
    ]);
    await new Promise<void>((r) => holder.stdout.on('data', (d) => String(d).includes('holding') && r()));
    expect(() => acquireLibraryLock(db)).toThrow(/open in another Caption Studio \(process \d+\)/);
    holder.kill('SIGKILL');
    await new Promise((r) => holder.on('close', r));
    const release = acquireLibraryLock(db);
    release();
  }, 30_000);

  it('a lock file naming a live process that is not ours (a reused pid) does not keep the library shut', () => {
    const db = join(dir, 'reused.db');
    writeFileSync(`${db}.lock`, String(process.ppid));
    const release = acquireLibraryLock(db);
    release();
  });
});
