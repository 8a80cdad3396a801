// Where a training step's time goes: tf.profile of one trainer step (after warm-up), kernel time
// summed by kernel name, most expensive first. `tsx bench/profile.ts [MODEL]` (default cnn-lstm).
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../src/main/ml/backend';
import { modelSpec } from '../src/main/ml/models/registry';
import { Adam } from '../src/main/ml/train/optim';
import { trainStep } from '../src/main/ml/train/step';
import { SPECIAL_TOKENS, WordVocab } from '../src/main/text/vocab';

const id = process.argv[2] ?? 'cnn-lstm';
const info = await selectBackend(nodeLoader(), 'train');
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
await step();
await step();
const t0 = performance.now();
const p = await tf.profile(async () => {
  await step();
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
