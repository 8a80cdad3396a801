// The hand-written-gradient layers run on the wasm backend (no missing kernel) and give the same
// gradients there as on the cpu reference backend (tolerance 1e-3 relative: XNNPACK sums in another order).
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../../src/main/ml/backend';
import { ParamStore } from '../../src/main/ml/nn/module';
import { Conv2d, Dense, Embedding, LayerNorm } from '../../src/main/ml/nn/layers';
import { LstmCell } from '../../src/main/ml/nn/lstm';
import { AdditiveAttention, MultiHeadAttention } from '../../src/main/ml/nn/attention';
import { maskedCrossEntropy } from '../../src/main/ml/nn/ops';

/** A small net touching every layer; returns the loss and the gradients of all parameters + pixels. */
function gradsOnce(): Float32Array[] {
  const ps = new ParamStore(11);
  const conv = new Conv2d(ps, 'conv', 3, 8);
  const emb = new Embedding(ps, 'emb', 50, 8);
  const lstm = new LstmCell(ps, 'lstm', 8, 8);
  const add = new AdditiveAttention(ps, 'add', 8, 8, 6);
  const ln = new LayerNorm(ps, 'ln', 8);
  const mha = new MultiHeadAttention(ps, 'mha', 8, 2, { cross: false, causal: true, std: 0.3 });
  const out = new Dense(ps, 'out', 8, 50);
  const img = tf.tensor4d(
    Float32Array.from({ length: 2 * 8 * 8 * 3 }, (_, i) => Math.sin(i)),
    [2, 8, 8, 3],
  );
  const ids = tf.tensor2d([3, 49, 3, 7, 0, 12], [2, 3], 'int32');
  const f = (x: tf.Tensor) => {
    const feats = tf.maxPool(conv.apply(x as tf.Tensor4D, true), 2, 2, 'valid').reshape([2, 16, 8]); // [2, 16, 8]
    const e = emb.apply(ids) as tf.Tensor3D; // [2, 3, 8]
    let s = { h: tf.mean(feats, 1) as tf.Tensor2D, c: tf.zeros([2, 8]) as tf.Tensor2D };
    const hs: tf.Tensor[] = [];
    for (let t = 0; t < 3; t++) {
      s = lstm.step(tf.squeeze(tf.slice(e, [0, t, 0], [2, 1, 8]), [1]) as tf.Tensor2D, s);
      const { context } = add.attend(feats as tf.Tensor3D, add.project(feats as tf.Tensor3D), s.h);
      hs.push(tf.add(s.h, context));
    }
    const seq = ln.apply(tf.stack(hs, 1)) as tf.Tensor3D; // [2, 3, 8]
    const y = tf.add(seq, mha.apply(seq).out); // [2, 3, 8]
    const logits = out.apply(y).reshape([6, 50]) as tf.Tensor2D;
    return maskedCrossEntropy(
      logits,
      tf.tensor1d([1, 2, 3, 4, 5, 6], 'int32'),
      tf.tensor1d([1, 1, 0, 1, 1, 1]),
    );
  };
  const result = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => f(img) as tf.Scalar, ps.variables());
    const dImg = tf.grad(f)(img);
    return [value, dImg, ...ps.variables().map((v) => grads[v.name])];
  });
  const arrays = result.map((t) => t.dataSync() as Float32Array);
  tf.dispose([...result, img, ids]);
  ps.dispose();
  return arrays;
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('layers on wasm', () => {
  it('train with the same gradients as on cpu, leaving no tensors behind', async () => {
    await tf.setBackend('cpu');
    const ref = gradsOnce();
    await selectBackend(nodeLoader(), 'train');
    const before = tf.memory().numTensors;
    const got = gradsOnce();
    expect(tf.memory().numTensors).toBe(before);
    expect(got.length).toBe(ref.length);
    got.forEach((g, i) => {
      const scale = Math.max(1e-3, ...ref[i].map(Math.abs));
      const err = Math.max(...g.map((v, j) => Math.abs(v - ref[i][j])));
      expect(err / scale, `tensor ${i}`).toBeLessThan(1e-3);
    });
  });
});
