// A whole LSTM layer over a teacher-forced sequence with a hand-written backward pass (BPTT): the
// input projection x·W_ih of every time step is one matMul [T·B, in]×[in, 4H] before the time loop,
// and the backward pass collects every step's gate gradient and then computes dX, dW and db with one
// matMul each, so the time loop keeps only the recurrent h·W_hh and element-wise work.
// Rows are time-major (row t·B + b is time step t of sequence b). Same maths as LstmCell.step.
import * as tf from '@tensorflow/tfjs';
import { custom } from './ops';

const rows = (x: tf.Tensor, t: number, b: number) =>
  tf.slice(x, [t * b, 0], [b, x.shape[1] as number]) as tf.Tensor2D;

/** 1 on the sigmoid gates' columns (i, f, o), 0 on the tanh gate's (g): [4H]. */
function sigmoidColumns(hidden: number): tf.Tensor1D {
  const m = new Float32Array(4 * hidden).fill(1);
  m.fill(0, 2 * hidden, 3 * hidden);
  return tf.tensor1d(m);
}

const seqOp = (steps: number) =>
  custom(([x, h0, c0, w, bias], save) => {
    const [tb, inDim] = x.shape as [number, number];
    const b = tb / steps;
    const hid = h0.shape[1] as number;
    const wx = tf.slice(w, [0, 0], [inDim, 4 * hid]) as tf.Tensor2D; // [in, 4H]
    const wh = tf.slice(w, [inDim, 0], [hid, 4 * hid]) as tf.Tensor2D; // [H, 4H]
    const xp = tf.fused.matMul({ a: x as tf.Tensor2D, b: wx, bias }); // [T·B, 4H]
    let h = h0 as tf.Tensor2D;
    let c = c0 as tf.Tensor2D;
    const per: Record<'i' | 'f' | 'g' | 'o' | 'c' | 'tc' | 'h', tf.Tensor[]> = {
      i: [],
      f: [],
      g: [],
      o: [],
      c: [],
      tc: [],
      h: [],
    };
    for (let t = 0; t < steps; t++) {
      const z = tf.add(rows(xp, t, b), tf.matMul(h, wh)); // [B, 4H]
      const [zi, zf, zg, zo] = tf.split(z, 4, 1); // 4 × [B, H]
      const i = tf.sigmoid(zi);
      const f = tf.sigmoid(zf);
      const g = tf.tanh(zg);
      const o = tf.sigmoid(zo);
      c = tf.add(tf.mul(f, c), tf.mul(i, g)) as tf.Tensor2D; // [B, H]
      const tc = tf.tanh(c);
      h = tf.mul(o, tc) as tf.Tensor2D; // [B, H]
      for (const [k, v] of [
        ['i', i],
        ['f', f],
        ['g', g],
        ['o', o],
        ['c', c],
        ['tc', tc],
        ['h', h],
      ] as const)
        per[k].push(v);
    }
    const all = (k: keyof typeof per) => tf.concat(per[k], 0); // [T·B, H]
    const hs = all('h');
    save([x, h0, c0, w, all('i'), all('f'), all('g'), all('o'), all('c'), all('tc'), hs]);
    return {
      value: hs, // [T·B, H]
      grad: (dy, [x, h0, c0, w, is, fs, gs, os, cs, tcs, hs]) => {
        const whT = tf.transpose(tf.slice(w, [inDim, 0], [hid, 4 * hid])) as tf.Tensor2D; // [4H, H]
        const wxT = tf.transpose(tf.slice(w, [0, 0], [inDim, 4 * hid])) as tf.Tensor2D; // [4H, in]
        const prev = (first: tf.Tensor, seq: tf.Tensor) =>
          tf.concat([first, tf.slice(seq, [0, 0], [tb - b, hid])], 0); // [T·B, H]: step t−1's value
        const cPrev = prev(c0, cs);
        // gates a = [i, f, g, o]; da/dz = a(1−a) for the sigmoids, 1−g² for tanh
        const a = tf.concat([is, fs, gs, os], 1); // [T·B, 4H]
        const sig = sigmoidColumns(hid); // [4H]
        const dadz = tf.sub(tf.add(tf.mul(a, sig), tf.sub(1, sig)), tf.square(a)); // [T·B, 4H]
        // dz = [dc·g, dc·c_prev, dc·i, dh·tanh(c)] · da/dz
        const q = tf.mul(tf.concat([gs, cPrev, is, tcs], 1), dadz); // [T·B, 4H]
        const k = tf.mul(os, tf.sub(1, tf.square(tcs))); // [T·B, H]: dc/dh through h = o·tanh(c)
        const dzs: tf.Tensor[] = new Array(steps);
        let dh: tf.Tensor | null = null;
        let dc: tf.Tensor | null = null;
        for (let t = steps - 1; t >= 0; t--) {
          const dht: tf.Tensor = dh ? tf.add(rows(dy, t, b), dh) : rows(dy, t, b); // [B, H]
          let dct: tf.Tensor = tf.mul(dht, rows(k, t, b)); // [B, H]
          if (dc) dct = tf.add(dct, dc);
          const dz: tf.Tensor = tf.mul(tf.concat([dct, dct, dct, dht], 1), rows(q, t, b)); // [B, 4H]
          dzs[t] = dz;
          dc = tf.mul(dct, rows(fs, t, b)); // [B, H]
          dh = tf.matMul(dz, whT); // [B, H]
        }
        const dzAll = tf.concat(dzs, 0) as tf.Tensor2D; // [T·B, 4H]
        const xh = tf.concat([x, prev(h0, hs)], 1); // [T·B, in+H]
        return [
          tf.matMul(dzAll, wxT), // dX [T·B, in]
          dh!, // dh0 [B, H]
          dc!, // dc0 [B, H]
          tf.matMul(tf.transpose(xh), dzAll), // dW [in+H, 4H]
          tf.sum(dzAll, 0), // db [4H]
        ];
      },
    };
  });

/**
 * The LSTM (fused weight [in+H, 4H] = [W_ih; W_hh], bias [4H], gates i, f, g, o) over `steps` time
 * steps: x [T·B, in] time-major, initial h0, c0 [B, H] → every step's h, [T·B, H] time-major.
 */
export function lstmSequence(
  x: tf.Tensor2D,
  h0: tf.Tensor2D,
  c0: tf.Tensor2D,
  weight: tf.Tensor2D,
  bias: tf.Tensor1D,
  steps: number,
): tf.Tensor2D {
  if (x.shape[0] !== steps * h0.shape[0])
    throw new Error(`lstmSequence: ${x.shape[0]} rows are not ${steps} steps × batch ${h0.shape[0]}.`);
  return seqOp(steps)(x, h0, c0, weight, bias) as tf.Tensor2D;
}
