// Transformer blocks as functions of their weight tensors (ViT and GPT-2 in Hugging Face's layouts):
// torch-layout linear, LayerNorm, exact GELU and gelu_new, multi-head attention (separate or fused
// projections, optional causal mask, weights returned) and the MLP. Forward passes use 2-D matMuls;
// gradients use explicit transposes (the wasm backend's fast path is a flag-free 2-D matMul).
import * as tf from '@tensorflow/tfjs';
import { causalMask } from './attention';
import { batchMatMul, custom, dense } from './ops';

// y = x Wᵀ + b with W [out, in]: forward transposes W once; dx = dy W and dW = dyᵀ x are flag-free.
const linearBiasOp = custom(([x, w, b], save) => {
  save([x, w]);
  return {
    value: tf.fused.matMul({ a: x as tf.Tensor2D, b: tf.transpose(w) as tf.Tensor2D, bias: b }), // [M, out]
    grad: (dy, [x, w]) => [tf.matMul(dy, w), tf.matMul(tf.transpose(dy), x), tf.sum(dy, 0)],
  };
});
const linearOp = custom(([x, w], save) => {
  save([x, w]);
  return {
    value: tf.matMul(x, tf.transpose(w)), // [M, out]
    grad: (dy, [x, w]) => [tf.matMul(dy, w), tf.matMul(tf.transpose(dy), x)],
  };
});

/**
 * torch.nn.Linear: x [..., in] @ Wᵀ + b with W stored [out, in] (ViT, enc_to_dec_proj, and the tied
 * LM head against wte [V, D] without a bias). Leading axes fold into one 2-D matMul.
 */
export function linear(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const k = x.shape[x.rank - 1];
  if (w.shape[1] !== k)
    throw new Error(`linear: input width ${k} but weight [${w.shape}] (stored [out, in]).`);
  const x2 = x.rank === 2 ? x : x.reshape([-1, k]); // [M, in]
  const y = b ? linearBiasOp(x2, w, b) : linearOp(x2, w); // [M, out]
  return x.rank === 2 ? y : y.reshape([...x.shape.slice(0, -1), w.shape[0]]);
}

/** GPT-2's Conv1D: x [..., in] @ W [in, out] + b (the layout of our Dense). */
export function conv1d(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return dense(x, w as tf.Tensor2D, b as tf.Tensor1D);
}

/** A projection's weights with their storage layout. */
export interface Proj {
  w: tf.Tensor;
  /** Absent for a bias-free linear (ViT with qkv_bias false); Conv1D always has one. */
  b?: tf.Tensor;
  /** 'linear' = torch nn.Linear [out, in]; 'conv1d' = GPT-2 Conv1D [in, out]. */
  layout: 'linear' | 'conv1d';
}

export function project(x: tf.Tensor, p: Proj): tf.Tensor {
  if (p.layout === 'linear') return linear(x, p.w, p.b);
  if (!p.b) throw new Error('A Conv1D projection needs a bias.');
  return conv1d(x, p.w, p.b);
}

/** torch.nn.LayerNorm over the last axis: biased variance, eps inside the root (ViT 1e-12, GPT-2 1e-5). */
export function layerNorm(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps: number): tf.Tensor {
  // x − mean once (tf.moments computes it for the variance and would need it again): 9 ops, not 12
  const centred = tf.sub(x, tf.mean(x, -1, true)); // [..., D]
  const variance = tf.mean(tf.square(centred), -1, true); // [..., 1]
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, eps))), weight), bias);
}

/** Exact GELU, x·Φ(x) = ½x(1 + erf(x/√2)) (torch's default, ViT's "gelu"). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

/** GPT-2's gelu_new: ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
export function geluNew(x: tf.Tensor): tf.Tensor {
  // ½(1 + tanh u) = σ(2u): x·σ(x·(2c + 2c·0.044715·x²)) with c = √(2/π), 6 ops instead of 9
  const c2 = 2 * Math.sqrt(2 / Math.PI);
  return tf.mul(x, tf.sigmoid(tf.mul(x, tf.add(tf.mul(tf.square(x), c2 * 0.044715), c2))));
}

export type ActivationName = 'gelu' | 'gelu_new';
export const activation = (name: ActivationName) => (name === 'gelu' ? gelu : geluNew);

/** Two projections with an activation between: fc → act → proj. */
export function mlp(x: tf.Tensor, fc: Proj, proj: Proj, act: ActivationName): tf.Tensor {
  return project(activation(act)(project(x, fc)), proj);
}

/** [B, L, D] → [B·H, L, dh] */
function splitHeads(x: tf.Tensor, heads: number): tf.Tensor3D {
  const [b, l, d] = x.shape;
  if (l === 1) return x.reshape([b * heads, 1, d / heads]) as tf.Tensor3D; // one position: no transpose
  return x
    .reshape([b, l, heads, d / heads])
    .transpose([0, 2, 1, 3])
    .reshape([b * heads, l, d / heads]) as tf.Tensor3D;
}

/**
 * Scaled dot-product attention over heads: q [B, Lq, D], k and v [B, Lk, D] (already projected) →
 * context [B, Lq, D] (heads merged, before the output projection) and weights [B, H, Lq, Lk].
 * `causal`: query i (absolute position Lk − Lq + i, so a cached prefix works) sees keys up to itself.
 * Scores are q·k/√dh as both ViT and GPT-2 compute them.
 */
export function multiHeadAttention(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  heads: number,
  opts: { causal: boolean },
): { context: tf.Tensor3D; weights: tf.Tensor4D } {
  const [b, lq, d] = q.shape as [number, number, number];
  const lk = k.shape[1] as number;
  if (d % heads !== 0) throw new Error(`attention: width ${d} is not divisible by ${heads} heads.`);
  const dh = d / heads;
  const q3 = splitHeads(q, heads); // [BH, Lq, dh]
  const kT = splitHeads(k, heads).transpose([0, 2, 1]) as tf.Tensor3D; // [BH, dh, Lk]
  let scores = tf.mul(batchMatMul(q3, kT), 1 / Math.sqrt(dh)); // [BH, Lq, Lk]
  if (opts.causal && lq > 1) scores = tf.add(scores, causalMask(lq, lk)); // [BH, Lq, Lk]
  const weights = tf.softmax(scores) as tf.Tensor3D; // [BH, Lq, Lk]
  const ctx = batchMatMul(weights, splitHeads(v, heads)); // [BH, Lq, dh]
  const context = (
    lq === 1
      ? ctx.reshape([b, 1, d])
      : ctx.reshape([b, heads, lq, dh]).transpose([0, 2, 1, 3]).reshape([b, lq, d])
  ) as tf.Tensor3D; // [B, Lq, D]
  return { context, weights: weights.reshape([b, heads, lq, lk]) as tf.Tensor4D };
}

/** The fused query/key/value projection (GPT-2's c_attn, [D, 3D]) split in three [B, L, D]. */
export function fusedQkv(x: tf.Tensor, cAttn: Proj): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const [q, k, v] = tf.split(project(x, cAttn), 3, -1);
  return [q, k, v];
}

/** The fused key/value projection of cross attention (GPT-2's crossattention.c_attn, [D, 2D]). */
export function fusedKv(x: tf.Tensor, cAttn: Proj): [tf.Tensor, tf.Tensor] {
  const [k, v] = tf.split(project(x, cAttn), 2, -1);
  return [k, v];
}
