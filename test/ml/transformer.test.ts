// The transformer blocks (nn/transformer.ts) against tfjs autograd of the plain formulation on the cpu
// backend, and their values against closed forms (exact GELU, gelu_new, LayerNorm, causal softmax).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  fusedQkv,
  gelu,
  geluNew,
  layerNorm,
  linear,
  mlp,
  multiHeadAttention,
  type Proj,
} from '../../src/main/ml/nn/transformer';

const TOL = 1e-4;
const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

function expectClose(ours: tf.Tensor[], ref: tf.Tensor[]) {
  expect(ours.length).toBe(ref.length);
  ours.forEach((g, i) => {
    expect(g.shape).toEqual(ref[i].shape);
    const scale = Math.max(1, tf.max(tf.abs(ref[i])).dataSync()[0]);
    const err = tf.max(tf.abs(tf.sub(g, ref[i]))).dataSync()[0];
    expect(err, `input ${i}: max error ${err} (scale ${scale})`).toBeLessThanOrEqual(TOL * scale);
  });
}

/** Forward values and the gradients of Σ(f(xs)·up) agree between ours and the reference. */
function compareGrads(
  ours: (...x: tf.Tensor[]) => tf.Tensor,
  ref: (...x: tf.Tensor[]) => tf.Tensor,
  xs: tf.Tensor[],
) {
  tf.tidy(() => {
    const yr = ref(...xs);
    expectClose([ours(...xs)], [yr]);
    const up = rnd(yr.shape, 99);
    const go = tf.grads((...x: tf.Tensor[]) => tf.sum(tf.mul(ours(...x), up)))(xs);
    const gr = tf.grads((...x: tf.Tensor[]) => tf.sum(tf.mul(ref(...x), up)))(xs);
    expectClose(go, gr);
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('transformer blocks', () => {
  it('linear (torch layout [out, in]) with and without bias, 3-D input', () => {
    compareGrads(
      (x, w, b) => linear(x, w, b),
      (x, w, b) => tf.add(tf.matMul(x.reshape([-1, 5]), w, false, true), b).reshape([2, 3, 4]),
      [rnd([2, 3, 5], 1), rnd([4, 5], 2), rnd([4], 3)],
    );
    compareGrads(
      (x, w) => linear(x, w),
      (x, w) => tf.matMul(x, w, false, true),
      [rnd([6, 5], 4), rnd([7, 5], 5)],
    );
    expect(() => tf.tidy(() => linear(tf.zeros([2, 3]), tf.zeros([3, 4])))).toThrow(/stored \[out, in\]/);
  });

  it('exact GELU and gelu_new give their closed forms and autograd gradients', () => {
    // Φ(1) = 0.8413447460685429, so gelu(1) = 0.8413447…; gelu(−2) = −2·Φ(−2) = −0.0455002638963584
    const y = tf.tidy(() => gelu(tf.tensor1d([1, -2, 0])).dataSync());
    expect(y[0]).toBeCloseTo(0.8413447460685429, 6);
    expect(y[1]).toBeCloseTo(-0.0455002638963584, 6);
    expect(y[2]).toBe(0);
    const t = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    const yn = tf.tidy(() => geluNew(tf.tensor1d([1, -2, 3.5])).dataSync());
    [1, -2, 3.5].forEach((x, i) => expect(yn[i]).toBeCloseTo(t(x), 6));
    // gradient of gelu against finite differences of the closed form (erf via its series is exact enough)
    const xs = [-3, -1.2, -0.3, 0, 0.4, 1.7, 2.9];
    const g = tf.tidy(() =>
      tf
        .grad((x) => tf.sum(gelu(x)))(tf.tensor1d(xs))
        .dataSync(),
    );
    const pdf = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
    // Φ(x) = ½(1 + erf(x/√2)), erf by its Maclaurin series (exact to double precision for |z| < 3)
    const erf = (z: number) => {
      let term = z;
      let sum = z;
      for (let n = 1; n < 80; n++) {
        term *= (-z * z) / n;
        sum += term / (2 * n + 1);
      }
      return (2 / Math.sqrt(Math.PI)) * sum;
    };
    const cdf = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
    expect(cdf(1)).toBeCloseTo(0.8413447460685429, 12);
    xs.forEach((x, i) => {
      const want = cdf(x) + x * pdf(x);
      expect(Math.abs(g[i] - want)).toBeLessThan(1e-5);
    });
    compareGrads(
      geluNew,
      (x) =>
        tf.mul(
          tf.mul(x, 0.5),
          tf.add(1, tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI)))),
        ),
      [rnd([3, 4], 6)],
    );
  });

  it('LayerNorm uses biased variance, eps inside the root, and differentiates like autograd', () => {
    const y = tf.tidy(() =>
      layerNorm(tf.tensor2d([[1, 2, 3, 4]]), tf.ones([4]), tf.zeros([4]), 1e-12).dataSync(),
    );
    [1, 2, 3, 4].forEach((v, i) => expect(y[i]).toBeCloseTo((v - 2.5) / Math.sqrt(1.25), 6));
    // a large eps makes the difference visible: the root is of (var + eps)
    const y2 = tf.tidy(() => layerNorm(tf.tensor2d([[1, 3]]), tf.ones([2]), tf.zeros([2]), 3).dataSync());
    expect(y2[1]).toBeCloseTo(1 / 2, 6);
    compareGrads(
      (x, w, b) => layerNorm(x, w, b, 1e-5),
      (x, w, b) => {
        const m = tf.mean(x, -1, true);
        const v = tf.mean(tf.square(tf.sub(x, m)), -1, true);
        return tf.add(tf.mul(tf.div(tf.sub(x, m), tf.sqrt(tf.add(v, 1e-5))), w), b);
      },
      [rnd([2, 3, 6], 7), rnd([6], 8), rnd([6], 9)],
    );
  });

  it('multi-head attention, causal and not, matches the per-head textbook formula', () => {
    const heads = 2;
    // reference: per head slices, q kᵀ / √dh, mask above the diagonal (offset by the cached prefix)
    const ref = (causal: boolean) => (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => {
      const [b, lq, d] = q.shape as [number, number, number];
      const lk = k.shape[1] as number;
      const dh = d / heads;
      const outs: tf.Tensor[] = [];
      for (let h = 0; h < heads; h++) {
        const sl = (t: tf.Tensor, l: number) => t.slice([0, 0, h * dh], [b, l, dh]);
        let s = tf.div(tf.matMul(sl(q, lq), sl(k, lk), false, true), Math.sqrt(dh));
        if (causal) {
          const allowed = tf.linalg.bandPart(tf.ones([lk, lk]), -1, 0).slice([lk - lq, 0], [lq, lk]);
          s = tf.add(s, tf.mul(tf.sub(1, allowed), -1e9));
        }
        outs.push(tf.matMul(tf.softmax(s), sl(v, lk)));
      }
      return tf.concat(outs, 2);
    };
    for (const causal of [false, true])
      for (const [lq, lk] of [
        [4, 4],
        [2, 5],
      ]) {
        if (!causal && lq !== lk) continue;
        compareGrads((q, k, v) => multiHeadAttention(q, k, v, heads, { causal }).context, ref(causal), [
          rnd([2, lq, 6], 10),
          rnd([2, lk, 6], 11),
          rnd([2, lk, 6], 12),
        ]);
      }
    // weights: rows sum to 1, zero above the diagonal when causal
    tf.tidy(() => {
      const x = rnd([1, 3, 4], 13);
      const w = multiHeadAttention(x, x, x, 2, { causal: true }).weights;
      expect(w.shape).toEqual([1, 2, 3, 3]);
      const a = w.arraySync()[0];
      for (const head of a)
        head.forEach((row, i) => {
          expect(row.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 5);
          row.forEach((p, j) => (j > i ? expect(p).toBe(0) : undefined));
        });
    });
  });

  it('fused q/k/v projection and the MLP differentiate like autograd', () => {
    compareGrads(
      (x, w, b) => {
        const [q, k, v] = fusedQkv(x, { w, b, layout: 'conv1d' });
        return multiHeadAttention(q, k, v, 2, { causal: true }).context;
      },
      (x, w, b) => {
        const y = tf.add(tf.matMul(x.reshape([-1, 4]), w), b).reshape([2, 3, 12]);
        const [q, k, v] = tf.split(y, 3, -1);
        const heads = [0, 1].map((h) => {
          const sl = (t: tf.Tensor) => t.slice([0, 0, 2 * h], [2, 3, 2]);
          const mask = tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([3, 3]), -1, 0)), -1e9);
          const s = tf.add(tf.div(tf.matMul(sl(q), sl(k), false, true), Math.SQRT2), mask);
          return tf.matMul(tf.softmax(s), sl(v));
        });
        return tf.concat(heads, 2);
      },
      [rnd([2, 3, 4], 14), rnd([4, 12], 15), rnd([12], 16)],
    );
    compareGrads(
      (x, w1, b1, w2, b2) => {
        const fc: Proj = { w: w1, b: b1, layout: 'linear' };
        return mlp(x, fc, { w: w2, b: b2, layout: 'linear' }, 'gelu');
      },
      (x, w1, b1, w2, b2) => {
        const h = tf.add(tf.matMul(x, w1, false, true), b1);
        const g = tf.mul(tf.mul(h, 0.5), tf.add(1, tf.erf(tf.div(h, Math.SQRT2))));
        return tf.add(tf.matMul(g, w2, false, true), b2);
      },
      [rnd([5, 4], 17), rnd([8, 4], 18), rnd([8], 19), rnd([4, 8], 20), rnd([4], 21)],
    );
  });
});
