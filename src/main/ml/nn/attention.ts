// Attention blocks: additive attention (Show, Attend and Tell) and multi-head scaled dot-product
// self/cross attention (GPT-2 / ViT), both returning their weights so decoders can show maps.
import * as tf from '@tensorflow/tfjs';
import { Dense } from './layers';
import type { ParamStore } from './module';
import { batchMatMul } from './ops';

/**
 * Bahdanau-style attention as in Show, Attend and Tell (Xu et al. 2015, eq. 4-5):
 * e = v·tanh(W_f f + W_h h), α = softmax(e) over regions, context = Σ α f.
 * Names follow the common PyTorch port: encoder_att, decoder_att, full_att.
 */
export class AdditiveAttention {
  readonly encoderAtt: Dense;
  readonly decoderAtt: Dense;
  readonly fullAtt: Dense;
  constructor(
    ps: ParamStore,
    readonly name: string,
    featDim: number,
    queryDim: number,
    readonly attnDim: number,
  ) {
    this.encoderAtt = new Dense(ps, `${name}.encoder_att`, featDim, attnDim);
    this.decoderAtt = new Dense(ps, `${name}.decoder_att`, queryDim, attnDim);
    this.fullAtt = new Dense(ps, `${name}.full_att`, attnDim, 1);
  }

  /** Projects the regions once per image: feats [B, L, F] → [B, L, A]. */
  project(feats: tf.Tensor3D): tf.Tensor3D {
    return this.encoderAtt.apply(feats) as tf.Tensor3D;
  }

  /** feats [B, L, F], projected [B, L, A], query [B, Q] → context [B, F], weights [B, L]. */
  attend(
    feats: tf.Tensor3D,
    projected: tf.Tensor3D,
    query: tf.Tensor2D,
  ): { context: tf.Tensor2D; weights: tf.Tensor2D } {
    return this.attendProjected(feats, projected, this.decoderAtt.apply(query) as tf.Tensor2D);
  }

  /** `attend` with the query already through decoder_att: queryAtt [B, A]. */
  attendProjected(
    feats: tf.Tensor3D,
    projected: tf.Tensor3D,
    queryAtt: tf.Tensor2D,
  ): { context: tf.Tensor2D; weights: tf.Tensor2D } {
    const [b, l] = feats.shape;
    const q = queryAtt.expandDims(1); // [B, 1, A]
    const e = this.fullAtt.apply(tf.tanh(tf.add(projected, q))).reshape([b, l]); // [B, L]
    const weights = tf.softmax(e) as tf.Tensor2D; // [B, L]
    // Σ α f as a broadcast multiply + sum: a batched [1, L]@[L, F] matMul would take wasm's slow path.
    const context = tf.sum(tf.mul(weights.expandDims(2), feats), 1) as tf.Tensor2D; // [B, F]
    return { context, weights };
  }
}

export interface KeyValue {
  k: tf.Tensor4D; // [B, heads, L, dh]
  v: tf.Tensor4D; // [B, heads, L, dh]
}

/**
 * Multi-head scaled dot-product attention (Vaswani et al. 2017) in the Hugging Face GPT-2 layout:
 * self attention has one fused c_attn [D, 3D] (q, k, v) and c_proj [D, D]; cross attention has
 * q_attn [D, D] on the decoder and c_attn [D, 2D] (k, v) on the encoder output.
 */
export class MultiHeadAttention {
  readonly qAttn: Dense | null;
  readonly cAttn: Dense;
  readonly cProj: Dense;
  readonly headDim: number;
  constructor(
    ps: ParamStore,
    readonly name: string,
    readonly dim: number,
    readonly heads: number,
    readonly opts: { cross: boolean; causal: boolean; std?: number },
  ) {
    if (dim % heads !== 0) throw new Error(`${name}: dim ${dim} is not divisible by ${heads} heads.`);
    this.headDim = dim / heads;
    const std = opts.std ?? 0.02; // GPT-2 initializer_range
    this.qAttn = opts.cross ? new Dense(ps, `${name}.q_attn`, dim, dim, 'linear', { std }) : null;
    this.cAttn = new Dense(ps, `${name}.c_attn`, dim, (opts.cross ? 2 : 3) * dim, 'linear', { std });
    this.cProj = new Dense(ps, `${name}.c_proj`, dim, dim, 'linear', { std });
  }

  /** [B, L, D] → [B, heads, L, dh] */
  private split(x: tf.Tensor): tf.Tensor4D {
    const [b, l] = x.shape;
    return x.reshape([b, l, this.heads, this.headDim]).transpose([0, 2, 1, 3]);
  }

  /** Keys and values of a cross-attention source, computed once: enc [B, Le, D]. */
  crossKeyValue(enc: tf.Tensor3D): KeyValue {
    const [k, v] = tf.split(this.cAttn.apply(enc), 2, -1); // 2 × [B, Le, D]
    return { k: this.split(k), v: this.split(v) };
  }

  /**
   * Self attention: x [B, L, D] with an optional cache `past` of the earlier positions; returns the
   * output [B, L, D], the cache extended by these positions and the weights [B, heads, L, Lpast+L].
   * Cross attention: pass `source` = crossKeyValue(enc); `present` is then that same source.
   */
  apply(
    x: tf.Tensor3D,
    opts: { past?: KeyValue; source?: KeyValue } = {},
  ): { out: tf.Tensor3D; present: KeyValue; weights: tf.Tensor4D } {
    const [b, l, d] = x.shape;
    let q: tf.Tensor4D;
    let kv: KeyValue;
    if (this.qAttn) {
      if (!opts.source) throw new Error(`${this.name}: cross attention needs a source (crossKeyValue).`);
      q = this.split(this.qAttn.apply(x));
      kv = opts.source;
    } else {
      const [q1, k1, v1] = tf.split(this.cAttn.apply(x), 3, -1); // 3 × [B, L, D]
      q = this.split(q1);
      const k = this.split(k1);
      const v = this.split(v1);
      kv = opts.past ? { k: tf.concat([opts.past.k, k], 2), v: tf.concat([opts.past.v, v], 2) } : { k, v };
    }
    const lk = kv.k.shape[2];
    const bh = b * this.heads;
    const q3 = q.reshape([bh, l, this.headDim]) as tf.Tensor3D; // [BH, L, dh]
    const kT = kv.k.reshape([bh, lk, this.headDim]).transpose([0, 2, 1]) as tf.Tensor3D; // [BH, dh, Lk]
    let scores = tf.mul(batchMatMul(q3, kT), 1 / Math.sqrt(this.headDim)); // [BH, L, Lk]
    if (this.opts.causal && l > 1) scores = tf.add(scores, causalMask(l, lk)); // [BH, L, Lk]
    const weights = tf.softmax(scores) as tf.Tensor3D; // [BH, L, Lk]
    const ctx = batchMatMul(weights, kv.v.reshape([bh, lk, this.headDim]) as tf.Tensor3D); // [BH, L, dh]
    const merged = ctx.reshape([b, this.heads, l, this.headDim]).transpose([0, 2, 1, 3]).reshape([b, l, d]);
    const out = this.cProj.apply(merged) as tf.Tensor3D; // [B, L, D]
    return { out, present: kv, weights: weights.reshape([b, this.heads, l, lk]) };
  }
}

/** Additive mask [L, Lk]: query i (absolute position Lk−L+i) sees keys 0..Lk−L+i. */
export function causalMask(l: number, lk: number): tf.Tensor2D {
  const m = new Float32Array(l * lk);
  const offset = lk - l;
  for (let i = 0; i < l; i++) for (let j = i + offset + 1; j < lk; j++) m[i * lk + j] = -1e9;
  return tf.tensor2d(m, [l, lk]);
}
