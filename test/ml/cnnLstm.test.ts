// cnn-lstm on the wasm backend: config, shapes, the training loss = step-by-step cross-entropy, a
// 2-step Adam fit, checkpoint round trip with the tokenizer, greedy/beam decoding (beam 1 = greedy),
// saliency maps, flat tensor counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../../src/main/ml/backend';
import { CnnLstm, cnnLstmSpec, resolveConfig } from '../../src/main/ml/models/cnnLstm';
import { writeCheckpoint } from '../../src/main/ml/models/checkpoint';
import { beamDecode, greedyDecode } from '../../src/main/ml/decode/search';
import { expectSequenceEqualsSteps, lstmModel } from './build';

const V = 12;
const B = 4;
// bos=1 … eos=2, padded with 0; the third caption is shorter.
const CAPTIONS = [
  [1, 4, 5, 6, 7, 2, 0],
  [1, 8, 9, 4, 10, 11, 2],
  [1, 5, 2, 0, 0, 0, 0],
  [1, 6, 6, 7, 8, 2, 0],
];

const EVAL = { training: false, teacherForcing: 1, seed: 0 };

/** Teacher-forced logits [B, T−1, V] by running `step` word by word (what decoding does). */
function stepLogits(m: CnnLstm, x: tf.Tensor4D, tok: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    let state = m.encode(x);
    const cols = tf.unstack(tok, 1) as tf.Tensor1D[];
    const out: tf.Tensor2D[] = [];
    for (let t = 0; t < cols.length - 1; t++) {
      const r = m.step(state, cols[t]);
      state = r.state;
      out.push(r.logits);
    }
    return tf.stack(out, 1) as tf.Tensor3D;
  });
}

let model: CnnLstm;
let images: tf.Tensor4D;
let tokens: tf.Tensor2D;
let start: number;

beforeAll(async () => {
  await selectBackend(nodeLoader(), 'train');
  start = tf.memory().numTensors;
  model = lstmModel({ vocabSize: V, seed: 7 });
  images = tf.randomUniform([B, 64, 64, 3], 0, 1, 'float32', 3) as tf.Tensor4D; // [B, 64, 64, 3]
  tokens = tf.tensor2d(CAPTIONS, [B, 7], 'int32'); // [B, T]
});

afterAll(() => {
  tf.dispose([images, tokens]);
  model.dispose();
  // every test below leaves nothing behind, and neither does the model
  expect(tf.memory().numTensors).toBe(start);
});

describe('config', () => {
  it('resolves the tiny preset, frozen, and refuses what does not fit', () => {
    const c = resolveConfig({ vocabSize: 30 });
    expect(c).toMatchObject({
      preset: 'tiny',
      embedDim: 128,
      hidden: 256,
      layers: 2,
      padId: 0,
      bosId: 1,
      eosId: 2,
    });
    expect(c.encoder).toEqual({ kind: 'tiny-cnn', imageSize: 64, channels: [32, 64, 128] });
    expect(Object.isFrozen(c) && Object.isFrozen(c.encoder)).toBe(true);
    // The full preset: Inception v3 at 299 px, the attention model's decoder sizes.
    expect(resolveConfig({ vocabSize: 30, preset: 'full' })).toMatchObject({
      encoder: { kind: 'inception-v3', imageSize: 299, width: 1 },
      embedDim: 512,
      hidden: 512,
    });
    expect(() =>
      resolveConfig({
        vocabSize: 30,
        preset: 'full',
        encoder: { kind: 'inception-v3', imageSize: 40, width: 1 },
      }),
    ).toThrow(/at least 75 px/);
    expect(() => resolveConfig({ vocabSize: 30, eosId: 30 })).toThrow(/eosId 30 is not an id of the 30-word/);
    expect(() => resolveConfig({ vocabSize: 30, bosId: 0 })).toThrow(/three different ids/);
    expect(() => resolveConfig({} as { vocabSize: number })).toThrow(/vocabSize must be a positive integer/);
    expect(() =>
      resolveConfig({ vocabSize: 30, encoder: { kind: 'tiny-cnn', imageSize: 60, channels: [8, 8, 8] } }),
    ).toThrow(/imageSize must be a multiple of 8/);
  });

  it('names its parameters like a Hugging Face state dict', () => {
    const names = model.params.entries().map(([k, v]) => `${k} [${v.shape}]`);
    expect(names).toEqual([
      'encoder.conv.0.weight [3,3,3,32]',
      'encoder.conv.0.bias [32]',
      'encoder.conv.1.weight [3,3,32,64]',
      'encoder.conv.1.bias [64]',
      'encoder.conv.2.weight [3,3,64,128]',
      'encoder.conv.2.bias [128]',
      'encoder.init_state.weight [128,256]',
      'encoder.init_state.bias [256]',
      `decoder.embed.weight [${V},128]`,
      'decoder.lstm.0.weight [384,1024]',
      'decoder.lstm.0.bias [1024]',
      'decoder.lstm.1.weight [512,1024]',
      'decoder.lstm.1.bias [1024]',
      `decoder.out.weight [256,${V}]`,
      `decoder.out.bias [${V}]`,
    ]);
  });
});

describe('forward', () => {
  it('has the documented shapes and rejects images of the wrong size', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      expect(model.features(images).shape).toEqual([B, 128]);
      const state = model.encode(images);
      expect(Object.fromEntries(Object.entries(state).map(([k, t]) => [k, t.shape]))).toEqual({
        h0: [B, 256],
        c0: [B, 256],
        h1: [B, 256],
        c1: [B, 256],
      });
      const r = model.step(state, tf.tensor1d([1, 1, 1, 1], 'int32'));
      expect(r.logits.shape).toEqual([B, V]);
      expect(model.loss(model.features(images), tokens, EVAL).loss.shape).toEqual([]);
      expect(() => model.encode(tf.zeros([1, 32, 32, 3]) as tf.Tensor4D)).toThrow(
        /expects images \[N, 64, 64, 3\]/,
      );
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the training loss is the cross-entropy of the step-by-step logits, padding masked', () => {
    const [loss, manual] = tf.tidy(() => {
      const logp = tf.logSoftmax(stepLogits(model, images, tokens)).arraySync() as number[][][];
      let sum = 0;
      let n = 0;
      CAPTIONS.forEach((c, b) =>
        c.slice(1).forEach((tgt, t) => {
          if (tgt !== 0) {
            sum -= logp[b][t][tgt];
            n++;
          }
        }),
      );
      const out = model.loss(model.features(images), tokens, EVAL);
      expect(out.loss.dataSync()[0]).toBe(out.xent.dataSync()[0]); // no regulariser in cnn-lstm
      return [out.xent.dataSync()[0], sum / n];
    });
    expect(loss).toBeCloseTo(manual, 4);
    const floats = tf.tensor2d(CAPTIONS, [B, 7], 'float32');
    expect(() => tf.tidy(() => model.loss(model.features(images), floats, EVAL))).toThrow(/int32/);
    floats.dispose();
  });
});

describe('training', () => {
  it('the whole-sequence loss (pure teacher forcing) equals the step path, dropout masks and gradients too', () => {
    expectSequenceEqualsSteps(model, images, tokens);
    const drop = lstmModel({ vocabSize: V, seed: 7, dropout: 0.4 });
    expectSequenceEqualsSteps(drop, images, tokens);
    drop.dispose();
  });

  it('lowers the loss in 2 Adam steps, with a flat tensor count', async () => {
    const opt = tf.train.adam(1e-3);
    const lossNow = async () => {
      const l = tf.tidy(() => model.loss(model.features(images), tokens, EVAL).loss);
      const v = (await l.data())[0];
      l.dispose();
      return v;
    };
    const before = await lossNow();
    const counts: number[] = [];
    let after = NaN;
    for (let i = 0; i < 3; i++) {
      const l = opt.minimize(
        () => model.loss(model.features(images), tokens, EVAL).loss,
        true,
        model.params.variables(),
      );
      l?.dispose();
      counts.push(tf.memory().numTensors);
      if (i === 1) after = await lossNow(); // after 2 steps (the 3rd only checks the tensor count)
    }
    expect(after).toBeLessThan(before - 0.05);
    // Adam's moment slots appear in step 1; after that nothing accumulates
    expect(counts[1]).toBe(counts[0]);
    expect(counts[2]).toBe(counts[0]);
    opt.dispose();
  });
});

describe('checkpoint', () => {
  it('save → load gives identical outputs, config and tokenizer', async () => {
    const bytes = await model.save();
    const loaded = CnnLstm.load(bytes);
    expect(loaded.tokenizer.serialize()).toBe(model.tokenizer.serialize());
    expect(loaded.tokenizer.decode([4, 5, 2])).toBe('w4 w5');
    expect(loaded.config).toEqual(model.config);
    const [a, b] = [stepLogits(model, images, tokens), stepLogits(loaded, images, tokens)];
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    tf.dispose([a, b]);
    loaded.dispose();
    // F16 on request: half the size, outputs within half-precision rounding
    const half = await model.save({ dtype: 'F16' });
    expect(half.length).toBeLessThan(bytes.length * 0.55);
    const small = CnnLstm.load(half);
    expect(small.tokenizer.serialize()).toBe(model.tokenizer.serialize());
    const err = tf.tidy(
      () =>
        tf
          .max(tf.abs(tf.sub(stepLogits(model, images, tokens), stepLogits(small, images, tokens))))
          .dataSync()[0],
    );
    expect(err).toBeLessThan(0.05);
    small.dispose();
  });

  it('refuses a checkpoint whose weights do not fit its config, naming the tensors', async () => {
    const weights = await model.params.read();
    const smaller = { ...model.config, hidden: 64 };
    const bad = writeCheckpoint(weights, smaller, model.tokenizer.serialize());
    const before = tf.memory().numTensors;
    expect(() => CnnLstm.load(bad)).toThrow(
      /wrong shape: encoder\.init_state\.weight \(model \[128,64\], file \[128,256\]\)/,
    );
    expect(tf.memory().numTensors).toBe(before);
    const other = writeCheckpoint(weights, { model: 'vit-gpt2' });
    expect(() => CnnLstm.load(other)).toThrow(/of a vit-gpt2 model, not cnn-lstm/);
    const noTokenizer = writeCheckpoint(weights, model.config);
    expect(() => cnnLstmSpec.load(noTokenizer)).toThrow(/has no tokenizer/);
  });
});

describe('decoding', () => {
  const two = () => tf.slice(images, [0, 0, 0, 0], [2, 64, 64, 3]) as tf.Tensor4D;

  it('greedy: batched equals one image at a time; probabilities in (0, 1]', async () => {
    const x = two();
    const before = tf.memory().numTensors;
    const both = await greedyDecode(model, x, { maxTokens: 8 });
    const one = tf.slice(x, [1, 0, 0, 0], [1, 64, 64, 3]) as tf.Tensor4D;
    const alone = await greedyDecode(model, one, { maxTokens: 8 });
    one.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(both.tokens[1]).toEqual(alone.tokens[0]);
    both.tokens.forEach((t, i) => {
      expect(t.length).toBeGreaterThan(0);
      expect(t.length).toBeLessThanOrEqual(8);
      expect(t.slice(0, -1)).not.toContain(model.eosId); // stops at the first eos
      expect(both.probs[i].length).toBe(t.length);
      both.probs[i].forEach((p) => expect(p > 0 && p <= 1).toBe(true));
      expect(both.scores[i]).toBeCloseTo(
        both.probs[i].reduce((s, p) => s + Math.log(p), 0),
        4,
      );
    });
    x.dispose();
  });

  it('beam width 1 equals greedy, also with no-repeat n-grams', async () => {
    const x = two();
    for (const noRepeatNgram of [0, 2]) {
      const g = await greedyDecode(model, x, { maxTokens: 10, noRepeatNgram });
      const b = await beamDecode(model, x, { width: 1, maxTokens: 10, noRepeatNgram });
      expect(b.tokens).toEqual(g.tokens);
      b.probs.forEach((ps, i) => ps.forEach((p, t) => expect(p).toBeCloseTo(g.probs[i][t], 5)));
    }
    x.dispose();
  });

  it('no-repeat 1-grams never repeat a word; beam width 3 is valid and leak-free', async () => {
    const x = two();
    const before = tf.memory().numTensors;
    const g = await greedyDecode(model, x, { maxTokens: 10, noRepeatNgram: 1 });
    for (const t of g.tokens) expect(new Set(t).size).toBe(t.length);
    const b = await beamDecode(model, x, { width: 3, maxTokens: 10, lengthPenalty: 1 });
    expect(tf.memory().numTensors).toBe(before);
    b.tokens.forEach((t, i) => {
      expect(t.length).toBeGreaterThan(0);
      expect(t.length).toBeLessThanOrEqual(10);
      expect(t.every((id) => id >= 0 && id < V && id !== model.bosId)).toBe(true);
      expect(b.probs[i].length).toBe(t.length);
      const words = t[t.length - 1] === model.eosId ? t.length - 1 : t.length;
      const sum = b.probs[i].reduce((s, p) => s + Math.log(p), 0);
      expect(b.scores[i]).toBeCloseTo(sum / Math.max(1, words), 4);
    });
    x.dispose();
  });

  it('returns one saliency map per word, normalised to [0, 1]', async () => {
    const x = two();
    const before = tf.memory().numTensors;
    const r = await greedyDecode(model, x, { maxTokens: 4, maps: true });
    expect(tf.memory().numTensors).toBe(before);
    const m = r.maps!;
    expect([m.kind, m.height, m.width]).toEqual(['saliency', 64, 64]);
    r.tokens.forEach((t, i) => {
      expect(m.maps[i].length).toBe(t.length);
      for (const map of m.maps[i]) {
        expect(map.length).toBe(64 * 64);
        expect(Math.max(...map)).toBeCloseTo(1, 5);
        expect(Math.min(...map)).toBeGreaterThanOrEqual(0);
      }
    });
    // the two images get different maps
    expect(Array.from(m.maps[0][0].slice(0, 50))).not.toEqual(Array.from(m.maps[1][0].slice(0, 50)));
    x.dispose();
  });
});
