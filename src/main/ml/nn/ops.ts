// Tensor ops with hand-written gradients that keep training on the wasm backend's fast paths.
// Why (measured with tfjs 4.22 on a 2-core CPU): wasm uses XNNPACK only for conv2d forward and 2-D matMul
// without transpose flags; the default MatMul gradient uses transposeA/B (10-40× slower), the backend
// has no Conv2DBackpropFilter and no UnsortedSegmentSum (the gather gradient). Every gradient here is
// checked against tfjs autograd on the cpu backend in test/ml/nn-grads.test.ts.
import * as tf from '@tensorflow/tfjs';
import { simdConvFilterGrad, simdMatMulABt, simdMatMulAtB } from '../simd/tfjs';

export type GradFn = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
/** tf.customGrad with our argument/return types (tfjs types it loosely). */
export function custom(
  f: (inputs: tf.Tensor[], save: (t: tf.Tensor[]) => void) => { value: tf.Tensor; grad: GradFn },
) {
  return tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as (t: tf.Tensor[]) => void;
    const { value, grad } = f(args as tf.Tensor[], save);
    return { value, gradFunc: grad };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...xs: tf.Tensor[]) => tf.Tensor;
}

/**
 * dy [M, N] @ wᵀ → [M, K] for w [K, N]. XNNPACK packs the right operand of every matMul whose tensor
 * it has not seen (and a transpose is a new tensor each time): when dy is the smaller of the two,
 * (w @ dyᵀ)ᵀ packs only dyᵀ, instead of a fresh wᵀ per call (per LSTM time step). 2.9× faster for
 * an LSTM's [32, 1024] @ [1024, 512] step gradient (profiled: 9.4 → 3.2 ms).
 */
export function matMulTransposedB(dy: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const simd = simdMatMulABt(dy, w); // [M, K] by the SIMD kernel on wasm, else null
  if (simd) return simd;
  if (dy.size < w.size) return tf.transpose(tf.matMul(w, tf.transpose(dy))) as tf.Tensor2D; // [M, K]
  return tf.matMul(dy, tf.transpose(w)); // [M, K]
}

/** aᵀ @ dy → [K, N] for a [M, K], dy [M, N] (a weight gradient): the SIMD kernel on wasm, else tfjs. */
export function matMulTransposedA(a: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor2D {
  return simdMatMulAtB(a, dy) ?? tf.matMul(tf.transpose(a), dy); // [K, N]
}

const matMul2dOp = custom(([a, b], save) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b), // [M, N]
    grad: (dy, [a, b]) => [
      matMulTransposedB(dy as tf.Tensor2D, b as tf.Tensor2D),
      matMulTransposedA(a as tf.Tensor2D, dy as tf.Tensor2D),
    ],
  };
});

/** a [M, K] @ b [K, N] → [M, N], gradients as explicit transposes + plain matMuls. */
export const matMul2d = (a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D => matMul2dOp(a, b) as tf.Tensor2D;

const denseOp = custom(([x, w, b], save) => {
  save([x, w]);
  return {
    value: tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b }), // [M, N]
    grad: (dy, [x, w]) => [
      matMulTransposedB(dy as tf.Tensor2D, w as tf.Tensor2D),
      matMulTransposedA(x as tf.Tensor2D, dy as tf.Tensor2D),
      tf.sum(dy, 0),
    ],
  };
});

/** x [..., K] @ w [K, N] + b [N] → [..., N]; leading axes are folded into one 2-D matMul. */
export function dense(x: tf.Tensor, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor {
  const k = x.shape[x.rank - 1];
  const x2 = x.rank === 2 ? x : x.reshape([-1, k]); // [M, K]
  const y = denseOp(x2, w, b); // [M, N]
  return x.rank === 2 ? y : y.reshape([...x.shape.slice(0, -1), w.shape[1]]);
}

/**
 * dW of a stride-1 'same' k×k conv, dW[i, j, ci, co] = Σ_{n,y,x} x_pad[n, y+i, x+j, ci] · dy[n, y, x, co],
 * is itself a 'valid' conv: images = x as [Ci, H, W, N] (padded by p), filter = dy as [H, W, N, Co],
 * output [Ci, k, k, Co]. One XNNPACK conv and two transposes, instead of an im2col of k² slices, its
 * concat and transpose (the wasm Slice kernel copies its whole input on every call). Measured on
 * the tiny CNN's three layers (batch 32, one thread, busy machine): 749/1257/519 ms → 296/443/605 ms.
 */
export function convFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, k: number): tf.Tensor4D {
  const simd = simdConvFilterGrad(x, dy, k); // [k, k, Ci, Co] by the SIMD kernel on wasm, else null
  if (simd) return simd;
  const p = (k - 1) / 2;
  const xs = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D; // [Ci, H, W, N]
  const g = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [H, W, N, Co]
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ];
  const dw = tf.conv2d(xs, g, 1, pad); // [Ci, k, k, Co]
  return tf.transpose(dw, [1, 2, 0, 3]) as tf.Tensor4D; // [k, k, Ci, Co]
}

/** dX of a stride-1 'same' conv: a forward conv of dy with the flipped filter, channels swapped. */
export function convInputGrad(dy: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]); // [k, k, Co, Ci]
  return tf.conv2d(dy, flipped as tf.Tensor4D, 1, 'same');
}

function makeConv(relu: boolean, inputGrad: boolean, paramGrad: boolean) {
  return custom(([x, w, b], save) => {
    const y = tf.fused.conv2d({
      x: x as tf.Tensor4D,
      filter: w as tf.Tensor4D,
      strides: 1,
      pad: 'same',
      bias: b,
      activation: relu ? 'relu' : 'linear',
    }); // [N, H, W, Co]
    save([x, w, y]);
    return {
      value: y,
      grad: (dy, [x, w, y]) => {
        const g = (relu ? tf.mul(dy, tf.step(y)) : dy) as tf.Tensor4D; // relu'(pre) = step(y)
        const dx = inputGrad ? convInputGrad(g, w as tf.Tensor4D) : tf.zerosLike(x);
        if (!paramGrad) return [dx, tf.zerosLike(w), tf.zerosLike(b)];
        return [dx, convFilterGrad(x as tf.Tensor4D, g, w.shape[0]), tf.sum(g, [0, 1, 2])];
      },
    };
  });
}
const convOps = [true, false].flatMap((paramGrad) =>
  [false, true].flatMap((relu) => [false, true].map((inputGrad) => makeConv(relu, inputGrad, paramGrad))),
);

/**
 * Stride-1 'same' conv with an odd square kernel, bias and optional fused ReLU.
 * `inputGrad: false` skips dX (zeros): the first layer of an encoder needs no input gradient in
 * training, which saves its most expensive backward conv; saliency maps need it. `paramGrad: false`
 * skips dW and db (zeros): saliency maps want the gradient to the pixels only, and dW is the
 * costliest part of the backward pass.
 */
export function conv2dSame(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  b: tf.Tensor1D,
  opts: { relu: boolean; inputGrad: boolean; paramGrad?: boolean },
): tf.Tensor4D {
  if (w.shape[0] !== w.shape[1] || w.shape[0] % 2 !== 1)
    throw new Error(`conv2dSame needs an odd square kernel, got ${w.shape[0]}×${w.shape[1]}`);
  const at = (opts.paramGrad === false ? 4 : 0) + (opts.relu ? 2 : 0) + (opts.inputGrad ? 1 : 0);
  return convOps[at](x, w, b) as tf.Tensor4D;
}

/**
 * Embedding lookup table [V, D] at ids (any shape) → [...ids, D].
 * The gradient scatters the rows of dy into a [V, D] zero table with tf.scatterND, which sums
 * duplicate ids (checked in the test). Measured on wasm (480 ids, D 128): V=50257 scatterND 0.9 ms vs
 * unique-ids one-hot matMul + scatter 2.1 ms; the full one-hot matMul is out of the question there.
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  const flat = ids.reshape([-1]) as tf.Tensor1D; // [M]
  const [v, d] = table.shape;
  // Tensors the gradient needs must go through save(): tfjs disposes everything else after forward.
  const op = custom(([e], save) => {
    save([flat]);
    return {
      value: tf.gather(e, flat), // [M, D]
      grad: (dy, [ids]) => [tf.scatterND(ids.reshape([-1, 1]), dy, [v, d])],
    };
  });
  return op(table).reshape([...ids.shape, d]);
}

const bmmOp = custom(([a, b], save) => {
  save([a, b]);
  const t = (x: tf.Tensor) => tf.transpose(x, [0, 2, 1]);
  return {
    value: tf.matMul(a, b), // [Bt, M, N]
    grad: (dy, [a, b]) => [tf.matMul(dy, t(b)), tf.matMul(t(a), dy)],
  };
});

/**
 * Batched a [Bt, M, K] @ b [Bt, K, N]. Gradients use explicit transposes, never the transpose
 * flags (the slowest wasm path: 0.7 GFLOP/s vs 1.4-2.5 for flag-free batched matMul).
 */
export const batchMatMul = (a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D => bmmOp(a, b) as tf.Tensor3D;

const xentOp = (targets: tf.Tensor1D, mask: tf.Tensor1D) =>
  custom(([logits], save) => {
    const [m, v] = logits.shape;
    const logp = tf.logSoftmax(logits as tf.Tensor2D); // [M, V]
    const flatIdx = tf.add(tf.mul(tf.range(0, m, 1, 'int32'), tf.scalar(v, 'int32')), targets); // [M]
    const picked = tf.gather(logp.reshape([-1]), flatIdx); // [M]
    save([logp, targets, mask]);
    return {
      value: tf.div(tf.neg(tf.sum(tf.mul(picked, mask))), tf.maximum(tf.sum(mask), 1)),
      grad: (dy, [logp, targets, mask]) => {
        // d/dlogits of −Σ mask·log softmax[target] / count = mask·(softmax − onehot) / count
        const scale = tf.div(tf.mul(mask, dy), tf.maximum(tf.sum(mask), 1)).reshape([m, 1]); // [M, 1]
        const idx = tf.stack([tf.range(0, m, 1, 'int32'), targets], 1); // [M, 2]
        const onehot = tf.scatterND(idx, tf.onesLike(mask), [m, v]); // [M, V]
        return [tf.mul(tf.sub(tf.exp(logp), onehot), scale)];
      },
    };
  });

/**
 * Mean cross-entropy over the rows whose mask is 1: logits [M, V], targets [M] int32, mask [M] float.
 * Hand-written gradient (softmax − one-hot, built by scatterND) so no [M, V] one-hot is needed forward
 * and the gather has no UnsortedSegmentSum gradient to run.
 */
export function maskedCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, mask: tf.Tensor1D): tf.Scalar {
  return xentOp(targets, mask)(logits) as tf.Scalar;
}
