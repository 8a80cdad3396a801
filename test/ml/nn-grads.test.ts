// Hand-written gradients (ops.ts) and layers against tfjs autograd of the plain formulation, on the
// cpu backend (the reference kernels). Tolerance: max |ours − autograd| ≤ 1e-4 · max(1, max |autograd|).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  batchMatMul,
  conv2dSame,
  convFilterGrad,
  dense,
  embeddingLookup,
  maskedCrossEntropy,
  matMul2d,
  matMulTransposedB,
} from '../../src/main/ml/nn/ops';
import { ParamStore } from '../../src/main/ml/nn/module';
import { LstmCell } from '../../src/main/ml/nn/lstm';
import { lstmSequence } from '../../src/main/ml/nn/lstmSequence';
import { LayerNorm } from '../../src/main/ml/nn/layers';
import { AdditiveAttention, MultiHeadAttention } from '../../src/main/ml/nn/attention';

const TOL = 1e-4;
const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

/** Asserts two lists of tensors agree within the tolerance; disposes nothing. */
function expectClose(ours: tf.Tensor[], ref: tf.Tensor[]) {
  expect(ours.length).toBe(ref.length);
  ours.forEach((g, i) => {
    expect(g.shape).toEqual(ref[i].shape);
    const scale = Math.max(1, tf.max(tf.abs(ref[i])).dataSync()[0]);
    const err = tf.max(tf.abs(tf.sub(g, ref[i]))).dataSync()[0];
    expect(err, `input ${i}: max error ${err} (scale ${scale})`).toBeLessThanOrEqual(TOL * scale);
  });
}

/** Gradients of Σ(f(xs) · up) for ours and the reference, with a fixed random upstream gradient. */
function compareGrads(
  ours: (...x: tf.Tensor[]) => tf.Tensor,
  ref: (...x: tf.Tensor[]) => tf.Tensor,
  xs: tf.Tensor[],
) {
  tf.tidy(() => {
    const yo = ours(...xs);
    const yr = ref(...xs);
    expectClose([yo], [yr]); // same forward value
    const up = rnd(yr.shape, 99);
    const go = tf.grads((...x: tf.Tensor[]) => tf.sum(tf.mul(ours(...x), up)))(xs);
    const gr = tf.grads((...x: tf.Tensor[]) => tf.sum(tf.mul(ref(...x), up)))(xs);
    expectClose(go, gr);
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('hand-written gradients match autograd (cpu backend)', () => {
  it('matMul2d and dense (3-D input folded to 2-D)', () => {
    compareGrads(
      (a, b) => matMul2d(a as tf.Tensor2D, b as tf.Tensor2D),
      (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
      [rnd([5, 7], 1), rnd([7, 3], 2)],
    );
    compareGrads(
      (x, w, b) => dense(x, w as tf.Tensor2D, b as tf.Tensor1D),
      (x, w, b) => tf.add(tf.matMul(x.reshape([-1, 7]), w as tf.Tensor2D), b).reshape([2, 3, 4]),
      [rnd([2, 3, 7], 3), rnd([7, 4], 4), rnd([4], 5)],
    );
  });

  it('conv2dSame 3×3 and 5×5, with and without ReLU', () => {
    for (const [k, relu] of [
      [3, true],
      [5, false],
    ] as const) {
      compareGrads(
        (x, w, b) =>
          conv2dSame(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, { relu, inputGrad: true }),
        (x, w, b) => {
          const y = tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), b);
          return relu ? tf.relu(y) : y;
        },
        [rnd([2, 6, 5, 3], 6), rnd([k, k, 3, 4], 7), rnd([4], 8)],
      );
    }
  });

  it('conv2dSame without parameter gradients (saliency) gives the right dX and zeros for dW and db', () => {
    tf.tidy(() => {
      const x = rnd([2, 5, 5, 2], 12) as tf.Tensor4D;
      const w = rnd([3, 3, 2, 3], 13) as tf.Tensor4D;
      const b = rnd([3], 14);
      const opts = { relu: true, inputGrad: true, paramGrad: false };
      const [dx, dw, db] = tf.grads((x, w, b) =>
        tf.sum(tf.square(conv2dSame(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, opts))),
      )([x, w, b]);
      const ref = tf.grad((x) =>
        tf.sum(tf.square(tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, w, 1, 'same'), b)))),
      )(x);
      expectClose([dx], [ref]);
      expect(tf.max(tf.abs(dw)).dataSync()[0]).toBe(0);
      expect(tf.max(tf.abs(db)).dataSync()[0]).toBe(0);
    });
  });

  it('conv2dSame without input gradient gives zeros for x and the right dW', () => {
    tf.tidy(() => {
      const x = rnd([1, 4, 4, 2], 9) as tf.Tensor4D;
      const w = rnd([3, 3, 2, 3], 10) as tf.Tensor4D;
      const b = rnd([3], 11);
      const [dx, dw] = tf.grads((x, w, b) =>
        tf.sum(
          conv2dSame(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, { relu: false, inputGrad: false }),
        ),
      )([x, w, b]);
      expect(tf.max(tf.abs(dx)).dataSync()[0]).toBe(0);
      const ref = tf.grad((w) => tf.sum(tf.conv2d(x, w as tf.Tensor4D, 1, 'same')))(w);
      expectClose([dw], [ref]);
      expectClose([convFilterGrad(x, tf.onesLike(tf.conv2d(x, w, 1, 'same')), 3)], [ref]);
    });
  });

  it('dy @ wᵀ both ways round (the smaller operand transposed) equals the transposed-flag matMul', () => {
    tf.tidy(() => {
      for (const [m, k, n] of [
        [3, 40, 50],
        [60, 5, 4],
      ]) {
        const dy = rnd([m, n], 20) as tf.Tensor2D;
        const w = rnd([k, n], 21) as tf.Tensor2D;
        expectClose([matMulTransposedB(dy, w)], [tf.matMul(dy, w, false, true)]);
      }
    });
  });

  it('embedding lookup sums the gradient of repeated ids (scatterND)', () => {
    const ids = tf.tensor2d([3, 1, 3, 0, 3, 1], [2, 3], 'int32');
    compareGrads(
      (e) => embeddingLookup(e as tf.Tensor2D, ids),
      (e) => tf.gather(e, ids.reshape([-1])).reshape([2, 3, 4]),
      [rnd([6, 4], 12)],
    );
    ids.dispose();
  });

  it('embedding gradient at GPT-2 vocabulary size (50257) stays exact', () => {
    const ids = tf.tensor1d([50256, 7, 50256, 1234, 7, 0], 'int32');
    compareGrads(
      (e) => embeddingLookup(e as tf.Tensor2D, ids),
      (e) => tf.gather(e, ids),
      [rnd([50257, 8], 28)],
    );
    ids.dispose();
  });

  it('batchMatMul', () => {
    compareGrads(
      (a, b) => batchMatMul(a as tf.Tensor3D, b as tf.Tensor3D),
      (a, b) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
      [rnd([3, 4, 5], 13), rnd([3, 5, 2], 14)],
    );
  });

  it('masked cross-entropy ignores masked rows and matches log-softmax · one-hot', () => {
    const targets = tf.tensor1d([2, 0, 4, 1], 'int32');
    const mask = tf.tensor1d([1, 0, 1, 1]);
    compareGrads(
      (l) => maskedCrossEntropy(l as tf.Tensor2D, targets, mask),
      (l) =>
        tf.div(
          tf.neg(tf.sum(tf.mul(tf.sum(tf.mul(tf.logSoftmax(l), tf.oneHot(targets, 5).toFloat()), 1), mask))),
          3,
        ),
      [rnd([4, 5], 15)],
    );
    tf.dispose([targets, mask]);
  });
});

describe('layers', () => {
  it('LSTM cell matches the textbook equations with separate gate matrices', () => {
    const ps = new ParamStore(3);
    const cell = new LstmCell(ps, 'lstm', 3, 4);
    expect(ps.entries().map(([k, v]) => [k, v.shape])).toEqual([
      ['lstm.weight', [7, 16]],
      ['lstm.bias', [16]],
    ]);
    const ref = (x: tf.Tensor, h: tf.Tensor, c: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => {
      const z = tf.add(
        tf.add(tf.matMul(x, w.slice([0, 0], [3, 16])), tf.matMul(h, w.slice([3, 0], [4, 16]))),
        b,
      );
      const gate = (i: number) => z.slice([0, 4 * i], [-1, 4]);
      const c2 = tf.add(tf.mul(tf.sigmoid(gate(1)), c), tf.mul(tf.sigmoid(gate(0)), tf.tanh(gate(2))));
      return tf.concat([tf.mul(tf.sigmoid(gate(3)), tf.tanh(c2)), c2], 1);
    };
    const ours = (x: tf.Tensor, h: tf.Tensor, c: tf.Tensor) => {
      const s = cell.step(x as tf.Tensor2D, { h: h as tf.Tensor2D, c: c as tf.Tensor2D });
      return tf.concat([s.h, s.c], 1);
    };
    // the reference gets the variables' values as plain tensors, so autograd can differentiate them
    const w = tf.clone(cell.weight);
    const b = tf.clone(cell.bias);
    compareGrads(
      (x, h, c) => ours(x, h, c),
      (x, h, c) => ref(x, h, c, w, b),
      [rnd([2, 3], 16), rnd([2, 4], 17), rnd([2, 4], 18)],
    );
    tf.tidy(() => {
      const x = rnd([2, 3], 19);
      const h = rnd([2, 4], 20);
      const c = rnd([2, 4], 21);
      const up = rnd([2, 8], 22);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(ours(x, h, c), up)), ps.variables());
      const gr = tf.grads((w, b) => tf.sum(tf.mul(ref(x, h, c, w, b), up)))([w, b]);
      expectClose([grads[cell.weight.name]], [gr[0]]);
      expectClose([grads[cell.bias.name]], [gr[1]]);
    });
    tf.dispose([w, b]);
    ps.dispose();
  });

  it('LSTM over a whole sequence (hand-written BPTT) equals stepping the cell, values and gradients', () => {
    const [steps, b, inDim, hid] = [4, 3, 5, 2];
    const ps = new ParamStore(7);
    const cell = new LstmCell(ps, 'lstm', inDim, hid);
    // the stepped reference, autograd through LstmCell.step, with the weights as inputs
    const stepped = (x: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor, w: tf.Tensor, bias: tf.Tensor) => {
      let h = h0 as tf.Tensor2D;
      let c = c0 as tf.Tensor2D;
      const hs: tf.Tensor[] = [];
      for (let t = 0; t < steps; t++) {
        const xt = tf.slice(x, [t * b, 0], [b, inDim]); // time-major rows
        const z = tf.add(tf.matMul(tf.concat([xt, h], 1), w), bias);
        const [i, f, g, o] = tf.split(z, 4, 1);
        c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g))) as tf.Tensor2D;
        h = tf.mul(tf.sigmoid(o), tf.tanh(c)) as tf.Tensor2D;
        hs.push(h);
      }
      return tf.concat(hs, 0);
    };
    const w = rnd([inDim + hid, 4 * hid], 40);
    const bias = rnd([4 * hid], 41);
    compareGrads(
      (x, h0, c0, ww, bb) =>
        lstmSequence(
          x as tf.Tensor2D,
          h0 as tf.Tensor2D,
          c0 as tf.Tensor2D,
          ww as tf.Tensor2D,
          bb as tf.Tensor1D,
          steps,
        ),
      stepped,
      [rnd([steps * b, inDim], 42), rnd([b, hid], 43), rnd([b, hid], 44), w, bias],
    );
    // the cell's method uses its own weight and bias, and refuses rows that are not steps × batch
    tf.tidy(() => {
      const x = rnd([steps * b, inDim], 45) as tf.Tensor2D;
      const h0 = rnd([b, hid], 46) as tf.Tensor2D;
      const seq = cell.sequence(x, { h: h0, c: h0 }, steps);
      expectClose([seq], [stepped(x, h0, h0, cell.weight, cell.bias)]);
      expect(() => cell.sequence(x, { h: h0, c: h0 }, steps + 1)).toThrow(/not 5 steps × batch 3/);
    });
    tf.dispose([w, bias]);
    ps.dispose();
  });

  it('layer norm normalises with biased variance and eps inside the root', () => {
    const ps = new ParamStore();
    const ln = new LayerNorm(ps, 'ln', 4, 1e-5);
    const y = tf.tidy(() => ln.apply(tf.tensor2d([[1, 2, 3, 4]])));
    const mean = 2.5;
    const varB = 1.25; // mean of squared deviations (biased)
    const want = [1, 2, 3, 4].map((v) => (v - mean) / Math.sqrt(varB + 1e-5));
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    y.dispose();
    ps.dispose();
  });

  it('additive attention weights sum to 1 and the context is their weighted sum', () => {
    const ps = new ParamStore(4);
    const att = new AdditiveAttention(ps, 'att', 3, 5, 6);
    tf.tidy(() => {
      const f = rnd([2, 4, 3], 23) as tf.Tensor3D;
      const { context, weights } = att.attend(f, att.project(f), rnd([2, 5], 24) as tf.Tensor2D);
      expect(weights.shape).toEqual([2, 4]);
      expectClose([tf.sum(weights, 1)], [tf.ones([2])]);
      const manual = tf.stack(
        [0, 1].map((i) =>
          tf
            .matMul(weights.slice([i, 0], [1, 4]), f.slice([i, 0, 0], [1, 4, 3]).reshape([4, 3]))
            .reshape([3]),
        ),
      );
      expectClose([context], [manual]);
    });
    ps.dispose();
  });

  it('multi-head self attention: causal, cache gives the same output, gradients match', () => {
    const ps = new ParamStore(5);
    const mha = new MultiHeadAttention(ps, 'attn', 8, 2, { cross: false, causal: true, std: 0.5 });
    tf.tidy(() => {
      const x = rnd([2, 5, 8], 25) as tf.Tensor3D;
      const full = mha.apply(x);
      expect(full.out.shape).toEqual([2, 5, 8]);
      // causal: no weight on later positions
      const w = full.weights.arraySync();
      expect(w[1][1][2][3]).toBe(0);
      // incremental decoding with the key/value cache reproduces the full pass
      let past = mha.apply(x.slice([0, 0, 0], [2, 3, 8]) as tf.Tensor3D).present;
      const step = mha.apply(x.slice([0, 3, 0], [2, 1, 8]) as tf.Tensor3D, { past });
      past = step.present;
      expect(past.k.shape).toEqual([2, 2, 4, 4]);
      expectClose([step.out], [full.out.slice([0, 3, 0], [2, 1, 8])]);
      // gradient w.r.t. x equals autograd of a plain formulation with transpose flags
      const ref = (xx: tf.Tensor) => {
        const p = (d: { weight: tf.Variable; bias: tf.Variable }, t: tf.Tensor) =>
          tf.add(tf.matMul(t.reshape([-1, 8]), d.weight), d.bias);
        const qkv = p(mha.cAttn, xx).reshape([2, 5, 3, 2, 4]).transpose([2, 0, 3, 1, 4]); // [3, B, H, L, dh]
        const [q, k, v] = tf.unstack(qkv).map((t) => t.reshape([4, 5, 4]));
        const s = tf.add(
          tf.mul(tf.matMul(q, k, false, true), 0.5),
          tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([5, 5]), -1, 0)), -1e9),
        );
        const o = tf.matMul(tf.softmax(s), v).reshape([2, 2, 5, 4]).transpose([0, 2, 1, 3]);
        return p(mha.cProj, o).reshape([2, 5, 8]);
      };
      compareGrads((xx) => mha.apply(xx as tf.Tensor3D).out, ref, [x]);
    });
    ps.dispose();
  });

  it('multi-head cross attention attends over the source with rows summing to 1', () => {
    const ps = new ParamStore(6);
    const mha = new MultiHeadAttention(ps, 'cross', 8, 4, { cross: true, causal: false });
    expect(ps.entries().map(([k]) => k)).toEqual([
      'cross.q_attn.weight',
      'cross.q_attn.bias',
      'cross.c_attn.weight',
      'cross.c_attn.bias',
      'cross.c_proj.weight',
      'cross.c_proj.bias',
    ]);
    tf.tidy(() => {
      const source = mha.crossKeyValue(rnd([2, 6, 8], 26) as tf.Tensor3D);
      const r = mha.apply(rnd([2, 3, 8], 27) as tf.Tensor3D, { source });
      expect(r.out.shape).toEqual([2, 3, 8]);
      expect(r.weights.shape).toEqual([2, 4, 3, 6]);
      expectClose([tf.sum(r.weights, 3)], [tf.ones([2, 4, 3])]);
    });
    ps.dispose();
  });
});
