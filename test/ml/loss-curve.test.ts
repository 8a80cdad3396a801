// A seeded tiny run's loss curve is the same as before the training-speed work (fixture recorded on
// the code before it, single-threaded wasm): every speed-up must keep the maths, within float
// tolerance (matMuls of another shape or thread split sum in another order).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../../src/main/ml/backend';
import { FIXTURE, lossCurves } from './loss-curve';

// relative, per step; the speed-ups of issue 16 moved it by at most 1.6e-7 (one or two wasm threads)
const TOLERANCE = 1e-4;

beforeAll(async () => {
  await selectBackend(nodeLoader(), 'train');
});

describe('seeded loss curve', () => {
  it('matches the recorded curve of both LSTM models step by step', async () => {
    const want = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, number[]>;
    const before = tf.memory().numTensors;
    const got = await lossCurves();
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const [name, curve] of Object.entries(want)) {
      expect(got[name], name).toHaveLength(curve.length);
      curve.forEach((w, i) => {
        expect(Math.abs(got[name][i] - w) / Math.abs(w), `${name} step ${i + 1}`).toBeLessThan(TOLERANCE);
      });
    }
    // the curve is a real training curve: it goes down
    for (const curve of Object.values(want)) expect(curve[curve.length - 1]).toBeLessThan(curve[0]);
  });
});
