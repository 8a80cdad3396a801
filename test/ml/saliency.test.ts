// Saliency maps in one backward pass: computeMaps runs the decoder on one copy of the images per
// word and takes each copy's gradient as that word's map. The maps must equal those of one backward
// pass per word (computed here from scratch, one image and one word at a time) to 1e-5, whether
// all words fit in one pass or are split over several, with captions of different lengths, and
// leave no tensor behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../../src/main/ml/backend';
import { computeMaps } from '../../src/main/ml/decode/maps';
import type { CnnLstm } from '../../src/main/ml/models/cnnLstm';
import { lstmModel } from './build';

const V = 12;
// eos = 2; the second caption is shorter (its rows are padding for the last words of the first).
const CAPTIONS = [
  [4, 5, 6, 7, 8, 2],
  [9, 3, 2],
];

let model: CnnLstm;
let images: tf.Tensor4D;
let start: number;

/** |∂ log p(caption[t] | prefix) / ∂ pixels| of one image, max over channels, over its peak. */
function perWordMap(image: tf.Tensor4D, caption: number[], t: number): Float32Array {
  const m = tf.tidy(() => {
    const g = tf.grad((img: tf.Tensor) => {
      let state = model.encode(img as tf.Tensor4D, { inputGrad: true });
      let logits: tf.Tensor2D | null = null;
      for (let s = 0; s <= t; s++) {
        const r = model.step(state, tf.tensor1d([s === 0 ? model.bosId : caption[s - 1]], 'int32'));
        state = r.state;
        logits = r.logits;
      }
      const pick = tf.oneHot(tf.tensor1d([caption[t]], 'int32'), V).toFloat(); // [1, V]
      return tf.sum(tf.mul(tf.logSoftmax(logits!), pick));
    })(image); // [1, H, W, C]
    const a = tf.max(tf.abs(g), 3); // [1, H, W]
    return tf.div(a, tf.max(a)); // [1, H, W]
  });
  const out = m.dataSync() as Float32Array;
  m.dispose();
  return Float32Array.from(out);
}

beforeAll(async () => {
  await selectBackend(nodeLoader(), 'inference');
  start = tf.memory().numTensors;
  model = lstmModel({
    vocabSize: V,
    seed: 3,
    embedDim: 16,
    hidden: 32,
    encoder: { kind: 'tiny-cnn', imageSize: 64, channels: [8, 16, 16] },
  });
  images = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 5) as tf.Tensor4D; // [2, 64, 64, 3]
});

afterAll(() => {
  tf.dispose(images);
  model.dispose();
  expect(tf.memory().numTensors).toBe(start);
});

describe('saliency maps in one backward pass', () => {
  const expected = () =>
    CAPTIONS.map((c, i) => {
      const one = tf.slice(images, [i, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D; // [1, 64, 64, 3]
      const maps = c.map((_, t) => perWordMap(one, c, t));
      one.dispose();
      return maps;
    });

  for (const [how, pixelsPerPass] of [
    ['every word in one pass', undefined],
    ['one word per pass', 2 * 64 * 64],
    ['three words per pass (the last pass short)', 3 * 2 * 64 * 64],
  ] as const) {
    it(`equal one backward pass per word: ${how}`, async () => {
      const want = expected();
      const before = tf.memory().numTensors;
      const got = await computeMaps(model, images, CAPTIONS, { pixelsPerPass });
      expect(tf.memory().numTensors).toBe(before);
      expect([got.kind, got.height, got.width]).toEqual(['saliency', 64, 64]);
      got.maps.forEach((maps, i) => {
        expect(maps).toHaveLength(CAPTIONS[i].length);
        maps.forEach((m, t) => {
          let worst = 0;
          for (let p = 0; p < m.length; p++) worst = Math.max(worst, Math.abs(m[p] - want[i][t][p]));
          expect(worst, `image ${i}, word ${t}`).toBeLessThan(1e-5);
          expect(Math.max(...m)).toBeCloseTo(1, 5);
        });
      });
      // Different words of one image have different maps (the copies did not share a gradient).
      expect(Array.from(got.maps[0][0].slice(0, 64))).not.toEqual(Array.from(got.maps[0][3].slice(0, 64)));
    });
  }
});
