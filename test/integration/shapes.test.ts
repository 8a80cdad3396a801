// The shapes dataset end to end: files beside the database, approved captions, ground truth in the
// scenes table, seeded splits, determinism for a seed, idempotence, the scorer at 100% on the
// stored truth, and the CLI.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/services/index';
import { ScenesRepo } from '../../src/main/db/scenes';
import { scoreCaption, sumScores } from '../../src/main/datasets/shapes/scorer';
import { tempDir } from '../helpers/tmp';
import { sql } from '../helpers/sql';

const root = tempDir();
let n = 0;
const cores: Core[] = [];
afterEach(() => cores.splice(0).forEach((c) => c.close()));

function open(): Core {
  const c = createCore({ dbPath: join(root, `lib${n++}`, 'library.db') });
  cores.push(c);
  return c;
}

async function shapes(c: Core, count: number, seed: number) {
  const r = await c.dispatch('datasets.shapes', { count, seed });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const hashes = (c: Core) =>
  c.store.images
    .list({ limit: 1000 })
    .images.map((i) => i.hash)
    .sort();

describe('shapes dataset', () => {
  it('renders, imports with approved captions, stores the truth and splits by seed', async () => {
    const c = open();
    const r = await shapes(c, 20, 7);
    expect(r.dir).toBe(join(root, 'lib0', 'datasets', 'shapes-7'));
    expect(readdirSync(r.dir).filter((f) => f.endsWith('.png'))).toHaveLength(20);
    expect(r.import).toMatchObject({ added: 20, captionsAdded: 100, failed: [] });
    const scenes = new ScenesRepo(sql(c.store));
    expect(scenes.count()).toBe(20);
    const splits: Record<string, number> = {};
    const scores = [];
    for (const img of c.store.images.list({ limit: 100 }).images) {
      splits[img.split!] = (splits[img.split!] ?? 0) + 1;
      expect([img.width, img.height]).toEqual([64, 64]);
      const truth = scenes.get(img.id)!;
      const caps = c.store.captions.ofImage(img.id);
      expect(caps).toHaveLength(5);
      for (const cap of caps) {
        expect(cap.status).toBe('approved');
        scores.push(scoreCaption(cap.text, truth));
      }
    }
    expect(splits).toEqual({ train: 16, val: 2, test: 2 });
    const sum = sumScores(scores);
    for (const k of ['shape', 'colour', 'size', 'relation'] as const)
      expect(sum[k].correct).toBe(sum[k].total);
    expect(sum.relation.total).toBeGreaterThan(5);
    expect(c.store.collections.list()).toEqual([expect.objectContaining({ name: 'shapes-7', count: 20 })]);
  });

  it('is deterministic for a seed, differs across seeds, and a re-run adds nothing', async () => {
    const a = open();
    const b = open();
    await shapes(a, 8, 3);
    await shapes(b, 8, 3);
    expect(hashes(a)).toEqual(hashes(b));
    const capsOf = (c: Core) =>
      c.store.images
        .list({})
        .images.map((i) => [i.hash, i.split, c.store.captions.ofImage(i.id).map((x) => x.text)])
        .sort();
    expect(capsOf(a)).toEqual(capsOf(b));
    const again = await shapes(a, 8, 3);
    expect(again.import).toMatchObject({ added: 0, captionsAdded: 0, unchanged: 8 });
    const other = open();
    await shapes(other, 8, 4);
    expect(hashes(other)).not.toEqual(hashes(a));
    // Scene i does not depend on the count: 12 scenes start with the same 8.
    const more = open();
    await shapes(more, 12, 3);
    expect(hashes(more)).toEqual(expect.arrayContaining(hashes(a)));
  });

  it('refuses bad arguments with a message that says what to give', async () => {
    const c = open();
    const r = await c.dispatch('datasets.shapes', { count: 0, seed: 1 });
    expect(r.ok === false && r.error.code).toBe('invalid_argument');
  });
});

describe('caption-studio dataset shapes', () => {
  it('generates into --db and prints where', () => {
    const db = join(root, 'cli', 'library.db');
    const r = spawnSync(
      'node',
      ['bin/caption-studio.js', 'dataset', 'shapes', '--count', '3', '--seed', '5', '--db', db],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Shapes dataset \(seed 5, 3 scenes\)/);
    expect(r.stdout).toMatch(/3 image files: 3 added/);
    const txt = readFileSync(join(root, 'cli', 'datasets', 'shapes-5', 'shape-00000.txt'), 'utf8');
    expect(txt.trim().split('\n')).toHaveLength(5);
    const bad = spawnSync(
      'node',
      ['bin/caption-studio.js', 'dataset', 'shapes', '--count', 'many', '--db', db],
      {
        encoding: 'utf8',
      },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--count takes a whole number/);
  });
});
