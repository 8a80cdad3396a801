// Runs beyond training (real worker, real SQLite, a tiny real run): metric points and status changes
// pushed as run.changed events, the per-image view of the stored test captions, exporting a run's
// model folder (never over a non-empty folder) and deleting a run with its files (never a live one).
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/services/index';
import { runFolder } from '../../src/main/services/runs';
import type { RunChange, RunDetail } from '../../src/shared/types';
import { tempDir } from '../helpers/tmp';
import { call, TINY_RUN } from '../helpers/core';

const root = tempDir('cs-runs-');
const dbPath = join(root, 'library.db');
let core: Core;
let run: RunDetail;
const pushed: RunChange[] = [];

const sql = <T>(q: string, ...args: unknown[]): T[] => {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(q).all(...args) as T[];
  } finally {
    db.close();
  }
};
const error = async (p: Promise<{ ok: boolean; error?: { code: string; message: string } }>) => {
  const r = await p;
  expect(r.ok).toBe(false);
  return r.error!;
};

beforeAll(async () => {
  core = createCore({ dbPath });
  core.bus.on('run.changed', (c) => pushed.push(c));
  await call(core.dispatch('datasets.shapes', { count: 40, seed: 4 }));
  run = await call(
    core.dispatch('train.start', { model: 'cnn-lstm', config: { ...TINY_RUN, epochs: 3 }, wait: true }),
  );
}, 240_000);
afterAll(() => core.close());

describe('run.changed events', () => {
  it('carry every metric point the worker stored, and each status the run went through', async () => {
    expect(run.status, run.error ?? '').toBe('completed');
    const mine = pushed.filter((c) => c.runId === run.id);
    const points = mine.flatMap((c) => c.metrics ?? []);
    const key = (m: {
      split: string;
      name: string;
      epoch: number | null;
      step: number | null;
      value: number;
    }) => `${m.split}/${m.name}/${m.epoch}/${m.step}/${m.value}`;
    expect(points.map(key).sort()).toEqual(run.metrics.map(key).sort());
    // A short run records the training loss of every step.
    const steps = points.filter((m) => m.split === 'train' && m.name === 'stepLoss').map((m) => m.step);
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i + 1));
    expect(steps.length).toBeGreaterThanOrEqual(3 * 4);
    expect(points.filter((m) => m.split === 'val' && m.name === 'loss').map((m) => m.epoch)).toEqual([
      1, 2, 3,
    ]);
    const statuses = mine.flatMap((c) => (c.status ? [c.status] : []));
    expect(statuses[0]).toBe('queued');
    expect(statuses).toContain('running');
    expect(statuses.at(-1)).toBe('completed');
  });
});

describe('runs.testImages', () => {
  it("lists what the database holds: each test image's caption and references, scored, worst first", async () => {
    const rows = sql<{ image_id: number; caption: string; refs: string }>(
      'SELECT image_id, caption, refs FROM run_test_captions WHERE run_id = ? ORDER BY image_id',
      run.id,
    );
    expect(rows.length).toBe(run.data!.test);
    const r = await call(core.dispatch('runs.testImages', { runIds: [run.id] }));
    expect(r.metric).toBe('ciderD');
    expect(r.without).toEqual([]);
    expect(r.images.map((i) => i.imageId).sort((a, b) => a - b)).toEqual(rows.map((x) => x.image_id));
    for (const x of rows) {
      const img = r.images.find((i) => i.imageId === x.image_id)!;
      expect(img.runs[String(run.id)].caption).toBe(x.caption);
      expect(img.references).toEqual(JSON.parse(x.refs));
      // The references are the image's approved captions of the split.
      const approved = core.store.captions.ofImages([x.image_id]).get(x.image_id)!;
      expect(img.references.sort()).toEqual(
        approved
          .filter((c) => c.status === 'approved')
          .map((c) => c.text)
          .sort(),
      );
    }
    const scores = r.images.map((i) => i.runs[String(run.id)].scores.ciderD);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
    // The corpus ROUGE-L and CIDEr-D are the means of the per-image scores: the same captions.
    const mean = (k: 'rougeL' | 'ciderD') =>
      r.images.reduce((s, i) => s + i.runs[String(run.id)].scores[k], 0) / r.images.length;
    expect(mean('rougeL')).toBeCloseTo(run.test.rougeL, 6);
    expect(mean('ciderD')).toBeCloseTo(run.test.ciderD, 6);

    const byRouge = await call(core.dispatch('runs.testImages', { runIds: [run.id], metric: 'rougeL' }));
    const rl = byRouge.images.map((i) => i.score);
    expect(rl).toEqual([...rl].sort((a, b) => a - b));
  });

  it('names the runs without stored test captions, and refuses an unknown run', async () => {
    const other = await call(
      core.dispatch('train.start', { model: 'cnn-lstm', config: { ...TINY_RUN, epochs: 1 } }),
    );
    // Cancelled before it starts or at its first step: it is never tested.
    await call(core.dispatch('train.cancel', { runId: other.id }));
    const r = await call(core.dispatch('runs.testImages', { runIds: [run.id, other.id] }));
    expect(r.without).toEqual([other.id]);
    expect(r.images.length).toBe(run.data!.test);
    const e = await error(core.dispatch('runs.testImages', { runIds: [999] }));
    expect([e.code, e.message]).toEqual(['not_found', expect.stringMatching(/no run 999/)]);
  });
});

describe('runs.export', () => {
  it("copies the run's checkpoint folder and a run.json into a new folder", async () => {
    const out = join(root, 'exported', 'run-model');
    const r = await call(core.dispatch('runs.export', { runId: run.id, out }));
    expect(r.out).toBe(out);
    const src = readdirSync(runFolder(dbPath, run.id));
    expect(src.some((f) => f.endsWith('.safetensors'))).toBe(true);
    expect(r.files.sort()).toEqual([...src, 'run.json'].sort());
    for (const f of src)
      expect(readFileSync(join(out, f)).equals(readFileSync(join(runFolder(dbPath, run.id), f)))).toBe(true);
    expect(r.bytes).toBe(r.files.reduce((n, f) => n + statSync(join(out, f)).size, 0));
    const meta = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(meta).toMatchObject({ id: run.id, model: 'cnn-lstm', test: run.test });
  });

  it('refuses a non-empty folder (nothing overwritten), a file, and the run folder itself', async () => {
    const out = join(root, 'busy');
    mkdirSync(out);
    writeFileSync(join(out, 'mine.txt'), 'keep me');
    const e = await error(core.dispatch('runs.export', { runId: run.id, out }));
    expect([e.code, e.message]).toEqual([
      'conflict',
      expect.stringMatching(/not empty.*nothing was overwritten/),
    ]);
    expect(readdirSync(out)).toEqual(['mine.txt']);
    expect(readFileSync(join(out, 'mine.txt'), 'utf8')).toBe('keep me');
    const f = await error(core.dispatch('runs.export', { runId: run.id, out: join(out, 'mine.txt') }));
    expect(f.message).toMatch(/is a file, not a folder/);
    const inside = await error(
      core.dispatch('runs.export', { runId: run.id, out: join(runFolder(dbPath, run.id), 'x') }),
    );
    expect(inside.message).toMatch(/outside its own folder/);
  });
});

describe('runs.delete', () => {
  it('refuses a running run, then deletes it with its folder once cancelled', async () => {
    const live = await call(
      core.dispatch('train.start', { model: 'cnn-lstm', config: { ...TINY_RUN, epochs: 300 } }),
    );
    const deadline = Date.now() + 60_000;
    while (core.store.runs.row(live.id)?.status !== 'running' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const e = await error(core.dispatch('runs.delete', { runId: live.id }));
    expect([e.code, e.message]).toEqual(['conflict', expect.stringMatching(/is running: cancel it first/)]);
    const e2 = await error(core.dispatch('runs.export', { runId: live.id, out: join(root, 'live') }));
    expect(e2.code).toBe('conflict');
    await call(core.dispatch('train.cancel', { runId: live.id }));
    // Refused until the worker has saved its checkpoint and ended; then deleted with its folder.
    const settleBy = Date.now() + 60_000;
    let d = await core.dispatch('runs.delete', { runId: live.id });
    while (!d.ok && d.error.code === 'conflict' && Date.now() < settleBy) {
      await new Promise((r) => setTimeout(r, 200));
      d = await core.dispatch('runs.delete', { runId: live.id });
    }
    expect(d).toEqual({ ok: true, value: { deleted: true, removedDir: runFolder(dbPath, live.id) } });
    expect(existsSync(runFolder(dbPath, live.id))).toBe(false);
  }, 180_000);

  it('deletes an ended run: its folder, its row, its metrics and its test captions go', async () => {
    const dir = runFolder(dbPath, run.id);
    expect(existsSync(dir)).toBe(true);
    pushed.length = 0;
    const r = await call(core.dispatch('runs.delete', { runId: run.id }));
    expect(r).toEqual({ deleted: true, removedDir: dir });
    expect(existsSync(dir)).toBe(false);
    expect(pushed).toContainEqual({ runId: run.id, status: 'deleted' });
    for (const t of ['runs', 'metrics', 'checkpoints', 'run_test_captions'])
      expect(sql(`SELECT 1 FROM ${t} WHERE ${t === 'runs' ? 'id' : 'run_id'} = ?`, run.id)).toEqual([]);
    const e = await error(core.dispatch('runs.get', { runId: run.id }));
    expect(e.code).toBe('not_found');
    const again = await error(core.dispatch('runs.delete', { runId: run.id }));
    expect(again.message).toMatch(/no run/);
  });
});
