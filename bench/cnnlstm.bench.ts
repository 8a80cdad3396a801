// cnn-lstm (tiny) training throughput (the trainer's own step: loss, gradients, clipped Adam) and
// greedy decoding latency, against the PyTorch reference of shared/bench/COMPUTE.md table 2 (model A). BENCH_QUICK=1 runs a couple of steps only (smoke test).
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../src/main/ml/backend';
import { cnnLstmSpec } from '../src/main/ml/models/cnnLstm';
import { Adam } from '../src/main/ml/train/optim';
import { trainStep } from '../src/main/ml/train/step';
import { SPECIAL_TOKENS, WordVocab } from '../src/main/text/vocab';
import { greedyDecode } from '../src/main/ml/decode/search';
import type { Decoder } from '../src/main/ml/decode/types';
import { timeIt, type Bench, type BenchRow } from './types';

const QUICK = process.env.BENCH_QUICK === '1';
// Same workload as the reference: V = 32, T = 16 (bos + 15), batch 32, Adam 1e-3, random data.
const V = 32;
const T = 16;
const B = 32;
const WARMUP = QUICK ? 1 : 3; // "steady state, excluding the first 3 steps" (BENCH_CONFIG)
const STEPS = QUICK ? 1 : 8;
const REPS = QUICK ? 1 : 5;

// COMPUTE.md table 2, model A (medians on this machine kind).
const TORCH_OB_2THR_IMG_S = 115.4;
const TORCH_T1_IMG_S = 37.2;
const TORCH_OB_1THR_GREEDY_MS = { 1: 7.6, 32: 2.0 } as const;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const bench: Bench = {
  name: 'cnn-lstm',
  async run() {
    const info = await selectBackend(nodeLoader(), 'train');
    const tokenizer = new WordVocab([...SPECIAL_TOKENS, ...Array.from({ length: V - 4 }, (_, i) => `w${i}`)]);
    const model = cnnLstmSpec.create({ preset: 'tiny', overrides: { maxLength: T }, seed: 1, tokenizer });
    const lossOpts = { training: true, teacherForcing: 1, seed: 1 };
    const images = tf.randomUniform([B, 64, 64, 3], 0, 1, 'float32', 1) as tf.Tensor4D; // [B, 64, 64, 3]
    const tokens = tf.tidy(() =>
      tf.concat([tf.fill([B, 1], model.bosId, 'int32'), tf.randomUniform([B, T - 1], 4, V, 'int32', 2)], 1),
    ) as tf.Tensor2D; // [B, T]
    const adam = new Adam({ kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    const params = model.params.entries();
    const times: number[] = [];
    for (let i = 0; i < WARMUP + STEPS; i++) {
      const t0 = performance.now();
      await trainStep(model, adam, {
        input: images,
        frozen: false,
        tokens,
        loss: lossOpts,
        params,
        lr: () => 1e-3,
        clipNorm: 5,
      });
      if (i >= WARMUP) times.push(performance.now() - t0);
    }
    const imgS = (B / median(times)) * 1000;
    const label = `${info.chosen}${QUICK ? ' (QUICK: not a measurement)' : ''}`;
    const rows: BenchRow[] = [
      {
        name: `${label} train, batch ${B}`,
        value: imgS,
        unit: 'img/s',
        note:
          `${(imgS / TORCH_OB_2THR_IMG_S).toFixed(2)}× torch-OB 2thr (${TORCH_OB_2THR_IMG_S}), ` +
          `${(imgS / TORCH_T1_IMG_S).toFixed(2)}× torch-t1 (${TORCH_T1_IMG_S})`,
      },
    ];

    // The reference decodes 15 fixed steps: an eos id that never matches keeps every row going.
    const fixed: Decoder = {
      vocabSize: model.vocabSize,
      bosId: model.bosId,
      eosId: -1,
      padId: model.padId,
      mapKind: model.mapKind,
      mapSize: model.mapSize,
      encode: (x, o) => model.encode(x, o),
      step: (s, t) => model.step(s, t),
      reorder: (s, i) => model.reorder(s, i),
    };
    for (const bs of [1, 32] as const) {
      const x = tf.slice(images, [0, 0, 0, 0], [bs, 64, 64, 3]) as tf.Tensor4D;
      const ms = (await timeIt(() => greedyDecode(fixed, x, { maxTokens: T - 1 }), REPS, 1)) / bs;
      x.dispose();
      const ref = TORCH_OB_1THR_GREEDY_MS[bs];
      rows.push({
        name: `${label} greedy 15 steps, batch ${bs}`,
        value: ms,
        unit: 'ms/img',
        note: `${(ms / ref).toFixed(2)}× the time of torch-OB 1thr (${ref} ms)`,
      });
    }
    tf.dispose([images, tokens]);
    adam.dispose();
    model.dispose();
    return rows;
  },
};
export default bench;
