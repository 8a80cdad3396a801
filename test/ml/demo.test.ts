// The headless demo (`npm run demo`) end to end in quick mode: data, training in a worker, captions
// and a heatmap PNG per word, listed on an HTML page.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp';

describe('caption-studio demo', () => {
  it('trains, captions four test images and writes their heatmaps', () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const log = execFileSync(
      process.execPath,
      [
        'bin/caption-studio.js',
        'demo',
        '--quick',
        '--count',
        '60',
        '--out',
        out,
        '--db',
        join(dir, 'lib.db'),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    expect(log).toMatch(/test: BLEU-4 \d\.\d{3} · ROUGE-L \d\.\d{3}/);
    expect(log.match(/^ {3}shape-\d+\.png: "/gm)).toHaveLength(4);
    const pngs = readdirSync(out).filter((f) => f.endsWith('.png'));
    expect(pngs.length).toBeGreaterThanOrEqual(4);
    expect(readFileSync(join(out, pngs[0])).subarray(1, 4).toString()).toBe('PNG');
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    for (const p of pngs) expect(html).toContain(`src="${p}"`);
    expect(existsSync(join(dir, 'lib.db'))).toBe(true);
  }, 180_000);
});
