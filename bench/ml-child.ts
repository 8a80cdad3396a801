// One measurement of one model in its own process (so that its peak memory is its own and training
// can run on threaded WebAssembly while decoding stays single-threaded, as in the app's worker):
//   tsx bench/ml-child.ts train MODEL   → the trainer's own step (trainStep + its Adam), batch 32
//   tsx bench/ml-child.ts decode MODEL  → greedy and beam (width 3) decoding at batch 1 and 32
// Bench config (the tiny presets' sizes): 64×64 images, captions of 16 tokens, vocabulary 32,
// random data, tiny preset. Prints one JSON line. BENCH_QUICK=1: a couple of steps (smoke test).
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../src/main/ml/backend';
import { beamDecode, greedyDecode } from '../src/main/ml/decode/search';
import { fixedLength } from './fixed';
import { modelSpec } from '../src/main/ml/models/registry';
import { TRAIN_DEFAULTS } from '../src/main/ml/train/config';
import { adamFor } from '../src/main/ml/train/optim';
import { trainStep } from '../src/main/ml/train/step';
import { SPECIAL_TOKENS, WordVocab } from '../src/main/text/vocab';

const QUICK = process.env.BENCH_QUICK === '1';
const V = 32;
const T = 16;
const B = 32;
// "steady state, excluding the first 3 steps"; BENCH_WARMUP / BENCH_STEPS shorten A/B rounds
const WARMUP = Number(process.env.BENCH_WARMUP ?? (QUICK ? 1 : 3));
const STEPS = Number(process.env.BENCH_STEPS ?? (QUICK ? 2 : 8));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const peakRssMB = () => {
  const m = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};

async function main() {
  const [mode, id] = process.argv.slice(2);
  if ((mode !== 'train' && mode !== 'decode') || !id)
    throw new Error('usage: ml-child.ts train|decode MODEL');
  const info = await selectBackend(nodeLoader(), mode === 'train' ? 'train' : 'inference');
  const backend = `${info.chosen}${info.threads ? `-t${info.threads}` : ''}`;
  const tokenizer = new WordVocab([...SPECIAL_TOKENS, ...Array.from({ length: V - 4 }, (_, i) => `w${i}`)]);
  const model = modelSpec(id).create({ preset: 'tiny', overrides: { maxLength: T }, seed: 1, tokenizer });
  const size = model.imageSize;
  const images = tf.randomUniform([B, size, size, 3], -1, 1, 'float32', 1) as tf.Tensor4D; // [B, S, S, 3]
  const tokens = tf.tidy(() =>
    tf.concat([tf.fill([B, 1], model.bosId, 'int32'), tf.randomUniform([B, T - 1], 4, V, 'int32', 2)], 1),
  ) as tf.Tensor2D; // [B, T]
  const real = tf.ones([B, T]) as tf.Tensor2D; // [B, T]: every token is real (no padding)
  const out: Record<string, unknown> = { model: id, mode, backend };
  if (mode === 'train') {
    const adam = adamFor(TRAIN_DEFAULTS); // the trainer's optimiser at its defaults
    const params = model.params.entries().filter(([name]) => !model.isBuffer(name));
    const times: number[] = [];
    const cpu: number[] = []; // the process's CPU time per step (every thread), steadier under load
    const counts: number[] = [];
    let loss = NaN;
    for (let i = 0; i < WARMUP + STEPS; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const r = await trainStep(model, adam, {
        input: images,
        frozen: false,
        tokens,
        loss: { training: true, teacherForcing: 1, seed: i, mask: real },
        params,
        lr: () => TRAIN_DEFAULTS.lr,
        clipNorm: TRAIN_DEFAULTS.clipNorm,
      });
      if (i >= WARMUP) {
        times.push(performance.now() - t0);
        const dc = process.cpuUsage(c0);
        cpu.push((dc.user + dc.system) / 1000);
      }
      counts.push(tf.memory().numTensors);
      loss = r.loss;
    }
    const ms = median(times);
    Object.assign(out, {
      stepMs: ms,
      imgPerSec: (B / ms) * 1000,
      cpuMsPerStep: median(cpu),
      loss,
      numTensors: counts,
    });
    adam.dispose();
  } else {
    // 15 fixed steps as the reference: an eos id that never matches keeps every row going.
    const fixed = fixedLength(model);
    const before = tf.memory().numTensors;
    for (const [kind, run] of [
      ['greedy', (x: tf.Tensor4D) => greedyDecode(fixed, x, { maxTokens: T - 1 })],
      ['beam3', (x: tf.Tensor4D) => beamDecode(fixed, x, { maxTokens: T - 1, width: 3 })],
    ] as const)
      for (const bs of [1, 32]) {
        const x = tf.slice(images, [0, 0, 0, 0], [bs, size, size, 3]) as tf.Tensor4D;
        await run(x); // warm-up
        const reps = QUICK ? 1 : bs === 1 ? 9 : 3;
        const times: number[] = [];
        for (let k = 0; k < reps; k++) {
          const t0 = performance.now();
          await run(x);
          times.push(performance.now() - t0);
        }
        x.dispose();
        out[`${kind}MsB${bs}`] = median(times) / bs;
      }
    out.leakedTensors = tf.memory().numTensors - before;
  }
  out.peakRssMB = peakRssMB();
  tf.dispose([images, tokens, real]);
  model.dispose();
  console.log(JSON.stringify(out));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error((e as Error).stack ?? String(e));
    process.exit(1);
  },
);
