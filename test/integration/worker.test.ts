// Training in worker processes (real child processes, real SQLite, tiny real training): the queue
// runs one job at a time; runs end with metrics, checkpoints and test scores; cancel saves a loadable
// checkpoint and resume finishes the run; SIGKILL leaves the run interrupted with its last
// checkpoint loadable; the next start marks runs whose worker is gone; caption.generate answers.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/services/index';
import { RunsRepo } from '../../src/main/db/runs';
import { readSafetensors } from '../../src/main/ml/weights/safetensors';
import type { RunDetail } from '../../src/shared/types';
import { tempDir } from '../helpers/tmp';
import { sql } from '../helpers/sql';
import { call, TINY_RUN } from '../helpers/core';

const root = tempDir('cs-worker-');
const dbPath = join(root, 'library.db');
let core: Core;

const CONFIG = {
  ...TINY_RUN,
  epochs: 2,
};

async function until(
  runId: number,
  pred: (r: RunDetail) => boolean,
  timeoutMs = 120_000,
): Promise<RunDetail> {
  const t0 = Date.now();
  for (;;) {
    const r = await call(core.dispatch('runs.get', { runId }));
    if (pred(r)) return r;
    if (Date.now() - t0 > timeoutMs) throw new Error(`run ${runId} stuck in ${r.status}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
const ended = (r: RunDetail) => !['queued', 'running'].includes(r.status);

/** Resolves when the run's worker has reported at least `step` steps. */
function stepReached(runId: number, step: number): Promise<void> {
  return new Promise((resolve) => {
    const off = core.bus.on('job.progress', (p) => {
      if (p.jobId === `run-${runId}` && p.done >= step) {
        off();
        resolve();
      }
    });
  });
}

const loadable = (path: string) => readSafetensors(readFileSync(path)).metadata.model;

beforeAll(async () => {
  core = createCore({ dbPath });
  await call(core.dispatch('datasets.shapes', { count: 40, seed: 3 }));
}, 120_000);
afterAll(() => core.close());

describe('training in worker processes', () => {
  it('runs one job at a time and records metrics, checkpoints and test scores', async () => {
    const a = await call(core.dispatch('train.start', { model: 'cnn-lstm', config: CONFIG }));
    const b = await call(
      core.dispatch('train.start', {
        model: 'cnn-lstm-attn',
        config: { ...CONFIG, modelOverrides: { ...CONFIG.modelOverrides, attnDim: 16 } },
      }),
    );
    expect(b.status).toBe('queued');
    let overlap = false;
    const seen = new Set<string>();
    for (;;) {
      const [ra, rb] = await Promise.all(
        [a.id, b.id].map((runId) => call(core.dispatch('runs.get', { runId }))),
      );
      seen.add(`${ra.status}/${rb.status}`);
      if (ra.status === 'running' && rb.status === 'running') overlap = true;
      if (ended(ra) && ended(rb)) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(overlap).toBe(false);
    expect(seen).toContain('running/queued');
    for (const id of [a.id, b.id]) {
      const r = await call(core.dispatch('runs.get', { runId: id }));
      expect(r.status, r.error ?? '').toBe('completed');
      expect(r.epochs).toBe(2);
      expect(Object.keys(r.test)).toEqual(expect.arrayContaining(['loss', 'bleu4', 'rougeL', 'ciderD']));
      expect(r.metrics.filter((m) => m.split === 'val' && m.name === 'bleu4').map((m) => m.epoch)).toEqual([
        1, 2,
      ]);
      expect(r.checkpoints.map((c) => c.kind).sort()).toEqual(['best', 'last']);
      expect(loadable(r.checkpoints[0].path)).toBe(r.model);
    }
    const list = await call(core.dispatch('runs.list', {}));
    expect(list.map((r) => r.id)).toEqual([b.id, a.id]);

    const img = sql(core.store).prepare("SELECT id FROM images WHERE split = 'test' LIMIT 1").get() as {
      id: number;
    };
    const caps = await call(
      core.dispatch('caption.generate', { runId: b.id, imageIds: [img.id], beam: 1, maps: true }),
    );
    expect(caps).toHaveLength(1);
    expect(caps[0].tokens.length).toBe(caps[0].probs.length);
    expect(caps[0].maps!.kind).toBe('attention');
    expect(caps[0].maps!.data).toHaveLength(caps[0].tokens.length);

    // Drafts: saved as captions from the run, to review; once per text; one undoable step.
    const two = sql(core.store)
      .prepare("SELECT id FROM images WHERE split = 'test' LIMIT 2")
      .pluck()
      .all() as number[];
    const before = core.store.captions.ofImages(two);
    const drafted = await call(core.dispatch('caption.draft', { runId: b.id, imageIds: two, beam: 1 }));
    expect(drafted.added + drafted.skipped).toBe(2);
    expect(drafted.added).toBeGreaterThan(0);
    const after = core.store.captions.ofImages(two);
    const added = two.flatMap((id) => after.get(id)!.slice(before.get(id)?.length ?? 0));
    expect(added).toHaveLength(drafted.added);
    for (const c of added) expect([c.source, c.status, c.runId]).toEqual(['run', 'draft', b.id]);
    expect((await call(core.dispatch('library.list', { source: 'run' }))).total).toBe(drafted.added);
    const again = await call(core.dispatch('caption.draft', { runId: b.id, imageIds: two, beam: 1 }));
    expect(again).toEqual({ added: 0, skipped: 2, empty: 0, opId: null });
    await call(core.dispatch('captions.undo', {}));
    expect((await call(core.dispatch('library.list', { source: 'run' }))).total).toBe(0);
    const none = await core.dispatch('caption.draft', { runId: b.id, imageIds: [] });
    expect(!none.ok && none.error.message).toMatch(/imageIds: give at least one image/);
  }, 240_000);

  it('cancel saves a loadable checkpoint and resume finishes the run', async () => {
    const r = await call(
      core.dispatch('train.start', { model: 'cnn-lstm', config: { ...CONFIG, epochs: 3 } }),
    );
    await stepReached(r.id, 2);
    expect(await call(core.dispatch('train.cancel', { runId: r.id }))).toEqual({ cancelled: true });
    const c = await until(r.id, ended);
    expect(c.status).toBe('cancelled');
    const last = c.checkpoints.find((k) => k.kind === 'last')!;
    expect(loadable(last.path)).toBe('cnn-lstm');
    const done = await call(core.dispatch('train.resume', { runId: r.id, wait: true }));
    expect(done.status, done.error ?? '').toBe('completed');
    expect(done.epochs).toBe(3);
  }, 240_000);

  it('a worker killed with SIGKILL leaves the run interrupted with its last checkpoint loadable', async () => {
    const r = await call(
      core.dispatch('train.start', {
        model: 'cnn-lstm',
        config: { ...CONFIG, epochs: 3, checkpointEverySteps: 1 },
      }),
    );
    await stepReached(r.id, 3);
    const pid = new RunsRepo(sql(core.store)).row(r.id)!.owner_pid!;
    expect(pid).not.toBe(process.pid);
    process.kill(pid, 'SIGKILL');
    const k = await until(r.id, ended);
    expect(k.status).toBe('interrupted');
    expect(k.error).toMatch(/SIGKILL/);
    expect(loadable(k.checkpoints.find((c) => c.kind === 'last')!.path)).toBe('cnn-lstm');

    // a run left 'running' by a process that is gone is marked interrupted by the next start
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const runs = new RunsRepo(sql(core.store));
    const orphan = runs.create('cnn-lstm', 'tiny', {}, null);
    runs.markStarted(orphan, dead, 'wasm', join(root, 'runs', String(orphan)));
    const next = createCore({ dbPath });
    try {
      const o = await call(next.dispatch('runs.get', { runId: orphan }));
      expect(o.status).toBe('interrupted');
    } finally {
      next.close();
    }
  }, 240_000);
});
