// Training-only augmentation: a seeded random crop per (seed, epoch, image), different from one epoch
// to the next; evaluation always sees the whole image; with a frozen encoder the feature cache holds
// at most `cachedCrops` crops per image, keyed by crop. Also: fine-tuning only the last encoder block.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../../src/main/ml/backend';
import { MODELS } from '../../src/main/ml/models/registry';
import { FeatureSource, trainCrop, type AugmentConfig } from '../../src/main/ml/train/features';
import { train } from '../../src/main/ml/train/index';
import { readSafetensors } from '../../src/main/ml/weights/safetensors';
import { WORD_TEXT } from '../../src/main/text/vocab';
import { shapesData } from './shapes-data';

const root = mkdtempSync(join(tmpdir(), 'cs-augment-'));
const data = shapesData(6, { train: 8, val: 4, test: 0 });
const SMALL = { embedDim: 8, hidden: 16, encoder: { kind: 'tiny-cnn', imageSize: 64, channels: [4, 8, 8] } };
const AUG: AugmentConfig = { seed: 3, cropScale: 0.875, cachedCrops: 3 };
let start: number;
beforeAll(async () => {
  await selectBackend(nodeLoader(), 'train');
  start = tf.memory().numTensors;
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  expect(tf.memory().numTensors).toBe(start);
});

const newModel = () =>
  MODELS['cnn-lstm'].create({
    preset: 'tiny',
    overrides: SMALL,
    seed: 2,
    tokenizer: WORD_TEXT.build(
      data.train.flatMap((e) => e.captions),
      { minCount: 1 },
    ),
  });

describe('random crops', () => {
  it('are seeded by (seed, epoch, image): other epochs, other crops; none with cropScale 1', () => {
    const key = data.train[0].key;
    const [a, again, b] = [
      trainCrop(AUG, key, 1, false),
      trainCrop(AUG, key, 1, false),
      trainCrop(AUG, key, 2, false),
    ];
    expect(again).toEqual(a);
    expect(b.box).not.toEqual(a.box);
    const [y1, x1, y2, x2] = a.box!;
    expect([y2 - y1, x2 - x1].map((v) => v.toFixed(6))).toEqual(['0.875000', '0.875000']);
    expect(Math.min(y1, x1)).toBeGreaterThanOrEqual(0);
    expect(Math.max(y2, x2)).toBeLessThanOrEqual(1);
    expect(trainCrop({ ...AUG, cropScale: 1 }, key, 1, false)).toEqual({ box: null, crop: null });
    // frozen encoder: one of cachedCrops fixed crops of the image, whatever the epoch
    const frozen = Array.from({ length: 30 }, (_, e) => trainCrop(AUG, key, e + 1, true));
    expect(new Set(frozen.map((c) => c.crop)).size).toBe(3);
    const boxes = new Set(frozen.map((c) => JSON.stringify(c.box)));
    expect(boxes.size).toBe(3);
  });

  it('training sees different pixels in two epochs; evaluation always the same, whole image', async () => {
    const model = newModel();
    const src = new FeatureSource(model, data, AUG, {});
    const keys = data.train.slice(0, 2).map((e) => e.key);
    const e1 = await src.train(keys, 1, false);
    const e2 = await src.train(keys, 2, false);
    const whole = await src.images(keys);
    const diff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
    expect(e1.shape).toEqual([2, 64, 64, 3]);
    expect(diff(e1, e2)).toBeGreaterThan(0.1);
    expect(diff(e1, whole)).toBeGreaterThan(0.1);
    const ev1 = await src.eval(keys, false);
    const ev2 = await src.eval(keys, false);
    const direct = tf.tidy(() => model.features(whole));
    expect(diff(ev1, ev2)).toBe(0);
    expect(diff(ev1, direct)).toBe(0);
    tf.dispose([e1, e2, whole, ev1, ev2, direct]);
    model.dispose();
  });

  it('a frozen encoder caches at most cachedCrops crops per training image, and the whole val images', async () => {
    const cacheDir = join(root, 'cache');
    const r = await train(
      {
        model: 'cnn-lstm',
        modelOverrides: SMALL,
        seed: 3,
        epochs: 6,
        batchSize: 4,
        captionsPerEpoch: 'one',
        freezeEncoder: true,
        cachedCrops: 2,
        valImages: 1,
      },
      data,
      {},
      { checkpointDir: join(root, 'frozen'), cacheDir, skipTest: true },
    );
    expect(r.status, r.error ?? '').toBe('completed');
    const files = readdirSync(cacheDir).filter((f) => f.endsWith('.f16'));
    // 8 training images × 2 crops (six epochs pick among them) + 4 whole validation images
    expect(files).toHaveLength(8 * 2 + 4);
  });
});

describe('fine-tuning blocks', () => {
  it('fineTuneBlocks 1 trains only the last encoder block', async () => {
    const initial = newModel();
    const before = await initial.params.read();
    initial.dispose();
    const dir = join(root, 'blocks');
    const r = await train(
      {
        model: 'cnn-lstm',
        modelOverrides: SMALL,
        seed: 2,
        epochs: 1,
        batchSize: 4,
        maxSteps: 1,
        checkpointEverySteps: 1,
        fineTuneBlocks: 1,
      },
      data,
      {},
      { checkpointDir: dir, skipTest: true },
    );
    expect(r.status, r.error ?? '').toBe('completed');
    const after = readSafetensors(readFileSync(join(dir, 'last.safetensors')));
    const same = (n: string) => [...after.float32(n)].every((v, i) => v === before.get(n)!.data[i]);
    expect(same('encoder.conv.0.weight') && same('encoder.conv.1.weight')).toBe(true);
    expect(same('encoder.conv.2.weight')).toBe(false);
    expect(same('decoder.out.weight')).toBe(false);
  });
});
