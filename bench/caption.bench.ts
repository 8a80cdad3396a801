// Drop to caption, warm: one photo per request through the API (as the Caption page asks: beam 3
// with maps; and greedy without maps) to the long-lived inference worker with the model already loaded, for
// each tiny model trained for one epoch on the shapes set; and both runs side by side, as the
// Caption page compares them. Goal: under 100 ms per photo.
// BENCH_QUICK=1 makes two requests only (smoke test).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core } from '../src/main/services/index';
import type { Bench, BenchRow } from './types';

const QUICK = process.env.BENCH_QUICK === '1';
const REPS = QUICK ? 2 : 21;
const GOAL_MS = 100;

async function value<T>(r: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>) {
  const x = await r;
  if (!x.ok) throw new Error(x.error.message);
  return x.value;
}

async function warmLatency(
  core: Core,
  runId: number,
  photos: string[],
  beam: number,
  maps: boolean,
): Promise<number> {
  const ask = (p: string) => value(core.dispatch('caption.generate', { runId, paths: [p], beam, maps }));
  await ask(photos[0]); // loads the model (or finds it loaded)
  const loads = core.inference.stats.loads;
  const times: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    await ask(photos[i % photos.length]);
    times.push(performance.now() - t0);
  }
  if (core.inference.stats.loads !== loads) throw new Error('the model was loaded again while timing');
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function compareLatency(core: Core, runIds: number[], photos: string[]): Promise<number> {
  const ask = (p: string) =>
    value(core.dispatch('caption.compare', { runIds, paths: [p], beam: 3, maps: true }));
  await ask(photos[0]); // loads both models (or finds them loaded)
  const loads = core.inference.stats.loads;
  const times: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    const answers = await ask(photos[i % photos.length]);
    times.push(performance.now() - t0);
    const failed = answers.find((a) => a.error);
    if (failed) throw new Error(`run ${failed.runId}: ${failed.error!.message}`);
  }
  if (core.inference.stats.loads !== loads) throw new Error('a model was loaded again while timing');
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const bench: Bench = {
  name: 'caption',
  async run() {
    const root = mkdtempSync(join(tmpdir(), 'cs-bench-caption-'));
    const core = createCore({ dbPath: join(root, 'library.db') });
    const rows: BenchRow[] = [];
    try {
      await value(core.dispatch('datasets.shapes', { count: 40, seed: 11 }));
      const photos = core.store.images.list({ split: 'test', limit: 8 }).images.map((i) => i.path);
      const runIds: number[] = [];
      for (const model of ['cnn-lstm', 'cnn-lstm-attn'] as const) {
        const run = await value(
          core.dispatch('train.start', {
            model,
            preset: 'tiny',
            config: { epochs: 1, valImages: 4 },
            wait: true,
          }),
        );
        if (run.status !== 'completed') throw new Error(`the ${model} run ${run.status}: ${run.error}`);
        runIds.push(run.id);
        for (const [beam, maps] of [
          [3, true],
          [1, false],
        ] as const) {
          const ms = await warmLatency(core, run.id, photos, beam, maps);
          const how = `beam ${beam}${maps ? ' + maps' : ''}`;
          rows.push({
            name: `${model} tiny, drop to caption warm, batch 1, ${how}${QUICK ? ' (QUICK: not a measurement)' : ''}`,
            value: ms,
            unit: 'ms',
            note: `goal < ${GOAL_MS} ms; median of ${REPS}`,
          });
        }
      }
      // Side by side (the Caption page with two runs chosen): one request per run, both models loaded.
      const ms = await compareLatency(core, runIds, photos);
      rows.push({
        name: `cnn-lstm + cnn-lstm-attn side by side, warm, batch 1, beam 3 + maps${QUICK ? ' (QUICK: not a measurement)' : ''}`,
        value: ms,
        unit: 'ms',
        note: `caption.compare; median of ${REPS}`,
      });
    } finally {
      core.close();
      await core.inference.close();
      rmSync(root, { recursive: true, force: true });
    }
    return rows;
  },
};
export default bench;
