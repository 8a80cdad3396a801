// The long-lived inference worker (real child processes, real SQLite, tiny real training): captions
// come back while another run trains, the second request reuses the loaded model, another run's
// checkpoint replaces it, and the worker is stopped when idle or when memory is short.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/services/index';
import { InferenceHost } from '../../src/main/ml/worker/inference';
import { processAlive } from '../../src/main/db/runs';
import type { RunDetail } from '../../src/shared/types';
import { tempDir } from '../helpers/tmp';
import { call, TINY_RUN } from '../helpers/core';

const root = tempDir('cs-infer-');
const dbPath = join(root, 'library.db');
let core: Core;

const CONFIG = {
  ...TINY_RUN,
  epochs: 1,
};

const runOf = (runId: number): Promise<RunDetail> => call(core.dispatch('runs.get', { runId }));

async function until<T>(f: () => T | Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() - t0 > 120_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

let finished: RunDetail;
let photos: string[];

beforeAll(async () => {
  core = createCore({ dbPath });
  await call(core.dispatch('datasets.shapes', { count: 40, seed: 5 }));
  finished = await call(core.dispatch('train.start', { model: 'cnn-lstm', config: CONFIG, wait: true }));
  photos = core.store.images.list({ split: 'test', limit: 2 }).images.map((i) => i.path);
}, 240_000);
afterAll(() => core.close());

describe('the inference worker', () => {
  it('captions while a run trains, keeps the model loaded, and loads another run when asked', async () => {
    expect(finished.status, finished.error ?? '').toBe('completed');
    const training = await call(
      core.dispatch('train.start', {
        model: 'cnn-lstm',
        config: { ...CONFIG, epochs: 200, checkpointEverySteps: 2 },
      }),
    );
    try {
      await until(
        () => runOf(training.id),
        (r) => r.status === 'running',
        'the run to start',
      );

      const first = await call(
        core.dispatch('caption.generate', { runId: finished.id, paths: photos, beam: 1 }),
      );
      expect(first.map((c) => c.source)).toEqual(photos);
      for (const c of first) {
        expect(c.caption.length).toBeGreaterThan(0);
        expect(c.tokens).toHaveLength(c.probs.length);
      }
      // The answer did not wait for the run: it is still training.
      expect((await runOf(training.id)).status).toBe('running');
      const pid = core.inference.pid;
      expect(pid).not.toBeNull();
      expect(core.inference.stats).toEqual({ spawns: 1, loads: 1, evictions: 0 });

      // Same run again: the same process answers without reading the checkpoint again.
      const second = await call(
        core.dispatch('caption.generate', { runId: finished.id, paths: [photos[1]], beam: 1 }),
      );
      expect(second[0].caption).toBe(first[1].caption);
      expect(core.inference.pid).toBe(pid);
      expect(core.inference.stats).toEqual({ spawns: 1, loads: 1, evictions: 0 });
      expect((await runOf(training.id)).status).toBe('running');

      // Another run's checkpoint (the training run's latest) replaces the loaded model in the same process.
      await until(
        () => runOf(training.id),
        (r) => r.checkpoints.length > 0,
        'a checkpoint of the training run',
      );
      const other = await call(
        core.dispatch('caption.generate', { runId: training.id, paths: [photos[0]], beam: 1 }),
      );
      expect(other).toHaveLength(1);
      expect(core.inference.pid).toBe(pid);
      expect(core.inference.stats).toEqual({ spawns: 1, loads: 2, evictions: 0 });

      // A request the worker cannot answer comes back as an error, and the worker stays.
      const bad = await core.dispatch('caption.generate', {
        runId: finished.id,
        paths: [join(root, 'nope.jpg')],
      });
      expect(bad.ok).toBe(false);
      expect(core.inference.pid).toBe(pid);
    } finally {
      const pid = core.store.runs.row(training.id)?.owner_pid;
      if (pid && processAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 300_000);

  it('is stopped when idle or when memory is short, and started again by the next request', async () => {
    const idle = new InferenceHost({ idleMs: 200 });
    try {
      const a = await idle.caption(dbPath, { runId: finished.id, paths: [photos[0]], beam: 1 });
      expect(a.loaded).toBe(true);
      const pid = idle.pid!;
      await until(
        () => processAlive(pid),
        (alive) => !alive,
        'the idle worker to exit',
      );
      expect(idle.pid).toBeNull();
      expect(idle.stats.evictions).toBe(1);
      const b = await idle.caption(dbPath, { runId: finished.id, paths: [photos[0]], beam: 1 });
      expect(b.loaded).toBe(true);
      expect(b.captions[0].caption).toBe(a.captions[0].caption);
      expect(idle.stats).toMatchObject({ spawns: 2, loads: 2 });
    } finally {
      await idle.close();
    }

    let short = false;
    const tight = new InferenceHost({ memoryShort: () => short });
    try {
      await tight.caption(dbPath, { runId: finished.id, paths: [photos[0]], beam: 1 });
      const pid = tight.pid!;
      short = true;
      await tight.caption(dbPath, { runId: finished.id, paths: [photos[1]], beam: 1 });
      await until(
        () => processAlive(pid),
        (alive) => !alive,
        'the worker to give its memory back',
      );
      expect(tight.stats).toMatchObject({ spawns: 1, loads: 1, evictions: 1 });
    } finally {
      await tight.close();
    }
  }, 300_000);
});
