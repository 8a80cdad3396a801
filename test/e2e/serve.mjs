// Starts `caption-studio serve` on a freshly seeded temporary library and returns its URL.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `shapes: N` seeds the library with the synthetic shapes set instead of the four photos;
 * `empty: true` starts on an empty library.
 */
export async function startServe({ shapes = 0, empty = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cs-e2e-'));
  let db = join(dir, 'library.db');
  if (empty) {
    // serve creates the library file
  } else if (shapes) {
    const cli = [
      'bin/caption-studio.js',
      'dataset',
      'shapes',
      '--count',
      String(shapes),
      '--seed',
      '3',
      '--db',
      db,
    ];
    execFileSync(process.execPath, cli, { stdio: 'ignore' });
  } else
    db = execFileSync(process.execPath, ['--import', 'tsx', 'test/e2e/seed.ts', dir], {
      encoding: 'utf8',
    }).trim();
  const proc = spawn(process.execPath, ['bin/caption-studio.js', 'serve', '--db', db, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr.on('data', (d) => (err += d));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 30_000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /Open: (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
  return {
    url,
    db,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
