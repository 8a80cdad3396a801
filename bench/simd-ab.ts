// Single-kernel A/B of the SIMD kernels (src/main/ml/simd) against the tfjs ops they replace, in one
// process on the training backend, interleaved (tfjs, SIMD, tfjs, SIMD…), median ms per call:
// the conv filter gradients of the tiny CNN at batch 32 and the dense weight gradients aᵀ·dy of
// the LSTM models. `tsx bench/simd-ab.ts [REPS]` (default 7).
// `tsx bench/simd-ab.ts step MODEL [REPS]`: the trainer's whole step (trainStep + Adam, bench config:
// batch 32, 64×64, 16 tokens) with the kernels on and off, interleaved step by step in one process.
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../src/main/ml/backend';
import { modelSpec } from '../src/main/ml/models/registry';
import { convFilterGrad, matMulTransposedA, matMulTransposedB } from '../src/main/ml/nn/ops';
import { setSimdKernelsEnabled, simdKernelsStatus } from '../src/main/ml/simd/tfjs';
import { TRAIN_DEFAULTS } from '../src/main/ml/train/config';
import { adamFor } from '../src/main/ml/train/optim';
import { trainStep } from '../src/main/ml/train/step';
import { SPECIAL_TOKENS, WordVocab } from '../src/main/text/vocab';

const stepModel = process.argv[2] === 'step' ? process.argv[3] : null;
const reps = Number(process.argv[stepModel ? 4 : 2] ?? 7);
const info = await selectBackend(nodeLoader(), 'train');
const status = simdKernelsStatus();
if (!status.enabled) throw new Error(`the SIMD kernels are off: ${status.reason}`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
/** ms of one call of f (its result read back, so the work is done). */
function time(f: () => tf.Tensor): number {
  const t0 = performance.now();
  const y = f();
  y.dataSync();
  const ms = performance.now() - t0;
  y.dispose();
  return ms;
}

const cases: Array<{ name: string; inputs: tf.Tensor[]; f: (xs: tf.Tensor[]) => tf.Tensor }> = [];
const convs: Array<[number, number, number, number]> = [
  [64, 3, 32, 3],
  [32, 32, 64, 3],
  [16, 64, 128, 3],
];
for (const [s, ci, co, k] of convs)
  cases.push({
    name: `conv dW x[32,${s},${s},${ci}] dy[…,${co}]`,
    inputs: [
      tf.randomNormal([32, s, s, ci], 0, 1, 'float32', 1),
      tf.randomNormal([32, s, s, co], 0, 1, 'float32', 2),
    ],
    f: ([x, dy]) => convFilterGrad(x as tf.Tensor4D, dy as tf.Tensor4D, k),
  });
const mms: Array<[number, number, number]> = [
  [32, 384, 1024],
  [32, 512, 1024],
  [32, 256, 128],
  [512, 384, 1024],
  [512, 256, 32],
];
for (const [m, k, n] of mms)
  cases.push({
    name: `aᵀ·dy a[${m},${k}] dy[${m},${n}]`,
    inputs: [tf.randomNormal([m, k], 0, 1, 'float32', 3), tf.randomNormal([m, n], 0, 1, 'float32', 4)],
    f: ([a, dy]) => matMulTransposedA(a as tf.Tensor2D, dy as tf.Tensor2D),
  });

const abts: Array<[number, number, number]> = [
  [32, 1024, 512],
  [32, 1024, 384],
  [32, 32, 256],
  [512, 1024, 384],
];
for (const [m, n, k] of abts)
  cases.push({
    name: `dy·wᵀ dy[${m},${n}] w[${k},${n}]`,
    inputs: [tf.randomNormal([m, n], 0, 1, 'float32', 5), tf.randomNormal([k, n], 0, 1, 'float32', 6)],
    f: ([dy, w]) => matMulTransposedB(dy as tf.Tensor2D, w as tf.Tensor2D),
  });

console.log(`backend ${info.chosen}-t${info.threads}, ${reps} reps interleaved, median ms per call`);
if (stepModel) {
  tf.dispose(cases.flatMap((c) => c.inputs));
  cases.length = 0;
  await wholeStep(stepModel);
}
for (const c of cases) {
  const t: Record<'tfjs' | 'simd', number[]> = { tfjs: [], simd: [] };
  for (let r = -1; r < reps; r++)
    for (const side of r % 2 ? (['tfjs', 'simd'] as const) : (['simd', 'tfjs'] as const)) {
      setSimdKernelsEnabled(side === 'simd');
      const ms = time(() => tf.tidy(() => c.f(c.inputs)));
      if (r >= 0) t[side].push(ms); // r = −1: warm-up of both
    }
  const a = median(t.tfjs);
  const b = median(t.simd);
  console.log(
    `${c.name.padEnd(36)} tfjs ${a.toFixed(2).padStart(8)}  simd ${b.toFixed(2).padStart(8)}  ${(a / b).toFixed(2)}×`,
  );
  tf.dispose(c.inputs);
}
setSimdKernelsEnabled(true);
process.exit(0);

async function wholeStep(id: string) {
  const V = 32;
  const tokenizer = new WordVocab([...SPECIAL_TOKENS, ...Array.from({ length: V - 4 }, (_, i) => `w${i}`)]);
  const model = modelSpec(id).create({ preset: 'tiny', overrides: { maxLength: 16 }, seed: 1, tokenizer });
  const s = model.imageSize;
  const images = tf.randomUniform([32, s, s, 3], -1, 1, 'float32', 1) as tf.Tensor4D; // [B, S, S, 3]
  const tokens = tf.tidy(() =>
    tf.concat([tf.fill([32, 1], model.bosId, 'int32'), tf.randomUniform([32, 15], 4, V, 'int32', 2)], 1),
  ) as tf.Tensor2D; // [B, T]
  const adam = adamFor(TRAIN_DEFAULTS); // the trainer's optimiser at its defaults
  const params = model.params.entries().filter(([name]) => !model.isBuffer(name));
  const t: Record<'tfjs' | 'simd', number[]> = { tfjs: [], simd: [] };
  for (let r = -2; r < reps; r++)
    for (const side of r % 2 ? (['tfjs', 'simd'] as const) : (['simd', 'tfjs'] as const)) {
      setSimdKernelsEnabled(side === 'simd');
      const t0 = performance.now();
      await trainStep(model, adam, {
        input: images,
        frozen: false,
        tokens,
        loss: { training: true, teacherForcing: 1, seed: 0 },
        params,
        lr: () => TRAIN_DEFAULTS.lr,
        clipNorm: TRAIN_DEFAULTS.clipNorm,
      });
      if (r >= 0) t[side].push(performance.now() - t0); // r < 0: warm-up
    }
  const a = median(t.tfjs);
  const b = median(t.simd);
  console.log(
    `${id} whole step: tfjs ${a.toFixed(0)} ms (${((32 / a) * 1000).toFixed(2)} img/s), simd ${b.toFixed(0)} ms (${((32 / b) * 1000).toFixed(2)} img/s): ${(a / b).toFixed(2)}×`,
  );
  console.log(JSON.stringify({ model: id, tfjsMs: t.tfjs, simdMs: t.simd }));
  tf.dispose([images, tokens]);
  adam.dispose();
  model.dispose();
}
