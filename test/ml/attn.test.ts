// cnn-lstm-attn on the wasm backend: config, parameter names, shapes, attention rows summing to 1,
// step-by-step = teacher forcing, the doubly stochastic regulariser, a finite-difference gradient
// check, decoding with real attention maps, checkpoint round trip, flat tensor counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../../src/main/ml/backend';
import { CnnLstmAttn, resolveAttnConfig } from '../../src/main/ml/models/cnnLstmAttn';
import { attnModel, expectSequenceEqualsSteps } from './build';
import { greedyDecode } from '../../src/main/ml/decode/search';

const V = 12;
const B = 3;
const CAPTIONS = [
  [1, 4, 5, 6, 7, 2, 0],
  [1, 8, 9, 4, 10, 11, 2],
  [1, 5, 2, 0, 0, 0, 0],
];
// small widths keep the gradient check and the test fast; the structure is the tiny preset's
const SMALL = {
  vocabSize: V,
  seed: 3,
  embedDim: 8,
  hidden: 16,
  attnDim: 8,
  encoder: { kind: 'tiny-cnn', imageSize: 32, channels: [4, 8, 8] },
} as const;
const opts = { training: false, teacherForcing: 1, seed: 0 };

let model: CnnLstmAttn;
let images: tf.Tensor4D;
let tokens: tf.Tensor2D;
let start: number;

beforeAll(async () => {
  await selectBackend(nodeLoader(), 'train');
  start = tf.memory().numTensors;
  model = attnModel(SMALL);
  images = tf.randomUniform([B, 32, 32, 3], -1, 1, 'float32', 5) as tf.Tensor4D; // [B, 32, 32, 3]
  tokens = tf.tensor2d(CAPTIONS, [B, 7], 'int32'); // [B, T]
});

afterAll(() => {
  tf.dispose([images, tokens]);
  model.dispose();
  expect(tf.memory().numTensors).toBe(start);
});

describe('config', () => {
  it('resolves the tiny preset (model B of the bench configuration), frozen, and refuses what does not fit', () => {
    const c = resolveAttnConfig({ vocabSize: 30 });
    expect(c).toMatchObject({
      preset: 'tiny',
      embedDim: 128,
      hidden: 256,
      layers: 2,
      attnDim: 128,
      alphaC: 1,
    });
    expect(c.encoder).toEqual({ kind: 'tiny-cnn', imageSize: 64, channels: [32, 64, 128] });
    expect(Object.isFrozen(c) && Object.isFrozen(c.encoder)).toBe(true);
    const full = resolveAttnConfig({ vocabSize: 30, preset: 'full' });
    expect(full.encoder).toEqual({ kind: 'inception-v3', imageSize: 299, width: 1 });
    expect(() => resolveAttnConfig({ vocabSize: 30, dropout: 1 })).toThrow(/dropout must be in \[0, 1\)/);
    expect(() => resolveAttnConfig({ vocabSize: 30, model: 'cnn-lstm' as 'cnn-lstm-attn' })).toThrow(
      /this is the cnn-lstm-attn model/,
    );
    expect(() =>
      resolveAttnConfig({ vocabSize: 30, encoder: { kind: 'inception-v3', imageSize: 64, width: 1 } }),
    ).toThrow(/at least 75 px/);
  });

  it('names its parameters like a PyTorch state dict (sgrvinod names for the attention)', () => {
    const names = model.params.entries().map(([k, v]) => `${k} [${v.shape}]`);
    expect(names).toEqual([
      'encoder.conv.0.weight [3,3,3,4]',
      'encoder.conv.0.bias [4]',
      'encoder.conv.1.weight [3,3,4,8]',
      'encoder.conv.1.bias [8]',
      'encoder.conv.2.weight [3,3,8,8]',
      'encoder.conv.2.bias [8]',
      'decoder.init_state.weight [8,16]',
      'decoder.init_state.bias [16]',
      'decoder.attention.encoder_att.weight [8,8]',
      'decoder.attention.encoder_att.bias [8]',
      'decoder.attention.decoder_att.weight [16,8]',
      'decoder.attention.decoder_att.bias [8]',
      'decoder.attention.full_att.weight [8,1]',
      'decoder.attention.full_att.bias [1]',
      'decoder.f_beta.weight [16,8]',
      'decoder.f_beta.bias [8]',
      `decoder.embed.weight [${V},8]`,
      'decoder.lstm.0.weight [32,64]', // [E + F + H, 4H]
      'decoder.lstm.0.bias [64]',
      'decoder.lstm.1.weight [32,64]',
      'decoder.lstm.1.bias [64]',
      `decoder.out.weight [24,${V}]`, // [H + F, V]
      `decoder.out.bias [${V}]`,
    ]);
  });
});

describe('forward', () => {
  it('has the documented shapes, attention rows sum to 1, and step-by-step equals the loss path', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const feats = model.features(images);
      expect(feats.shape).toEqual([B, 16, 8]); // 32 px → 4×4 grid of 8 channels
      const state = model.initState(feats);
      expect(state.proj.shape).toEqual([B, 16, 8]);
      expect(state.h1.shape).toEqual([B, 16]);
      const r = model.step(state, tf.tensor1d([1, 1, 1], 'int32'));
      expect(r.logits.shape).toEqual([B, V]);
      expect(r.attention!.shape).toEqual([B, 16]);
      const sums = tf.sum(r.attention!, 1).arraySync() as number[];
      sums.forEach((s) => expect(s).toBeCloseTo(1, 5));
      expect(tf.min(r.attention!).arraySync()).toBeGreaterThanOrEqual(0);
      expect(model.mapSize).toEqual([4, 4]);
      expect(() => model.encode(tf.zeros([1, 64, 64, 3]) as tf.Tensor4D)).toThrow(
        /expects images \[N, 32, 32, 3\]/,
      );
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('adds λ·mean (1 − Σ_t α)² to the cross-entropy, and nothing with λ = 0', () => {
    const noReg = attnModel({ ...SMALL, alphaC: 0 });
    tf.tidy(() => {
      const f = model.features(images);
      const a = model.loss(f, tokens, opts);
      const b = noReg.loss(noReg.features(images), tokens, opts);
      // same seed → same weights: the cross-entropies agree, only the regulariser differs
      expect(b.xent.arraySync()).toBeCloseTo(a.xent.arraySync(), 5);
      expect(b.loss.arraySync()).toBeCloseTo(b.xent.arraySync(), 6);
      // recompute the regulariser by hand from the step-by-step attention over the real steps
      let state = model.initState(f);
      const total = new Float32Array(B * 16);
      for (let t = 0; t < 6; t++) {
        const r = model.step(
          state,
          tf.tensor1d(
            CAPTIONS.map((c) => c[t]),
            'int32',
          ),
        );
        state = r.state;
        const att = r.attention!.arraySync() as number[][];
        CAPTIONS.forEach((c, i) => {
          if (c[t + 1] !== 0) for (let l = 0; l < 16; l++) total[i * 16 + l] += att[i][l];
        });
      }
      const reg = total.reduce((s, x) => s + (1 - x) ** 2, 0) / total.length;
      expect(a.loss.arraySync()).toBeCloseTo(a.xent.arraySync() + reg, 4);
    });
    noReg.dispose();
  });

  it('the whole-sequence loss (pure teacher forcing) equals the step path, dropout masks and gradients too', () => {
    const drop = attnModel({ ...SMALL, dropout: 0.4 });
    expectSequenceEqualsSteps(drop, images, tokens);
    drop.dispose();
  });

  it('has gradients for every parameter that match finite differences', () => {
    const vars = model.params.variables();
    const f = () => model.loss(model.features(images), tokens, opts).loss;
    const { value, grads } = tf.variableGrads(f, vars);
    value.dispose();
    for (const v of vars) {
      const g = grads[v.name];
      expect(g, v.name).toBeDefined();
      expect(Number.isFinite(tf.tidy(() => tf.sum(tf.abs(g)).arraySync())), v.name).toBe(true);
    }
    expect(
      tf.tidy(() =>
        tf.sum(tf.abs(grads[model.params.get('decoder.attention.full_att.weight').name])).arraySync(),
      ),
    ).toBeGreaterThan(0);
    // directional derivative along a random direction d: (L(w+εd) − L(w−εd)) / 2ε ≈ Σ g·d
    const eps = 1e-3;
    const dirs = vars.map((v, i) => tf.randomNormal(v.shape, 0, 0.1, 'float32', 100 + i));
    const analytic = tf.tidy(
      () => tf.addN(vars.map((v, i) => tf.sum(tf.mul(grads[v.name], dirs[i])))).arraySync() as number,
    );
    const orig = vars.map((v) => v.clone());
    const lossAt = (sign: number) => {
      vars.forEach((v, i) => tf.tidy(() => v.assign(tf.add(orig[i], tf.mul(dirs[i], sign * eps)))));
      return tf.tidy(() => f().arraySync() as number);
    };
    const numeric = (lossAt(1) - lossAt(-1)) / (2 * eps);
    vars.forEach((v, i) => v.assign(orig[i]));
    tf.dispose([...dirs, ...orig, ...Object.values(grads)]);
    expect(Math.abs(numeric - analytic) / Math.max(1e-3, Math.abs(analytic))).toBeLessThan(0.05);
  });
});

describe('decoding and checkpoints', () => {
  it('greedy decoding returns the attention of every word as its map', async () => {
    const before = tf.memory().numTensors;
    const r = await greedyDecode(model, images, { maxTokens: 5, maps: true });
    expect(r.maps!.kind).toBe('attention');
    expect([r.maps!.height, r.maps!.width]).toEqual([4, 4]);
    r.tokens.forEach((toks, i) => {
      expect(r.maps!.maps[i]).toHaveLength(toks.length);
      for (const m of r.maps!.maps[i]) expect(m.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('saves and loads weights, config and tokenizer', async () => {
    const bytes = await model.save();
    const back = CnnLstmAttn.load(bytes);
    expect(back.tokenizer.serialize()).toBe(model.tokenizer.serialize());
    expect(back.config).toEqual(model.config);
    const [a, b] = tf.tidy(() => [
      model.loss(model.features(images), tokens, opts).loss.arraySync() as number,
      back.loss(back.features(images), tokens, opts).loss.arraySync() as number,
    ]);
    expect(b).toBe(a);
    back.dispose();
  });
});
