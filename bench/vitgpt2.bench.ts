// vit-gpt2: tiny (the bench configuration's model C) training throughput (the trainer's own step) and
// greedy decoding latency with the key/value cache (the live PyTorch comparison of the same model is
// in models.bench.ts); and the full size (ViT-B/16 224 px + GPT-2 small, random
// weights: the maths and cost of a real checkpoint) ms per caption at batch 1. BENCH_QUICK=1 runs
// a couple of steps at tiny only (smoke test).
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../src/main/ml/backend';
import { greedyDecode } from '../src/main/ml/decode/search';
import { fixedLength } from './fixed';
import { resolveVitGpt2Config, VitGpt2, vitGpt2Spec } from '../src/main/ml/models/vitGpt2';
import { Adam } from '../src/main/ml/train/optim';
import { trainStep } from '../src/main/ml/train/step';
import type { CaptionTokenizer } from '../src/main/text/tokenizer';
import { SPECIAL_TOKENS, WordVocab } from '../src/main/text/vocab';
import { timeIt, type Bench, type BenchRow } from './types';

const QUICK = process.env.BENCH_QUICK === '1';
const V = 32;
const T = 16;
const B = 32;
const WARMUP = QUICK ? 1 : 3;
const STEPS = QUICK ? 1 : 8;
const REPS = QUICK ? 1 : 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const bench: Bench = {
  name: 'vit-gpt2',
  async run() {
    const info = await selectBackend(nodeLoader(), 'train');
    const label = `${info.chosen}${QUICK ? ' (QUICK: not a measurement)' : ''}`;
    const tokenizer = new WordVocab([...SPECIAL_TOKENS, ...Array.from({ length: V - 4 }, (_, i) => `w${i}`)]);
    const model = vitGpt2Spec.create({ preset: 'tiny', overrides: { maxLength: T }, seed: 1, tokenizer });
    const images = tf.randomUniform([B, 64, 64, 3], -1, 1, 'float32', 1) as tf.Tensor4D; // [B, 64, 64, 3]
    const tokens = tf.tidy(() =>
      tf.concat([tf.fill([B, 1], model.bosId, 'int32'), tf.randomUniform([B, T - 1], 4, V, 'int32', 2)], 1),
    ) as tf.Tensor2D; // [B, T]
    const adam = new Adam({ kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    const params = model.params.entries().filter(([n]) => !model.isBuffer(n));
    const times: number[] = [];
    for (let i = 0; i < WARMUP + STEPS; i++) {
      const t0 = performance.now();
      await trainStep(model, adam, {
        input: images,
        frozen: false,
        tokens,
        loss: { training: true, teacherForcing: 1, seed: i },
        params,
        lr: () => 1e-3,
        clipNorm: 5,
      });
      if (i >= WARMUP) times.push(performance.now() - t0);
    }
    const imgS = (B / median(times)) * 1000;
    const rows: BenchRow[] = [
      {
        name: `${label} tiny train, batch ${B}`,
        value: imgS,
        unit: 'img/s',
        note: 'PyTorch comparison: npm run bench models',
      },
    ];
    for (const bs of [1, 32] as const) {
      const x = tf.slice(images, [0, 0, 0, 0], [bs, 64, 64, 3]) as tf.Tensor4D;
      const ms =
        (await timeIt(() => greedyDecode(fixedLength(model), x, { maxTokens: T - 1 }), REPS, 1)) / bs;
      x.dispose();
      rows.push({
        name: `${label} tiny greedy 15 steps with KV cache, batch ${bs}`,
        value: ms,
        unit: 'ms/img',
        note: 'with the key/value cache',
      });
    }
    tf.dispose([images, tokens]);
    adam.dispose();
    model.dispose();

    if (!QUICK) {
      // ViT-B/16 + GPT-2 small (nlpconnect/vit-gpt2-image-captioning's shapes), random weights
      const size = { hidden: 768, layers: 12, heads: 12, mlp: 3072 };
      const config = resolveVitGpt2Config({
        preset: 'tiny',
        encoder: { imageSize: 224, patchSize: 16, ...size },
        decoder: size,
        vocabSize: 50257,
        padId: 50256,
        bosId: 50256,
        eosId: 50256,
        maxLength: 16,
        positions: 1024,
      });
      const gpt2Ids: CaptionTokenizer = {
        kind: 'ids',
        vocabSize: 50257,
        bosId: 50256,
        eosId: 50256,
        padId: 50256,
        encode: () => [],
        decode: (ids) => ids.join(' '),
        tokenText: (id) => String(id),
        serialize: () => '',
      };
      const full = new VitGpt2(config, gpt2Ids);
      const x = tf.randomUniform([1, 224, 224, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
      const ms = await timeIt(() => greedyDecode(fixedLength(full), x, { maxTokens: 15 }), 3, 1);
      rows.push({
        name: `${info.chosen} full size (ViT-B/16 + GPT-2, 240M) greedy 15 tokens, batch 1`,
        value: ms,
        unit: 'ms/caption',
        note: 'random weights of nlpconnect/vit-gpt2-image-captioning shapes',
      });
      x.dispose();
      full.dispose();
    }
    return rows;
  },
};
export default bench;
