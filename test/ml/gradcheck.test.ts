// Per-parameter gradient check of every model's full training loss (cross-entropy plus every
// regulariser, dropout on, as the trainer runs it) against central finite differences of the same
// loss: for each parameter tensor, the autograd gradient along random directions must match the
// numeric slope. The check must be able to fail: where a model has a regulariser, its own slope is
// far above the tolerance for some parameter, so dropping its gradient would be caught (checked
// once by hand: with the doubly stochastic term's gradient zeroed, cnn-lstm-attn fails here on the
// encoder, init-state and attention parameters).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../../src/main/ml/backend';
import { MODEL_IDS, MODELS } from '../../src/main/ml/models/registry';
import { SPECIAL_TOKENS, WordVocab } from '../../src/main/text/vocab';

// Small widths keep 2 forward passes per direction affordable; a model not listed runs its tiny preset.
const SMALL: Record<string, Record<string, unknown>> = {
  'cnn-lstm': {
    embedDim: 8,
    hidden: 12,
    dropout: 0.3,
    encoder: { kind: 'tiny-cnn', imageSize: 16, channels: [4, 6] },
  },
  'cnn-lstm-attn': {
    embedDim: 8,
    hidden: 12,
    attnDim: 8,
    dropout: 0.3,
    encoder: { kind: 'tiny-cnn', imageSize: 16, channels: [4, 6] },
  },
};
/** Central-difference steps: the larger first; the smaller when a ReLU/max-pool kink lies within it. */
const STEPS = [5e-3, 1.25e-3];
const DIRECTIONS = 2;
/** |numeric − autograd| must stay below this: 4 % (O(ε²) truncation) + float32 rounding of the loss / ε. */
const tolerance = (analytic: number, eps: number) => 0.04 * Math.abs(analytic) + 4e-7 / eps;

let start: number;
beforeAll(async () => {
  await selectBackend(nodeLoader(), 'train');
  start = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(start));

describe.each(MODEL_IDS)('%s', (id) => {
  it('autograd matches finite differences for every parameter of the full training loss', () => {
    const words = ['a', 'red', 'circle', 'blue', 'square', 'left', 'of'];
    const tokenizer = new WordVocab([...SPECIAL_TOKENS, ...words]);
    const model = MODELS[id].create({ preset: 'tiny', overrides: SMALL[id] ?? {}, seed: 3, tokenizer });
    const s = model.imageSize;
    const captions = ['a red circle left of a blue square', 'a blue square', 'a circle'];
    const t = 10;
    const ids = captions.flatMap((c) => {
      const row = [tokenizer.bosId, ...tokenizer.encode(c), tokenizer.eosId];
      return [...row, ...Array(t - row.length).fill(tokenizer.padId)];
    });
    const mask = ids.map((_, i) => (i % t <= captions[Math.floor(i / t)].split(' ').length + 1 ? 1 : 0));
    const images = tf.randomUniform([3, s, s, 3], -1, 1, 'float32', 8) as tf.Tensor4D; // [3, S, S, 3]
    const tokens = tf.tensor2d(ids, [3, t], 'int32'); // [3, T]
    const real = tf.tensor2d(mask, [3, t]); // [3, T]
    const opts = { training: true, teacherForcing: 1, seed: 5, mask: real };
    const out = () => model.loss(model.features(images), tokens, opts);
    const both = () => tf.tidy(() => out()).loss;
    const value = (f: () => tf.Scalar) => tf.tidy(() => f().dataSync()[0]);
    const loss = () => value(() => out().loss);
    const reg = () => value(() => tf.sub(out().loss, out().xent) as tf.Scalar);
    const hasReg = Math.abs(reg()) > 1e-6;

    const params = model.params.entries().filter(([n]) => !model.isBuffer(n));
    const { value: l0, grads } = tf.variableGrads(
      both,
      params.map(([, v]) => v),
    );
    l0.dispose();
    const failures: string[] = [];
    let regVisible = 0;
    params.forEach(([name, v], pi) => {
      const g = grads[v.name];
      for (let k = 0; k < DIRECTIONS; k++) {
        const d = tf.tidy(() => {
          const r = tf.randomNormal(v.shape, 0, 1, 'float32', 1000 + pi * 10 + k);
          return tf.div(r, tf.norm(r));
        });
        const analytic = tf.tidy(() => tf.sum(tf.mul(g, d)).dataSync()[0]);
        const w0 = v.clone();
        const at = (step: number, f: () => number) => {
          tf.tidy(() => v.assign(tf.add(w0, tf.mul(d, step))));
          return f();
        };
        const slope = (f: () => number, eps: number) => {
          const up = at(eps, f);
          return (up - at(-eps, f)) / (2 * eps);
        };
        const numeric = STEPS.map((eps) => slope(loss, eps));
        if (!numeric.some((n, i) => Math.abs(n - analytic) <= tolerance(analytic, STEPS[i])))
          failures.push(
            `${name} dir ${k}: autograd ${analytic.toExponential(3)}, numeric ${numeric.map((n) => n.toExponential(3))}`,
          );
        // the regulariser's own slope, far above what the check tolerates: dropping it would fail
        if (hasReg) {
          const r = slope(reg, STEPS[0]);
          if (Math.abs(r) > 3 * tolerance(analytic, STEPS[1])) regVisible++;
        }
        v.assign(w0);
        tf.dispose([d, w0]);
      }
    });
    tf.dispose([images, tokens, real, ...Object.values(grads)]);
    model.dispose();
    expect(failures, failures.join('\n')).toEqual([]);
    // every regulariser moves the loss measurably along some parameter: dropping its gradient fails above
    if (hasReg) expect(regVisible).toBeGreaterThan(0);
  });
});
