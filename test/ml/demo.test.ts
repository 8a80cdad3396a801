// The demo (`npm run demo -- --quick`) end to end: the shapes library made in the folder given, every
// model of the model table trained through the worker, the comparison table printed with a row per
// model, the page and its maps written, the runs kept in the demo library with a falling loss.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCore } from '../../src/main/services/index';
import { MODEL_IDS } from '../../src/main/ml/models/registry';
import { tempDir } from '../helpers/tmp';

describe('caption-studio demo --quick', () => {
  it('trains every model, prints the full table, writes the page and keeps the runs', async () => {
    const dir = tempDir();
    const db = join(dir, 'demo', 'library.db');
    const log = execFileSync(process.execPath, ['bin/caption-studio.js', 'demo', '--quick', '--db', db], {
      cwd: process.cwd(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // one table row per model, every one of its 17 cells filled with a number (or a – for an
    // accuracy the captions never gave a chance to score)
    for (const model of MODEL_IDS) {
      const row = log.split('\n').find((l) => l.startsWith(`| ${model} | 1 |`));
      expect(row, `a table row for ${model}`).toBeDefined();
      const cells = row!
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
      expect(cells).toHaveLength(17);
      for (const c of cells.slice(3, 10)) expect(c).toMatch(/^\d+\.\d{3}$/); // loss, BLEU-1..4, ROUGE-L, CIDEr-D
      expect(cells[16]).toMatch(/^\d+\.\d$/); // images/s
    }
    expect(log).toMatch(/Ranking by test loss \(lowest first\): /);

    // the page and its pictures, in the report folder beside the demo library (not the current folder)
    const out = join(dir, 'demo', 'report');
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    const pngs = readdirSync(out).filter((f) => f.endsWith('.png'));
    for (const model of MODEL_IDS) expect(pngs.some((p) => p.includes(`-${model}-`))).toBe(true);
    for (const p of pngs) expect(html).toContain(`src="${p}"`);
    expect(readFileSync(join(out, pngs[0])).subarray(1, 4).toString()).toBe('PNG');
    expect(existsSync(join(out, 'study.md'))).toBe(true);
    expect(existsSync(join(process.cwd(), 'report'))).toBe(false);

    // the runs are in the demo library, completed, with a loss that fell from the first step
    const core = createCore({ dbPath: db });
    try {
      const list = await core.dispatch('runs.list', {});
      if (!list.ok) throw new Error(list.error.message);
      const runs = list.value;
      expect(runs.map((r) => r.model).sort()).toEqual([...MODEL_IDS].sort());
      for (const r of runs) {
        expect(r.status).toBe('completed');
        const got = await core.dispatch('runs.get', { runId: r.id });
        if (!got.ok) throw new Error(got.error.message);
        const detail = got.value;
        const steps = detail.metrics.filter((m) => m.name === 'stepLoss').sort((a, b) => a.step! - b.step!);
        const epochs = detail.metrics.filter((m) => m.name === 'loss' && m.split === 'train');
        expect(steps.length).toBeGreaterThan(0);
        expect(epochs.at(-1)!.value, `${r.model}: last epoch's loss below the first step's`).toBeLessThan(
          steps[0].value,
        );
      }
    } finally {
      core.close();
    }

    // a second run reuses the library instead of adding a second shapes set
    const again = execFileSync(
      process.execPath,
      ['bin/caption-studio.js', 'demo', '--quick', '--db', db, '--models', MODEL_IDS[0], '--epochs', '1'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    expect(again).toContain('Reusing the shapes set in this library (200 scenes)');

    // the same settings again: the completed run is reused, not trained a second time
    const third = execFileSync(
      process.execPath,
      ['bin/caption-studio.js', 'demo', '--quick', '--db', db, '--models', MODEL_IDS[0], '--epochs', '1'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    expect(third).toMatch(new RegExp(`${MODEL_IDS[0]} \\(seed 1\\): reusing run \\d+`));
    expect(third).not.toContain('Training ');
    const after = createCore({ dbPath: db });
    try {
      const list = await after.dispatch('runs.list', {});
      if (!list.ok) throw new Error(list.error.message);
      expect(list.value).toHaveLength(MODEL_IDS.length + 1); // the three, plus the one-epoch run
    } finally {
      after.close();
    }
  }, 900_000);
});
