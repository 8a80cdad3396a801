// Single-kernel A/B of the SIMD kernels (src/main/ml/simd) against the tfjs ops they replace, in one
// process on the training backend, interleaved (tfjs, SIMD, tfjs, SIMD…), median ms per call:
// the conv filter gradients of the tiny CNN at batch 32 and the dense weight gradients aᵀ·dy of
// the LSTM models. `tsx bench/simd-ab.ts [REPS]` (default 7).
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../src/main/ml/backend';
import { convFilterGrad, matMulTransposedA } from '../src/main/ml/nn/ops';
import { setSimdKernelsEnabled, simdKernelsStatus } from '../src/main/ml/simd/tfjs';

const reps = Number(process.argv[2] ?? 7);
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
    inputs: [tf.randomNormal([32, s, s, ci], 0, 1, 'float32', 1), tf.randomNormal([32, s, s, co], 0, 1, 'float32', 2)],
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

console.log(`backend ${info.chosen}-t${info.threads}, ${reps} reps interleaved, median ms per call`);
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
