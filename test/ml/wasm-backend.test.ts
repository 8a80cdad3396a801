// The real WebAssembly backend starts under Node (threaded for training: one thread per core) and
// runs a matMul without leaking tensors.
import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../../src/main/ml/backend';

describe('wasm backend', () => {
  it('is chosen here (no native tfjs) and computes a matMul', async () => {
    const info = await selectBackend(nodeLoader(), 'train');
    expect(['wasm', 'tensorflow', 'tensorflow-gpu']).toContain(info.chosen);
    expect(tf.getBackend()).toBe(info.chosen === 'wasm' ? 'wasm' : 'tensorflow');
    // the threaded build's Node shims work (no silent fallback to one thread)
    if (info.chosen === 'wasm') expect(info.threads).toBe(cpus().length);
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]))); // [1, 1]
    expect(Array.from(await out.data())).toEqual([11]);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
