// The trainer on tiny shapes data: an exact resume (N steps straight = N/2, cancel, resume, N/2),
// cancel leaving a loadable checkpoint, the frozen-encoder feature cache (float16 files reused by a
// second run) with fine-tuning from epoch 2, and the collapse guardrail on a forced collapse.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../../src/main/ml/backend';
import { train, type TrainPartial } from '../../src/main/ml/train/index';
import { loadModel } from '../../src/main/ml/models/registry';
import { readSafetensors } from '../../src/main/ml/weights/safetensors';
import { readTrainerCheckpoint, writeTrainerCheckpoint } from '../../src/main/ml/train/checkpoint';
import { shapesData } from './shapes-data';

const root = mkdtempSync(join(tmpdir(), 'cs-train-'));
let start: number;
beforeAll(async () => {
  await selectBackend(nodeLoader(), 'train');
  start = tf.memory().numTensors;
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  expect(tf.memory().numTensors).toBe(start);
});

const SMALL_ATTN = {
  embedDim: 16,
  hidden: 32,
  attnDim: 16,
  dropout: 0.3,
  encoder: { kind: 'tiny-cnn', imageSize: 64, channels: [8, 16, 16] },
};
const SMALL_LSTM = {
  embedDim: 16,
  hidden: 32,
  encoder: { kind: 'tiny-cnn', imageSize: 64, channels: [8, 16, 16] },
};
const data = shapesData(5, { train: 32, val: 8, test: 8 });

describe('resume', () => {
  it('continues the same loss curve: 8 steps straight = 3, cancel, resume, 5', async () => {
    const config: TrainPartial = {
      model: 'cnn-lstm-attn',
      modelOverrides: SMALL_ATTN,
      seed: 11,
      epochs: 2,
      batchSize: 8,
      captionsPerEpoch: 'one',
      optimizer: 'adamw',
      weightDecay: 0.01,
      warmupSteps: 2,
      decay: 'cosine',
      teacherForcing: 1,
      teacherForcingEnd: 0.7,
    };
    const straight: number[] = [];
    const a = await train(
      config,
      data,
      { onStep: (p) => straight.push(p.loss) },
      { checkpointDir: join(root, 'a') },
    );
    expect(a.status).toBe('completed');
    expect(straight).toHaveLength(8);
    expect(a.position.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(a.test!.images).toBe(8);
    for (const k of ['bleu4', 'rougeL', 'ciderD']) expect(Number.isFinite(a.test!.metrics[k])).toBe(true);
    expect(a.test!.loss).toBeGreaterThan(0);

    const ctl = new AbortController();
    const split: number[] = [];
    const dir = join(root, 'b');
    const b1 = await train(
      config,
      data,
      { signal: ctl.signal, onStep: (p) => (split.push(p.loss), p.step === 3 && ctl.abort()) },
      { checkpointDir: dir },
    );
    expect(b1.status).toBe('cancelled');
    expect(b1.test).toBeNull();
    expect(b1.position).toMatchObject({ epoch: 1, batch: 3, step: 3 });
    // the cancel checkpoint is a model checkpoint that loads on its own
    const model = loadModel(readFileSync(join(dir, 'last.safetensors')));
    expect(model.tokenizer.kind).toBe('word-vocab');
    expect(JSON.parse(model.tokenizer.serialize()).kind).toBe('word-vocab');
    model.dispose();
    // As if written before the encoderWeights setting existed: it still resumes (a setting added
    // later counts as its default).
    const older = readTrainerCheckpoint(dir, 'last');
    const { encoderWeights, ...olderConfig } = older.position.config as Record<string, unknown>;
    expect(encoderWeights).toBeNull();
    writeTrainerCheckpoint(dir, 'last', older.model, older.optim, {
      ...older.position,
      config: olderConfig,
    });

    const b2 = await train(
      config,
      data,
      { onStep: (p) => split.push(p.loss) },
      { checkpointDir: dir, resume: true },
    );
    expect(b2.status).toBe('completed');
    expect(split).toHaveLength(8);
    split.forEach((l, i) => expect(l, `step ${i + 1}`).toBeCloseTo(straight[i], 6));
    expect(b2.position.history.map((h) => h.valLoss)).toEqual(a.position.history.map((h) => h.valLoss));
    expect(b2.test!.metrics).toEqual(a.test!.metrics);
    expect(existsSync(join(dir, 'best.safetensors')) && existsSync(join(dir, 'best.optim.safetensors'))).toBe(
      true,
    );

    await expect(
      train({ ...config, lr: 0.5 }, data, {}, { checkpointDir: dir, resume: true }),
    ).rejects.toThrow(/started with another config \(lr differ/);
  });
});

describe('frozen encoder', () => {
  it('caches float16 features once and reuses them; fine-tuning from epoch 2 moves the encoder', async () => {
    const cacheDir = join(root, 'cache');
    const encoderAt: Record<string, Float32Array> = {};
    const readConv = (path: string) => readSafetensors(readFileSync(path)).float32('encoder.conv.0.weight');
    const config: TrainPartial = {
      model: 'cnn-lstm',
      modelOverrides: SMALL_LSTM,
      seed: 4,
      epochs: 2,
      batchSize: 16,
      captionsPerEpoch: 'one',
      freezeEncoder: true,
      fineTuneFromEpoch: 2,
    };
    const r = await train(
      config,
      data,
      { onCheckpoint: (c) => c.kind === 'last' && (encoderAt[`e${c.epoch}`] = readConv(c.path)) },
      { checkpointDir: join(root, 'frozen'), cacheDir, skipTest: true },
    );
    expect(r.status).toBe('completed');
    const files = () => readdirSync(cacheDir).filter((f) => f.endsWith('.f16'));
    // epoch 1 (frozen) cached every train and val image; epoch 2 fine-tuned from pixels
    expect(files()).toHaveLength(40);
    // float16 [16] pooled features + an 8+4-byte header
    expect(statSync(join(cacheDir, files()[0])).size).toBe(8 + 4 + 2 * 16);
    const fresh = loadModel(readFileSync(join(root, 'frozen', 'last.safetensors')));
    fresh.dispose();
    expect([...encoderAt.e2]).not.toEqual([...encoderAt.e1]);

    // a second run with the same encoder weights (same seed) reads the cache: no new files
    const again = await train(
      { ...config, epochs: 1, fineTuneFromEpoch: null },
      data,
      { onCheckpoint: (c) => (encoderAt.again = readConv(c.path)) },
      { checkpointDir: join(root, 'frozen2'), cacheDir, skipTest: true },
    );
    expect(again.status).toBe('completed');
    expect(files()).toHaveLength(40);
    // frozen all along: the encoder is still the seeded initial one, as after the frozen epoch 1
    expect([...encoderAt.again]).toEqual([...encoderAt.e1]);
  });
});

describe('guardrails', () => {
  it('flags a forced collapse (one caption for every image, two validations in a row) with the step where it began', async () => {
    const same = shapesData(5, { train: 32, val: 8, test: 0 }, () => ['a small red circle']);
    const warnings: string[] = [];
    const r = await train(
      {
        model: 'cnn-lstm',
        modelOverrides: SMALL_LSTM,
        seed: 2,
        epochs: 3,
        batchSize: 16,
        lr: 1e-2,
        captionsPerEpoch: 'one',
      },
      { ...same, val: data.val }, // true, varied references for validation
      { onWarning: (w) => warnings.push(w.kind) },
      { checkpointDir: join(root, 'collapse') },
    );
    const w = r.warnings.find((x) => x.kind === 'collapse');
    expect(w, JSON.stringify(r.warnings)).toBeDefined();
    expect(w!.message).toMatch(
      /\d+% of the validation images get the same caption \(".+"\): the model ignores the image/,
    );
    expect(w!.step).toBe(r.position.history[w!.epoch - 1].step);
    expect(warnings).toContain('collapse');
  });
});
