// Walks the model table: every model, at its tiny preset, trains two steps through the trainer, saves,
// loads back bit-identical, decodes greedy and beam, and leaves the tensor count flat; its settings
// are documented and an unknown one is refused with the one meant. A new table line is covered here
// without touching this file.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../../src/main/ml/backend';
import { beamDecode, greedyDecode } from '../../src/main/ml/decode/search';
import { PRESETS } from '../../src/main/ml/models/contract';
import { loadModel, MODEL_IDS, MODELS } from '../../src/main/ml/models/registry';
import { resolveTrainConfig, train, type TrainData } from '../../src/main/ml/train/index';
import { shapesItem } from '../../src/main/datasets/shapes/generate';
import { mixSeed, mulberry32 } from '../../src/main/util/rng';

const root = mkdtempSync(join(tmpdir(), 'cs-models-'));
let start: number;
beforeAll(async () => {
  await selectBackend(nodeLoader(), 'train');
  start = tf.memory().numTensors;
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  expect(tf.memory().numTensors).toBe(start);
});

/** Shapes captions with seeded pixels in [-1, 1] at whatever size the model asks for. */
function data(): TrainData {
  const ex = (i: number) => ({ key: `img-${i}`, captions: shapesItem(3, i).captions });
  return {
    train: [0, 1, 2, 3, 4, 5, 6, 7].map(ex),
    val: [8, 9].map(ex),
    test: [],
    preprocessing: 'seeded-noise',
    async loadImages(keys, size) {
      const per = size * size * 3;
      const out = new Float32Array(keys.length * per);
      keys.forEach((k, i) => {
        const rng = mulberry32(mixSeed(Number(k.slice(4)), size));
        for (let j = 0; j < per; j++) out[i * per + j] = rng() * 2 - 1;
      });
      return out;
    },
  };
}

describe.each(MODEL_IDS)('%s', (id) => {
  const spec = MODELS[id];

  it('documents its presets and settings, and refuses an unknown or misspelt setting', () => {
    expect(spec.id).toBe(id);
    expect(spec.help.length).toBeGreaterThan(10);
    for (const p of PRESETS) expect(spec.presets[p].length, p).toBeGreaterThan(5);
    expect(spec.settings.length).toBeGreaterThan(0);
    for (const s of spec.settings) {
      expect(s.help.length, s.key).toBeGreaterThan(5);
      for (const p of PRESETS) expect(s.defaults[p], `${s.key} ${p}`).not.toBeUndefined();
    }
    const key = spec.settings[0].key;
    const typo = key.slice(0, -1) + key.slice(-1).toUpperCase() + 'x'; // "dropouTx"
    expect(() => spec.resolve({ preset: 'tiny', overrides: { [typo]: 1 }, seed: 1 })).toThrow(
      new RegExp(`${typo} is not a setting of ${id} \\(did you mean ${key}\\?\\)`),
    );
    expect(() => resolveTrainConfig({ model: id, modelOverrides: { colourScheme: 'red' } })).toThrow(
      /colourScheme is not a setting/,
    );
    expect(() => spec.resolve({ preset: 'tiny', overrides: { vocabSize: 9 }, seed: 1 })).toThrow(
      /vocabSize comes from the model's tokenizer/,
    );
  });

  it('trains two steps at its tiny preset, saves, loads back bit-identical, decodes greedy and beam', async () => {
    const before = tf.memory().numTensors;
    const dir = join(root, id);
    const steps: number[] = [];
    const r = await train(
      { model: id, preset: 'tiny', seed: 4, epochs: 1, batchSize: 4, maxSteps: 2, checkpointEverySteps: 2 },
      data(),
      { onStep: (p) => steps.push(p.loss) },
      { checkpointDir: dir, skipTest: true },
    );
    expect(r.status, r.error ?? '').toBe('completed');
    expect(steps).toHaveLength(2);
    steps.forEach((l) => expect(Number.isFinite(l) && l > 0).toBe(true));
    expect(tf.memory().numTensors).toBe(before);

    const bytes = new Uint8Array(readFileSync(join(dir, 'last.safetensors')));
    const model = loadModel(bytes);
    try {
      expect(model.config.model).toBe(id);
      expect(model.tokenizer.decode(model.tokenizer.encode('a red circle'))).toBe('a red circle');
      expect(await model.save()).toEqual(bytes); // weights, config and tokenizer, bit for bit
      const s = model.imageSize;
      const images = tf.randomUniform([2, s, s, 3], -1, 1, 'float32', 9) as tf.Tensor4D; // [2, S, S, 3]
      const during = tf.memory().numTensors;
      const g = await greedyDecode(model, images, { maxTokens: 6 });
      const b = await beamDecode(model, images, { width: 3, maxTokens: 6 });
      expect(tf.memory().numTensors).toBe(during);
      for (const out of [g, b]) {
        expect(out.tokens).toHaveLength(2);
        out.tokens.forEach((t) => {
          expect(t.length).toBeGreaterThan(0);
          expect(t.every((x) => Number.isInteger(x) && x >= 0 && x < model.vocabSize)).toBe(true);
          expect(typeof model.tokenizer.decode(t)).toBe('string');
        });
      }
      images.dispose();
    } finally {
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
