// The `full` preset on a CPU, at reduced width through the same code: built from a Hugging Face folder
// (the PyTorch reference checkpoint with a GPT-2-style tokenizer beside it) it reproduces the reference
// logits through the key/value cache; from a ViT + GPT-2 folder pair it captions; and one training
// step runs through the trainer, whose checkpoint loads back with its GPT-2 tokenizer bit-identical.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../../src/main/ml/backend';
import { beamDecode, greedyDecode } from '../../src/main/ml/decode/search';
import { loadModel, MODELS } from '../../src/main/ml/models/registry';
import type { VitGpt2 } from '../../src/main/ml/models/vitGpt2';
import { train, type TrainData } from '../../src/main/ml/train/index';
import { readSafetensors } from '../../src/main/ml/weights/safetensors';
import { tinyArch, writeTinyJoined, writeTinyVed } from '../../src/main/ml/weights/tinyHfCheckpoint';
import { bytesToChars } from '../../src/main/text/bpe';
import { WORD_TEXT } from '../../src/main/text/vocab';
import { mixSeed, mulberry32 } from '../../src/main/util/rng';

const FIXTURE = join(__dirname, '../fixtures/vit-gpt2/proj');
const root = mkdtempSync(join(tmpdir(), 'cs-vitgpt2-full-'));
const spec = MODELS['vit-gpt2'];
// the trainer passes a word vocabulary; a pretrained model replaces it with the checkpoint's own
const words = WORD_TEXT.build(['a red circle'], { minCount: 1 });

let start: number;
beforeAll(async () => {
  await selectBackend(nodeLoader(), 'train');
  start = tf.memory().numTensors;
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  expect(tf.memory().numTensors).toBe(start);
});

/** The reference folder plus a 50-id byte-level vocabulary ("<|endoftext|>" = 49, as its config says). */
function referenceFolder(): string {
  const dir = join(root, 'reference');
  mkdirSync(dir, { recursive: true });
  for (const f of ['config.json', 'model.safetensors']) copyFileSync(join(FIXTURE, f), join(dir, f));
  const vocab: Record<string, number> = {};
  for (let i = 0; i < 49; i++) vocab[bytesToChars([97 + (i % 26) + (i >= 26 ? -32 : 0)])] = i;
  vocab['<|endoftext|>'] = 49;
  writeFileSync(join(dir, 'vocab.json'), JSON.stringify(vocab));
  writeFileSync(join(dir, 'merges.txt'), '#version: 0.2\n');
  return dir;
}

describe('vit-gpt2 full preset (reduced width)', () => {
  it('built from a Hugging Face folder, reproduces the PyTorch reference logits through the cache', () => {
    const m = spec.create({
      preset: 'full',
      overrides: { pretrained: referenceFolder() },
      seed: 1,
      tokenizer: words,
    }) as VitGpt2;
    try {
      expect(m.tokenizer.kind).toBe('gpt2-bpe');
      expect([m.vocabSize, m.bosId, m.eosId, m.padId]).toEqual([50, 49, 49, 49]);
      expect(m.config.pooler).toBe(true);
      expect(m.config.encoder).toMatchObject({
        imageSize: 16,
        patchSize: 4,
        hidden: 16,
        layerNormEps: 1e-12,
      });
      const ref = readSafetensors(new Uint8Array(readFileSync(join(FIXTURE, 'outputs.safetensors'))));
      const px = ref.float32('pixel_values');
      const ids = ref.float32('decoder_input_ids');
      const want = ref.float32('logits'); // [2, 5, 50]
      let worst = 0;
      tf.tidy(() => {
        let state = m.encode(tf.tensor4d(px, [2, 3, 16, 16]).transpose([0, 2, 3, 1]));
        for (let t = 0; t < 5; t++) {
          const out = m.step(state, tf.tensor1d([ids[t], ids[5 + t]], 'int32'));
          const got = out.logits.dataSync();
          for (let b = 0; b < 2; b++)
            for (let v = 0; v < 50; v++)
              worst = Math.max(worst, Math.abs(got[b * 50 + v] - want[(b * 5 + t) * 50 + v]));
          state = out.state;
        }
      });
      expect(worst, `max |ours − reference| = ${worst}`).toBeLessThanOrEqual(1e-4);
    } finally {
      m.dispose();
    }
  });

  it('joins a ViT folder and a GPT-2 folder and captions (greedy and beam), tensor count flat', async () => {
    const enc = join(root, 'vit');
    const dec = join(root, 'gpt2');
    writeTinyJoined(enc, dec, { encoder: 'bare', decoder: 'lm-head', cross: false });
    const m = spec.create({
      preset: 'full',
      overrides: { pretrained: { encoder: enc, decoder: dec } },
      seed: 3,
      tokenizer: words,
    });
    try {
      const s = m.imageSize;
      expect(s).toBe(tinyArch().encoder.imageSize);
      const images = tf.randomUniform([2, s, s, 3], -1, 1, 'float32', 4) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      const g = await greedyDecode(m, images, { maxTokens: 6, maps: true });
      const b = await beamDecode(m, images, { width: 2, maxTokens: 6 });
      expect(tf.memory().numTensors).toBe(before);
      for (const out of [g, b])
        out.tokens.forEach((t) => expect(typeof m.tokenizer.decode(t)).toBe('string'));
      expect(g.maps!.height * g.maps!.width).toBe((s / tinyArch().encoder.patchSize) ** 2);
      images.dispose();
    } finally {
      m.dispose();
    }
  });

  it('one training step through the trainer; the checkpoint loads back with its GPT-2 tokenizer', async () => {
    const dir = join(root, 'ved');
    writeTinyVed(dir, 'ved');
    const ex = (i: number) => ({ key: `img-${i}`, captions: ['a cat', 'the cat at a mat'] });
    const data: TrainData = {
      train: [0, 1, 2, 3].map(ex),
      val: [4].map(ex),
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
    const ck = join(root, 'run');
    const losses: number[] = [];
    const r = await train(
      {
        model: 'vit-gpt2',
        preset: 'full',
        modelOverrides: { pretrained: dir },
        optimizer: 'adamw',
        warmupSteps: 1,
        decay: 'linear',
        seed: 2,
        epochs: 1,
        batchSize: 4,
        maxSteps: 1,
        checkpointEverySteps: 1,
      },
      data,
      { onStep: (p) => losses.push(p.loss) },
      { checkpointDir: ck, skipTest: true },
    );
    expect(r.status, r.error ?? '').toBe('completed');
    expect(losses).toHaveLength(1);
    expect(Number.isFinite(losses[0]) && losses[0] > 0).toBe(true);
    const bytes = new Uint8Array(readFileSync(join(ck, 'last.safetensors')));
    const m = loadModel(bytes);
    try {
      expect(m.tokenizer.kind).toBe('gpt2-bpe');
      expect(m.tokenizer.decode(m.tokenizer.encode(' the cat'))).toBe(' the cat');
      expect(await m.save()).toEqual(bytes);
    } finally {
      m.dispose();
    }
  });
});
