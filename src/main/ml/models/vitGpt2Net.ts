// The ViT-GPT2 maths over named weights in the Hugging Face VisionEncoderDecoderModel layout: ViTModel
// (patch embedding, CLS, learned positions, pre-LN blocks, exact GELU, final LayerNorm) and
// GPT2LMHeadModel with cross-attention (fused c_attn, Conv1D [in, out], gelu_new, causal mask,
// crossattention q_attn + c_attn, ln_cross_attn, LM head tied to wte), enc_to_dec_proj when the widths
// differ. A key/value cache makes one decoding step cost one position. No dropout (eval maths).
import * as tf from '@tensorflow/tfjs';
import { embeddingLookup } from '../nn/ops';
import {
  fusedKv,
  fusedQkv,
  layerNorm,
  linear,
  mlp,
  multiHeadAttention,
  project,
  type Proj,
} from '../nn/transformer';
import { vitPatches, type VitGpt2Arch } from '../weights/vitGpt2Names';

/** The weight of a name (HF state-dict names and stored shapes). */
export type Weights = (name: string) => tf.Tensor;

/** Keys and values of one attention, heads not split: [B, L, D] each. */
export interface KV {
  k: tf.Tensor3D;
  v: tf.Tensor3D;
}

const lin = (W: Weights, name: string, bias = true): Proj => ({
  w: W(`${name}.weight`),
  b: bias ? W(`${name}.bias`) : undefined,
  layout: 'linear',
});
const conv = (W: Weights, name: string): Proj => ({
  w: W(`${name}.weight`),
  b: W(`${name}.bias`),
  layout: 'conv1d',
});
const norm = (W: Weights, name: string, x: tf.Tensor, eps: number) =>
  layerNorm(x, W(`${name}.weight`), W(`${name}.bias`), eps);

/**
 * ViTModel's last hidden state: images [N, S, S, C] (channels last, preprocessed) → [N, 1 + P, D],
 * plus each layer's attention weights [N, H, 1 + P, 1 + P] when asked.
 * The patch conv (kernel = stride = patch) is a matMul of the image's patches, flattened (py, px, c),
 * with the conv weight [D, C, p, p] reordered to [D, p·p·C] (rank-4 transposes only).
 */
export function vitEncode(
  arch: VitGpt2Arch,
  W: Weights,
  images: tf.Tensor4D,
  opts: { attentions?: boolean } = {},
): { hidden: tf.Tensor3D; attentions: tf.Tensor4D[] } {
  const e = arch.encoder;
  const [n, s, s2, c] = images.shape;
  if (s !== e.imageSize || s2 !== e.imageSize || c !== e.channels)
    throw new Error(
      `ViT expects images [N, ${e.imageSize}, ${e.imageSize}, ${e.channels}], got [${images.shape}].`,
    );
  const p = e.patchSize;
  const g = s / p;
  const patches = images
    .reshape([n * g, p, g, p * c])
    .transpose([0, 2, 1, 3])
    .reshape([n * g * g, p * p * c]); // [N·P, p·p·C]
  const convW = W('encoder.embeddings.patch_embeddings.projection.weight')
    .transpose([0, 2, 3, 1])
    .reshape([e.hidden, p * p * c]); // [D, p·p·C]
  const emb = linear(patches, convW, W('encoder.embeddings.patch_embeddings.projection.bias')).reshape([
    n,
    g * g,
    e.hidden,
  ]); // [N, P, D]
  const cls = tf.tile(W('encoder.embeddings.cls_token'), [n, 1, 1]); // [N, 1, D]
  let x = tf.add(tf.concat([cls, emb], 1), W('encoder.embeddings.position_embeddings')) as tf.Tensor3D; // [N, 1+P, D]
  const attentions: tf.Tensor4D[] = [];
  for (let i = 0; i < e.layers; i++) {
    const pre = `encoder.encoder.layer.${i}`;
    const h = norm(W, `${pre}.layernorm_before`, x, e.layerNormEps); // [N, L, D]
    const q = project(h, lin(W, `${pre}.attention.attention.query`, e.qkvBias));
    const k = project(h, lin(W, `${pre}.attention.attention.key`, e.qkvBias));
    const v = project(h, lin(W, `${pre}.attention.attention.value`, e.qkvBias));
    const a = multiHeadAttention(q, k, v, e.heads, { causal: false });
    if (opts.attentions) attentions.push(a.weights);
    x = tf.add(project(a.context, lin(W, `${pre}.attention.output.dense`)), x) as tf.Tensor3D;
    const h2 = norm(W, `${pre}.layernorm_after`, x, e.layerNormEps);
    x = tf.add(
      mlp(h2, lin(W, `${pre}.intermediate.dense`), lin(W, `${pre}.output.dense`), 'gelu'),
      x,
    ) as tf.Tensor3D;
  }
  return { hidden: norm(W, 'encoder.layernorm', x, e.layerNormEps) as tf.Tensor3D, attentions };
}

/** Encoder states as the decoder's cross-attention reads them: enc_to_dec_proj when the widths differ. */
export function encoderSource(arch: VitGpt2Arch, W: Weights, hidden: tf.Tensor3D): tf.Tensor3D {
  if (arch.encoder.hidden === arch.decoder.hidden) return hidden;
  return linear(hidden, W('enc_to_dec_proj.weight'), W('enc_to_dec_proj.bias')) as tf.Tensor3D; // [N, Le, E]
}

/** Each decoder layer's cross-attention keys and values of the encoder source [N, Le, E], once per image. */
export function crossKeyValues(arch: VitGpt2Arch, W: Weights, source: tf.Tensor3D): KV[] {
  const out: KV[] = [];
  for (let i = 0; i < arch.decoder.layers; i++) {
    const [k, v] = fusedKv(source, conv(W, `decoder.transformer.h.${i}.crossattention.c_attn`));
    out.push({ k: k as tf.Tensor3D, v: v as tf.Tensor3D });
  }
  return out;
}

export interface DecodeOut {
  logits: tf.Tensor3D; // [N, T, V]
  /** Self-attention keys/values of every position so far, per layer (the cache for the next step). */
  present: KV[];
  selfAttentions: tf.Tensor4D[]; // per layer [N, H, T, Tpast+T]
  crossAttentions: tf.Tensor4D[]; // per layer [N, H, T, Le]
  /** The last hidden state before the LM head, [N, T, E]. */
  hidden: tf.Tensor3D;
}

/**
 * GPT2LMHeadModel with cross-attention: ids int32 [N, T] at positions past..past+T−1 (past = cached
 * length) → logits [N, T, V]. The LM head is wte (tied): logits = h · wteᵀ.
 * `dropout` (training only): GPT-2's embd_pdrop and resid_pdrop, on the embeddings and on each residual
 * branch, seeded per use; attention-weight dropout (attn_pdrop) is not applied.
 */
export function gpt2Decode(
  arch: VitGpt2Arch,
  W: Weights,
  ids: tf.Tensor2D,
  cross: KV[],
  past?: KV[],
  dropout?: { rate: number; seed: number },
): DecodeOut {
  const d = arch.decoder;
  const t = ids.shape[1];
  const offset = past ? past[0].k.shape[1] : 0;
  if (offset + t > d.positions)
    throw new Error(`GPT-2 has ${d.positions} positions; asked for position ${offset + t - 1}.`);
  const wte = W('decoder.transformer.wte.weight');
  const pos = tf.slice(W('decoder.transformer.wpe.weight'), [offset, 0], [t, d.hidden]); // [T, E]
  let uses = 0;
  const drop = (y: tf.Tensor): tf.Tensor =>
    dropout ? tf.dropout(y, dropout.rate, undefined, dropout.seed * 1009 + ++uses) : y;
  let x = drop(tf.add(embeddingLookup(wte as tf.Tensor2D, ids), pos)) as tf.Tensor3D; // [N, T, E]
  const present: KV[] = [];
  const selfAttentions: tf.Tensor4D[] = [];
  const crossAttentions: tf.Tensor4D[] = [];
  for (let i = 0; i < d.layers; i++) {
    const pre = `decoder.transformer.h.${i}`;
    const [q, k1, v1] = fusedQkv(norm(W, `${pre}.ln_1`, x, d.layerNormEps), conv(W, `${pre}.attn.c_attn`));
    const k = (past ? tf.concat([past[i].k, k1], 1) : k1) as tf.Tensor3D; // [N, Tpast+T, E]
    const v = (past ? tf.concat([past[i].v, v1], 1) : v1) as tf.Tensor3D;
    present.push({ k, v });
    const sa = multiHeadAttention(q, k, v, d.heads, { causal: true });
    selfAttentions.push(sa.weights);
    x = tf.add(drop(project(sa.context, conv(W, `${pre}.attn.c_proj`))), x) as tf.Tensor3D;
    const cq = project(
      norm(W, `${pre}.ln_cross_attn`, x, d.layerNormEps),
      conv(W, `${pre}.crossattention.q_attn`),
    );
    const ca = multiHeadAttention(cq, cross[i].k, cross[i].v, d.heads, { causal: false });
    crossAttentions.push(ca.weights);
    x = tf.add(drop(project(ca.context, conv(W, `${pre}.crossattention.c_proj`))), x) as tf.Tensor3D;
    const h = norm(W, `${pre}.ln_2`, x, d.layerNormEps);
    x = tf.add(
      drop(mlp(h, conv(W, `${pre}.mlp.c_fc`), conv(W, `${pre}.mlp.c_proj`), 'gelu_new')),
      x,
    ) as tf.Tensor3D;
  }
  const hidden = norm(W, 'decoder.transformer.ln_f', x, d.layerNormEps) as tf.Tensor3D; // [N, T, E]
  const logits = linear(hidden, wte) as tf.Tensor3D; // [N, T, V]
  return { logits, present, selfAttentions, crossAttentions, hidden };
}

export interface VitGpt2Outputs {
  encoderLastHiddenState: tf.Tensor3D; // [B, 1+P, D]
  logits: tf.Tensor3D; // [B, T, V]
  encoderAttentions: tf.Tensor4D[]; // per layer [B, H, 1+P, 1+P]
  decoderAttentions: tf.Tensor4D[]; // per layer [B, H, T, T]
  crossAttentions: tf.Tensor4D[]; // per layer [B, H, T, 1+P]
}

/**
 * The whole model once, as VisionEncoderDecoderModel(pixel_values, decoder_input_ids) with
 * output_attentions: `weights` is a state-dict map (HF names, stored shapes; pooler and lm_head may be
 * present and are not used), `pixelValues` [B, C, H, W] as the HF image processor gives them,
 * `decoderIds` [B][T]. The caller disposes the returned tensors (weights are read into tensors here and
 * disposed before returning).
 */
export function vitGpt2Forward(
  arch: VitGpt2Arch,
  weights: ReadonlyMap<string, { shape: number[]; data: Float32Array }>,
  pixelValues: tf.Tensor4D,
  decoderIds: number[][],
): VitGpt2Outputs {
  const cache = new Map<string, tf.Tensor>();
  const W: Weights = (name) => {
    let t = cache.get(name);
    if (!t) {
      const w = weights.get(name);
      if (!w) throw new Error(`The weights have no tensor "${name}".`);
      t = tf.tensor(w.data, w.shape);
      cache.set(name, t);
    }
    return t;
  };
  try {
    return tf.tidy(() => {
      if (pixelValues.shape[2] !== arch.encoder.imageSize || pixelValues.shape[1] !== arch.encoder.channels)
        throw new Error(
          `pixel values must be [B, ${arch.encoder.channels}, ${arch.encoder.imageSize}, ${arch.encoder.imageSize}], got [${pixelValues.shape}].`,
        );
      if (vitPatches(arch.encoder) < 1) throw new Error('The encoder has no patches.');
      const images = pixelValues.transpose([0, 2, 3, 1]) as tf.Tensor4D; // [B, H, W, C]
      const enc = vitEncode(arch, W, images, { attentions: true });
      const ids = tf.tensor2d(decoderIds, undefined, 'int32'); // [B, T]
      const cross = crossKeyValues(arch, W, encoderSource(arch, W, enc.hidden));
      const dec = gpt2Decode(arch, W, ids, cross);
      return {
        encoderLastHiddenState: enc.hidden,
        logits: dec.logits,
        encoderAttentions: enc.attentions,
        decoderAttentions: dec.selfAttentions,
        crossAttentions: dec.crossAttentions,
      };
    });
  } finally {
    for (const t of cache.values()) t.dispose();
  }
}
