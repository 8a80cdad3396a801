// Cancel and a vanished parent stop a worker whose run trains on cached features (real child
// processes, real SQLite): tensor steps never yield by themselves, so before the trainer yielded
// between steps the cancel message and the parent's exit were never read and the run went on to the
// end (issues #18, #19).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/services/index';
import { workerEntry } from '../../src/main/ml/worker/host';
import { RunsRepo } from '../../src/main/db/runs';
import type { RunDetail } from '../../src/shared/types';
import { tempDir } from '../helpers/tmp';
import { sql } from '../helpers/sql';
import { call, TINY_RUN } from '../helpers/core';

const root = tempDir('cs-cancel-');
const dbPath = join(root, 'library.db');
let core: Core;

// Frozen encoder: from epoch 2 on every step reads cached features and never waits on I/O.
const CONFIG = { ...TINY_RUN, epochs: 40, valImages: 2, freezeEncoder: true };

async function until(runId: number, pred: (r: RunDetail) => boolean, timeoutMs = 120_000) {
  const t0 = Date.now();
  for (;;) {
    const r = await call(core.dispatch('runs.get', { runId }));
    if (pred(r)) return r;
    if (Date.now() - t0 > timeoutMs) throw new Error(`run ${runId} still ${r.status} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
const ended = (r: RunDetail) => !['queued', 'running'].includes(r.status);

beforeAll(async () => {
  core = createCore({ dbPath });
  await call(core.dispatch('datasets.shapes', { count: 40, seed: 3 }));
}, 120_000);
afterAll(() => core.close());

describe('a run on cached features', () => {
  it('stops within a few steps of Cancel in epoch 2 and leaves a checkpoint', async () => {
    const r = await call(core.dispatch('train.start', { model: 'cnn-lstm', config: CONFIG }));
    let seen = { step: 0, total: 0 };
    const epoch2 = new Promise<void>((resolve) =>
      core.bus.on('job.progress', (p) => {
        if (p.jobId !== `run-${r.id}` || p.done === 0) return;
        seen = { step: p.done, total: p.total };
        if (/^epoch ([2-9]|\d\d)\//.test(p.message)) resolve();
      }),
    );
    await epoch2;
    const cancelledAt = seen.step;
    expect(await call(core.dispatch('train.cancel', { runId: r.id }))).toEqual({ cancelled: true });
    const c = await until(r.id, ended);
    expect(c.status, c.error ?? '').toBe('cancelled');
    const last = c.checkpoints.find((k) => k.kind === 'last')!;
    expect(last.epoch).toBeGreaterThanOrEqual(2);
    // progress is reported at most every 250 ms, so the worker may be a few steps past what was seen
    expect(last.step!).toBeLessThanOrEqual(cancelledAt + 8);
    expect(last.step!).toBeLessThan(seen.total / 4);
  }, 240_000);

  it('exits, leaving the run interrupted with a checkpoint, when its parent is killed', async () => {
    const runs = new RunsRepo(sql(core.store));
    const runId = runs.create('cnn-lstm', 'tiny', { model: 'cnn-lstm', ...CONFIG }, null);
    const { entry, execArgv } = workerEntry();
    // a parent that forks the worker, starts the job and prints the worker's pid after two steps
    const parentCode = `
      const { fork } = require('node:child_process');
      const [entry, execArgv, dbPath, runId] = process.argv.slice(1);
      const w = fork(entry, [], { execArgv: JSON.parse(execArgv), stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
      let seq = 0, told = false;
      w.on('message', (m) => {
        if (m.type === 'ready')
          w.send({ seq: ++seq, type: 'start', job: { type: 'train', dbPath, runId: Number(runId), resume: false } });
        if (m.type === 'progress' && m.step >= 2 && !told) { told = true; console.log('worker ' + w.pid); }
      });`;
    const parent = spawn(
      process.execPath,
      ['-e', parentCode, entry, JSON.stringify(execArgv), dbPath, String(runId)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const workerPid = await new Promise<number>((resolve, reject) => {
      let out = '';
      parent.stdout!.on('data', (d) => {
        out += String(d);
        const m = /worker (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      parent.on('exit', () => reject(new Error(`the parent exited first: ${out}`)));
    });
    parent.kill('SIGKILL');
    const alive = () => {
      try {
        process.kill(workerPid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const t0 = Date.now();
    while (alive() && Date.now() - t0 < 90_000) await new Promise((res) => setTimeout(res, 200));
    expect(alive()).toBe(false);
    const k = await call(core.dispatch('runs.get', { runId }));
    expect(k.status).toBe('interrupted');
    expect(k.checkpoints.find((c) => c.kind === 'last')).toBeDefined();
    expect(k.epochs).toBeLessThan(CONFIG.epochs);
  }, 240_000);
});
