// The compute backend this machine gets, and its matMul throughput (the XNNPACK path).
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../src/main/ml/backend';
import { timeIt, type Bench } from './types';

const bench: Bench = {
  name: 'backend',
  async run() {
    const info = await selectBackend(nodeLoader(), 'train');
    const rows = [];
    for (const n of [512, 1024]) {
      const a = tf.randomNormal([n, n]); // [n, n]
      const b = tf.randomNormal([n, n]); // [n, n]
      const ms = await timeIt(
        async () => {
          const c = tf.matMul(a, b); // [n, n]
          await c.data();
          c.dispose();
        },
        7,
        2,
      );
      rows.push({
        name: `${info.chosen} matMul ${n}×${n}`,
        value: (2 * n ** 3) / (ms * 1e6),
        unit: 'GFLOP/s',
      });
      tf.dispose([a, b]);
    }
    return rows;
  },
};
export default bench;
