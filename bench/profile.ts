// Where a training step's time goes: tf.profile of one trainer step (after warm-up), kernel time
// summed by kernel name, most expensive first. `tsx bench/profile.ts [MODEL]` (default cnn-lstm).
// `tsx bench/profile.ts MODEL decode`: the same for greedy decoding of one image (15 steps) on the
// inference backend, with the wall time of encoding alone and of the whole decode.
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../src/main/ml/backend';
import { modelSpec } from '../src/main/ml/models/registry';
import { Adam } from '../src/main/ml/train/optim';
import { greedyDecode } from '../src/main/ml/decode/search';
import { fixedLength } from './fixed';
import { trainStep } from '../src/main/ml/train/step';
import { SPECIAL_TOKENS, WordVocab } from '../src/main/text/vocab';

const id = process.argv[2] ?? 'cnn-lstm';
const decode = process.argv[3] === 'decode';
const info = await selectBackend(nodeLoader(), decode ? 'inference' : 'train');
const tokenizer = new WordVocab([...SPECIAL_TOKENS, ...Array.from({ length: 28 }, (_, i) => `w${i}`)]);
const model = modelSpec(id).create({ preset: 'tiny', overrides: { maxLength: 16 }, seed: 1, tokenizer });
const s = model.imageSize;
const images = tf.randomUniform([32, s, s, 3], -1, 1, 'float32', 1) as tf.Tensor4D; // [B, S, S, 3]
const tokens = tf.tidy(() =>
  tf.concat([tf.fill([32, 1], 1, 'int32'), tf.randomUniform([32, 15], 4, 32, 'int32', 2)], 1),
) as tf.Tensor2D; // [B, T]
const adam = new Adam({ kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
const params = model.params.entries();
const step = () =>
  trainStep(model, adam, {
    input: images,
    frozen: false,
    tokens,
    loss: { training: true, teacherForcing: 1, seed: 0 },
    params,
    lr: () => 1e-3,
    clipNorm: 5,
  });
const one = tf.slice(images, [0, 0, 0, 0], [1, s, s, 3]) as tf.Tensor4D; // [1, S, S, 3]
const fixed = fixedLength(model); // 15 steps, as the bench
const run = decode ? () => greedyDecode(fixed, one, { maxTokens: 15 }) : step;
await run();
await run();
if (decode) {
  const wallOf = async (f: () => Promise<unknown>) => {
    const ts: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t = performance.now();
      await f();
      ts.push(performance.now() - t);
    }
    return ts.sort((a, b) => a - b)[4];
  };
  const enc = await wallOf(async () => tf.dispose(tf.tidy(() => model.encode(one))));
  const all = await wallOf(run);
  console.log(`greedy batch 1: ${all.toFixed(2)} ms (median of 9), of which encoding ${enc.toFixed(2)} ms`);
}
const t0 = performance.now();
const p = await tf.profile(async () => {
  await run();
  return [];
});
const wall = performance.now() - t0;
const by = new Map<string, { ms: number; n: number }>();
for (const k of p.kernels) {
  const e = by.get(k.name) ?? { ms: 0, n: 0 };
  e.ms += Number(k.kernelTimeMs) || 0;
  e.n++;
  by.set(k.name, e);
}
const total = [...by.values()].reduce((a, e) => a + e.ms, 0);
console.log(
  `${id} on ${info.chosen}-t${info.threads}: wall ${wall.toFixed(0)} ms (profiled), kernels ${total.toFixed(0)} ms, ${p.kernels.length} kernel calls`,
);
for (const [name, e] of [...by.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25))
  console.log(
    `${name.padEnd(24)} ${e.ms.toFixed(1).padStart(8)} ms ${String(e.n).padStart(6)} calls ${((100 * e.ms) / total).toFixed(1).padStart(5)}%`,
  );
if (process.env.PROFILE_SHAPES) {
  const shapes = new Map<string, { ms: number; n: number }>();
  for (const k of p.kernels) {
    if (!k.name.includes(process.env.PROFILE_SHAPES)) continue;
    const key = `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join(' ')}`;
    const e = shapes.get(key) ?? { ms: 0, n: 0 };
    e.ms += Number(k.kernelTimeMs) || 0;
    e.n++;
    shapes.set(key, e);
  }
  for (const [key, e] of [...shapes.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20))
    console.log(`${e.ms.toFixed(1).padStart(8)} ms ${String(e.n).padStart(5)}× ${key}`);
}
process.exit(0);
