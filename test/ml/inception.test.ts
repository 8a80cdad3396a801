// Inception v3 in torchvision layout: a generated checkpoint in the published naming (reduced width,
// conv weights [Co, Ci, kh, kw]) loads by name and is transposed right; a broken one is refused with
// every problem listed; the strided/asymmetric conv gradient matches finite differences; and the
// `full` cnn-lstm-attn preset at width 1/8 loads, runs forward at 299 px and takes a training step;
// a training run loads a local weights file into its encoder (`encoderWeights`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../../src/main/ml/backend';
import { ParamStore } from '../../src/main/ml/nn/module';
import { InceptionV3 } from '../../src/main/ml/models/inceptionV3';
import type { CnnLstmAttn } from '../../src/main/ml/models/cnnLstmAttn';
import { attnModel as createCnnLstmAttn, lstmModel } from './build';
import { readSafetensors, writeSafetensors } from '../../src/main/ml/weights/safetensors';
import { Adam } from '../../src/main/ml/train/optim';
import { mulberry32 } from '../../src/main/util/rng';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { train, type TrainData, type TrainPartial } from '../../src/main/ml/train/index';

const WIDTH = 0.125;
let start: number;
beforeAll(async () => {
  await selectBackend(nodeLoader(), 'train');
  start = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(start));

/**
 * A torchvision-named state dict for an encoder of this width: He-scaled seeded conv weights (so
 * activations survive 94 ReLU blocks, as with real ImageNet weights), BatchNorm γ 1, β 0.05, μ 0, σ² 1.
 */
function torchvisionCheckpoint(
  net: InceptionV3,
  edit?: (m: Map<string, { shape: number[]; data: Float32Array }>) => void,
) {
  const m = new Map<string, { shape: number[]; data: Float32Array }>();
  const rng = mulberry32(42);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  for (const [name, shape] of net.expected()) {
    const n = shape.reduce((a, b) => a * b, 1);
    const fanIn = shape.length === 4 ? shape[1] * shape[2] * shape[3] : 1;
    const fill = name.endsWith('conv.weight')
      ? () => normal() * Math.sqrt(2 / fanIn)
      : () =>
          ({ 'bn.weight': 1, 'bn.bias': 0.05, 'bn.running_mean': 0, 'bn.running_var': 1 })[
            name.split('.').slice(-2).join('.')
          ]!;
    m.set(name, { shape, data: Float32Array.from({ length: n }, fill) });
  }
  // the classifier and auxiliary head of the published file are not part of the encoder
  m.set('fc.weight', { shape: [1000, net.channels], data: new Float32Array(1000 * net.channels) });
  m.set('AuxLogits.fc.bias', { shape: [1000], data: new Float32Array(1000) });
  edit?.(m);
  return writeSafetensors(new Map([...m].map(([n, t]) => [n, { ...t, dtype: 'F32' as const }])));
}

describe('Inception v3 encoder', () => {
  it('has torchvision names and shapes at width 1 (Mixed_7c → 2048 channels on an 8×8 grid)', () => {
    const ps = new ParamStore(1);
    const net = new InceptionV3(ps, '', { imageSize: 299, width: 1 });
    const e = net.expected();
    expect(net.channels).toBe(2048);
    expect(net.grid).toEqual([8, 8]);
    expect(e.get('Conv2d_1a_3x3.conv.weight')).toEqual([32, 3, 3, 3]);
    expect(e.get('Mixed_5b.branch5x5_2.conv.weight')).toEqual([64, 48, 5, 5]);
    expect(e.get('Mixed_6b.branch7x7_2.conv.weight')).toEqual([128, 128, 1, 7]);
    expect(e.get('Mixed_7c.branch3x3dbl_3b.conv.weight')).toEqual([384, 384, 3, 1]);
    expect(e.get('Mixed_7c.branch_pool.bn.running_var')).toEqual([192]);
    // 94 BasicConv2d blocks: 5 stem + 3×7 A + 4 B + 4×10 C + 6 D + 2×9 E
    expect(net.convs).toHaveLength(94);
    // 21.8M encoder weights: torchvision's 27.2M minus the classifier (2.05M) and aux head (3.33M)
    expect(ps.count()).toBe([...e.values()].reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0));
    ps.dispose();
  });

  it('loads a generated checkpoint in the published naming, conv weights transposed to [kh, kw, Ci, Co]', () => {
    const model = createCnnLstmAttn({
      vocabSize: 12,
      preset: 'full',
      encoder: { kind: 'inception-v3', imageSize: 299, width: WIDTH },
      embedDim: 16,
      hidden: 32,
      attnDim: 16,
    });
    const ps = new ParamStore(2);
    const net = new InceptionV3(ps, '', { imageSize: 299, width: WIDTH });
    const bytes = torchvisionCheckpoint(net);
    const r = model.loadEncoderWeights(bytes);
    expect(r.loaded).toBe(net.expected().size);
    expect(r.skipped.sort()).toEqual(['AuxLogits.fc.bias', 'fc.weight']);
    // torch [Co, Ci, kh, kw] at [o, c, i, j] is ours [kh, kw, Ci, Co] at [i, j, c, o]
    const w = model.params.get('encoder.Mixed_6b.branch7x7_2.conv.weight'); // [1, 7, 16, 16]
    const torchShape = net.expected().get('Mixed_6b.branch7x7_2.conv.weight')!; // [16, 16, 1, 7]
    const src = readSafetensors(bytes).float32('Mixed_6b.branch7x7_2.conv.weight');
    const ours = w.arraySync() as number[][][][];
    const [co, ci, kh, kw] = torchShape;
    for (const [o, c, i, j] of [
      [0, 0, 0, 0],
      [3, 5, 0, 6],
      [co - 1, ci - 1, kh - 1, kw - 1],
    ])
      expect(ours[i][j][c][o]).toBe(src[((o * ci + c) * kh + i) * kw + j]);
    expect((model.params.get('encoder.Conv2d_1a_3x3.bn.bias').arraySync() as number[])[0]).toBeCloseTo(
      0.05,
      7,
    );
    model.dispose();
    ps.dispose();
  });

  it('refuses a broken checkpoint and lists missing, unexpected and mis-shaped tensors', () => {
    const model = createCnnLstmAttn({
      vocabSize: 12,
      preset: 'full',
      encoder: { kind: 'inception-v3', imageSize: 299, width: WIDTH },
      embedDim: 16,
      hidden: 32,
      attnDim: 16,
    });
    const before = model.params.get('encoder.Mixed_5b.branch1x1.conv.weight').arraySync();
    const ps = new ParamStore(3);
    const net = new InceptionV3(ps, '', { imageSize: 299, width: WIDTH });
    const bytes = torchvisionCheckpoint(net, (m) => {
      m.delete('Mixed_5b.branch1x1.conv.weight');
      m.delete('Mixed_7c.branch_pool.bn.running_mean');
      m.set('Mixed_8a.conv.weight', { shape: [1], data: new Float32Array(1) });
      m.set('Conv2d_1a_3x3.conv.weight', { shape: [32, 3, 3, 3], data: new Float32Array(864) }); // a width-1 tensor
    });
    let err: Error | null = null;
    try {
      model.loadEncoderWeights(bytes);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).toMatch(
      /missing 2: Mixed_5b\.branch1x1\.conv\.weight, Mixed_7c\.branch_pool\.bn\.running_mean/,
    );
    expect(err?.message).toMatch(/unexpected 1: Mixed_8a\.conv\.weight/);
    expect(err?.message).toMatch(
      /wrong shape 1: Conv2d_1a_3x3\.conv\.weight \(expected \[4,3,3,3\], file \[32,3,3,3\]\)/,
    );
    // nothing was assigned
    expect(model.params.get('encoder.Mixed_5b.branch1x1.conv.weight').arraySync()).toEqual(before);
    model.dispose();
    ps.dispose();
  });
});

describe('the full cnn-lstm-attn preset at width 1/8', () => {
  let model: CnnLstmAttn;
  it('loads weights, runs forward at 299 px and takes one training step that lowers the loss', async () => {
    model = createCnnLstmAttn({
      vocabSize: 12,
      preset: 'full',
      encoder: { kind: 'inception-v3', imageSize: 299, width: WIDTH },
      embedDim: 16,
      hidden: 32,
      attnDim: 16,
      dropout: 0,
    });
    const ps = new ParamStore(4);
    const net = new InceptionV3(ps, '', { imageSize: 299, width: WIDTH });
    model.loadEncoderWeights(torchvisionCheckpoint(net));
    ps.dispose();
    const images = tf.randomUniform([2, 299, 299, 3], -1, 1, 'float32', 9) as tf.Tensor4D;
    const tokens = tf.tensor2d(
      [
        [1, 4, 5, 2],
        [1, 6, 2, 0],
      ],
      [2, 4],
      'int32',
    );
    const feats = tf.tidy(() => model.features(images));
    expect(feats.shape).toEqual([2, 64, 256]); // 8×8 positions × 2048/8 channels
    expect(model.mapSize).toEqual([8, 8]);
    feats.dispose();
    const opts = { training: true, teacherForcing: 1, seed: 1 };
    const params = model.params.entries().filter(([n]) => !model.isBuffer(n));
    expect(params.some(([n]) => n.endsWith('running_mean'))).toBe(false);
    const lossOf = () =>
      tf.tidy(() => model.loss(model.features(images), tokens, opts).loss.arraySync() as number);
    const before = lossOf();
    const { value, grads } = tf.variableGrads(
      () => model.loss(model.features(images), tokens, opts).loss,
      params.map(([, v]) => v),
    );
    value.dispose();
    const named = new Map(params.map(([n, v]) => [n, grads[v.name]]));
    // the encoder learns too: the first conv (stride 2) and a 1×7 conv get non-zero, finite gradients
    for (const n of [
      'encoder.Conv2d_1a_3x3.conv.weight',
      'encoder.Mixed_6b.branch7x7_2.conv.weight',
      'encoder.Mixed_7c.branch1x1.bn.weight',
    ]) {
      const s = tf.tidy(() => tf.sum(tf.abs(named.get(n)!)).arraySync() as number);
      expect(Number.isFinite(s) && s > 0, n).toBe(true);
    }
    const adam = new Adam({ kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    await adam.apply(params, named, 1e-3, 5);
    tf.dispose(Object.values(grads));
    adam.dispose();
    expect(lossOf()).toBeLessThan(before);
    tf.dispose([images, tokens]);
    model.dispose();
  });
});

describe('the full cnn-lstm preset at width 1/8', () => {
  it('loads weights, pools Inception features into the LSTM state and takes a step that lowers the loss', async () => {
    const model = lstmModel({
      vocabSize: 12,
      preset: 'full',
      encoder: { kind: 'inception-v3', imageSize: 299, width: WIDTH },
      embedDim: 16,
      hidden: 32,
    });
    const ps = new ParamStore(4);
    const net = new InceptionV3(ps, '', { imageSize: 299, width: WIDTH });
    expect(model.loadEncoderWeights(torchvisionCheckpoint(net)).loaded).toBe(net.expected().size);
    ps.dispose();
    const images = tf.randomUniform([2, 299, 299, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
    const tokens = tf.tensor2d(
      [
        [1, 4, 5, 2],
        [1, 6, 2, 0],
      ],
      [2, 4],
      'int32',
    );
    const feats = tf.tidy(() => model.features(images));
    expect(feats.shape).toEqual([2, 256]); // pooled 2048/8 channels
    feats.dispose();
    expect(model.isEncoderParam('encoder.Mixed_7c.branch1x1.conv.weight')).toBe(true);
    expect(model.isEncoderParam('encoder.init_state.weight')).toBe(false);
    expect(model.isBuffer('encoder.Mixed_7c.branch1x1.bn.running_var')).toBe(true);
    const opts = { training: true, teacherForcing: 1, seed: 1 };
    const params = model.params.entries().filter(([n]) => !model.isBuffer(n));
    const lossOf = () =>
      tf.tidy(() => model.loss(model.features(images), tokens, opts).loss.arraySync() as number);
    const before = lossOf();
    const { value, grads } = tf.variableGrads(
      () => model.loss(model.features(images), tokens, opts).loss,
      params.map(([, v]) => v),
    );
    value.dispose();
    const named = new Map(params.map(([n, v]) => [n, grads[v.name]]));
    const adam = new Adam({ kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    await adam.apply(params, named, 1e-3, 5);
    tf.dispose(Object.values(grads));
    adam.dispose();
    expect(lossOf()).toBeLessThan(before);
    tf.dispose([images, tokens]);
    model.dispose();
  });
});

describe('strided, asymmetric conv gradient', () => {
  it('matches finite differences for the filter and the input', () => {
    const ps = new ParamStore(5);
    const net = new InceptionV3(ps, '', { imageSize: 75, width: WIDTH });
    const block = net.convs.find((b) => b.spec.name === 'Conv2d_1a_3x3')!; // 3×3, stride 2, no padding
    const x = tf.randomNormal([1, 9, 9, 3], 0, 1, 'float32', 3);
    const f = (xx: tf.Tensor) => tf.sum(tf.square(block.apply(xx as tf.Tensor4D)));
    const gx = tf.grad(f)(x);
    const { grads, value } = tf.variableGrads(() => f(x) as tf.Scalar, [block.weight]);
    value.dispose();
    const gw = grads[block.weight.name];
    const eps = 1e-3;
    const dir = (t: tf.Tensor, seed: number) => tf.randomNormal(t.shape, 0, 1, 'float32', seed);
    const dx = dir(x, 11);
    const dw = dir(block.weight, 12);
    const num = (fn: (s: number) => number) => (fn(eps) - fn(-eps)) / (2 * eps);
    const numX = num((s) => tf.tidy(() => f(tf.add(x, tf.mul(dx, s))).arraySync() as number));
    const w0 = block.weight.clone();
    const numW = num((s) =>
      tf.tidy(() => (block.weight.assign(tf.add(w0, tf.mul(dw, s))), f(x).arraySync() as number)),
    );
    block.weight.assign(w0);
    const anaX = tf.tidy(() => tf.sum(tf.mul(gx, dx)).arraySync() as number);
    const anaW = tf.tidy(() => tf.sum(tf.mul(gw, dw)).arraySync() as number);
    expect(Math.abs(numX - anaX) / Math.abs(anaX)).toBeLessThan(0.02);
    expect(Math.abs(numW - anaW) / Math.abs(anaW)).toBeLessThan(0.02);
    tf.dispose([x, gx, gw, dx, dw, w0]);
    ps.dispose();
  });
});

describe('a run with pretrained encoder weights (encoderWeights)', () => {
  it('loads the file into the encoder of a new full run, and refuses a missing file or a tiny encoder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-encw-'));
    try {
      const ps = new ParamStore(4);
      const net = new InceptionV3(ps, '', { imageSize: 299, width: WIDTH });
      const file = join(dir, 'inception_v3.safetensors');
      writeFileSync(file, torchvisionCheckpoint(net));
      ps.dispose();
      const rng = mulberry32(5);
      const ex = (key: string) => ({ key, captions: ['a red circle', 'a circle'] });
      const data: TrainData = {
        train: [ex('a'), ex('b')],
        val: [ex('c')],
        test: [],
        preprocessing: 'test-299',
        async loadImages(keys, size) {
          return Float32Array.from({ length: keys.length * size * size * 3 }, () => rng() * 2 - 1);
        },
      };
      const config: TrainPartial = {
        model: 'cnn-lstm',
        preset: 'full',
        modelOverrides: {
          encoder: { kind: 'inception-v3', imageSize: 299, width: WIDTH },
          embedDim: 8,
          hidden: 16,
        },
        epochs: 1,
        batchSize: 2,
        captionsPerEpoch: 'one',
        freezeEncoder: true,
        encoderWeights: file,
      };
      let saved = '';
      const r = await train(
        config,
        data,
        { onCheckpoint: (c) => void (saved = c.path) },
        {
          checkpointDir: join(dir, 'run'),
        },
      );
      expect(r.status, r.error ?? '').toBe('completed');
      // The file's BatchNorm β is 0.05 everywhere (a fresh encoder starts at 0); the encoder was
      // frozen, so the checkpoint still holds the file's values.
      const ck = readSafetensors(readFileSync(saved));
      for (const name of ['encoder.Conv2d_1a_3x3.bn.bias', 'encoder.Mixed_7c.branch1x1.bn.bias'])
        expect(new Set(ck.float32(name))).toEqual(new Set([Math.fround(0.05)]));
      expect(JSON.parse(ck.metadata.config ?? '{}')).toBeTypeOf('object');

      await expect(
        train(
          { ...config, encoderWeights: join(dir, 'nope.safetensors') },
          data,
          {},
          { checkpointDir: join(dir, 'r2') },
        ),
      ).rejects.toThrow(/Cannot read the encoder weights .*nope\.safetensors/);
      await expect(
        train(
          { ...config, preset: 'tiny', modelOverrides: { embedDim: 8, hidden: 16 } },
          data,
          {},
          { checkpointDir: join(dir, 'r3') },
        ),
      ).rejects.toThrow(/need the inception-v3 encoder/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
