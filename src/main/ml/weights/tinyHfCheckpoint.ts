// Tiny random ViT-GPT2 checkpoints written in the Hugging Face layouts found in the wild, for tests
// and the local hub server: one seeded set of canonical tensors, laid out per layout.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../../util/rng';
import { bytesToChars } from '../../text/bpe';
import { vitProcessorDefaults, vitProcessorJson } from '../../images/vitProcessor';
import { writeSafetensors, type TensorToWrite, type WriteDtype } from './safetensors';
import { expectedTensors, hfConfigFromArch, type VitGpt2Arch } from './vitGpt2Names';

/** A byte-level vocabulary (256 byte characters), three merges and "<|endoftext|>" = 259. */
export const TINY_MERGES: Array<[string, string]> = [
  ['Ġ', 'c'],
  ['a', 't'],
  ['Ġc', 'at'],
];
export const TINY_EOT = 259;

export function tinyArch(opts: { encoderHidden?: number } = {}): VitGpt2Arch {
  const eh = opts.encoderHidden ?? 32;
  return {
    encoder: {
      imageSize: 32,
      patchSize: 8,
      channels: 3,
      hidden: eh,
      layers: 2,
      heads: 2,
      mlp: 2 * eh,
      layerNormEps: 1e-12,
      qkvBias: true,
      hiddenAct: 'gelu',
    },
    decoder: {
      vocabSize: 260,
      positions: 16,
      hidden: 32,
      layers: 2,
      heads: 2,
      mlp: 128,
      layerNormEps: 1e-5,
      activation: 'gelu_new',
      bosTokenId: TINY_EOT,
      eosTokenId: TINY_EOT,
      padTokenId: TINY_EOT,
      decoderStartTokenId: TINY_EOT,
    },
  };
}

/**
 * Canonical tensors (pooler included) with values k/256, |k| ≤ 64 (LayerNorm weights 1 + k/128,
 * |k| ≤ 32), so float16 and bfloat16 hold them exactly and every layout loads to identical tensors.
 */
export function tinyTensors(
  arch: VitGpt2Arch,
  seed = 1,
): Map<string, { shape: number[]; data: Float32Array }> {
  const rng = mulberry32(seed);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, shape] of expectedTensors(arch, { pooler: true })) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const ln = /(ln_[a-z_0-9]+|layernorm[a-z_]*)\.weight$/.test(name);
    for (let i = 0; i < n; i++)
      data[i] = ln ? 1 + (Math.floor(rng() * 65) - 32) / 128 : (Math.floor(rng() * 129) - 64) / 256;
    out.set(name, { shape, data });
  }
  return out;
}

export type TinyLayout =
  /** config.json + model.safetensors, canonical names, pooler stored, lm_head left out. */
  | 'ved'
  /** The same, sharded in two files with model.safetensors.index.json. */
  | 'ved-sharded'
  /** Stored as float16 / bfloat16. */
  | 'ved-f16'
  | 'ved-bf16'
  /** Older saves (nlpconnect era): lm_head stored, attn.bias / masked_bias buffers, no pooler. */
  | 'ved-legacy';

export type TinyJoinedLayout = {
  /** ViT names bare (ViTModel) or `vit.`-prefixed with a classifier (ViTForImageClassification). */
  encoder: 'bare' | 'vit-prefixed';
  /** GPT-2 names with `transformer.` + lm_head (GPT2LMHeadModel) or bare with buffers (GPT2Model). */
  decoder: 'lm-head' | 'bare';
  /** Whether the decoder already has cross-attention (saved with add_cross_attention). */
  cross: boolean;
};

const toWrite = (
  m: Map<string, { shape: number[]; data: Float32Array }>,
  dtype: WriteDtype | 'BF16' = 'F32',
): Map<string, TensorToWrite> => {
  const out = new Map<string, TensorToWrite>();
  for (const [k, v] of m)
    out.set(k, { shape: v.shape, data: v.data, dtype: dtype === 'BF16' ? 'F32' : dtype });
  return out;
};

/** writeSafetensors has no BF16 writer; values here are bf16-exact, so truncating float32 is exact. */
function toBf16File(m: Map<string, { shape: number[]; data: Float32Array }>): Uint8Array {
  const f32 = writeSafetensors(toWrite(m));
  const n = Number(new DataView(f32.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(f32.subarray(8, 8 + n))) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  let off = 0;
  const parts: Uint8Array[] = [];
  for (const k of names) {
    const v = m.get(k)!.data;
    const b = new Uint8Array(v.length * 2);
    const dv = new DataView(b.buffer);
    const u = new Uint32Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
    for (let i = 0; i < v.length; i++) dv.setUint16(2 * i, u[i] >>> 16, true);
    header[k] = { dtype: 'BF16', shape: header[k].shape, data_offsets: [off, off + b.length] };
    off += b.length;
    parts.push(b);
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const p = new Uint8Array(padded).fill(0x20);
  p.set(json);
  json = p;
  const out = new Uint8Array(8 + json.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const b of parts) {
    out.set(b, pos);
    pos += b.length;
  }
  return out;
}

/** vocab.json + merges.txt (+ tokenizer_config.json) of the tiny byte-level BPE. */
export function writeTinyTokenizer(dir: string): void {
  const vocab: Record<string, number> = {};
  for (let b = 0; b < 256; b++) vocab[bytesToChars([b])] = b;
  TINY_MERGES.forEach(([a, b], i) => (vocab[a + b] = 256 + i));
  vocab['<|endoftext|>'] = TINY_EOT;
  writeFileSync(join(dir, 'vocab.json'), JSON.stringify(vocab));
  writeFileSync(
    join(dir, 'merges.txt'),
    ['#version: 0.2', ...TINY_MERGES.map((m) => m.join(' '))].join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({ bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', unk_token: '<|endoftext|>' }),
  );
}

const rename = (m: Map<string, { shape: number[]; data: Float32Array }>, f: (k: string) => string | null) => {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [k, v] of m) {
    const n = f(k);
    if (n !== null) out.set(n, v);
  }
  return out;
};

/** Writes a VisionEncoderDecoder folder in one layout; returns the canonical tensors it holds. */
export function writeTinyVed(
  dir: string,
  layout: TinyLayout,
  arch = tinyArch(),
  seed = 1,
): Map<string, { shape: number[]; data: Float32Array }> {
  mkdirSync(dir, { recursive: true });
  const t = tinyTensors(arch, seed);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(hfConfigFromArch(arch), null, 2));
  writeFileSync(
    join(dir, 'preprocessor_config.json'),
    JSON.stringify(vitProcessorJson(vitProcessorDefaults(arch.encoder.imageSize))),
  );
  writeTinyTokenizer(dir);
  if (layout === 'ved')
    writeFileSync(join(dir, 'model.safetensors'), writeSafetensors(toWrite(t), { format: 'pt' }));
  else if (layout === 'ved-f16')
    writeFileSync(join(dir, 'model.safetensors'), writeSafetensors(toWrite(t, 'F16')));
  else if (layout === 'ved-bf16') writeFileSync(join(dir, 'model.safetensors'), toBf16File(t));
  else if (layout === 'ved-sharded') {
    const enc = rename(t, (k) => (k.startsWith('encoder.') ? k : null));
    const dec = rename(t, (k) => (k.startsWith('encoder.') ? null : k));
    writeFileSync(join(dir, 'model-00001-of-00002.safetensors'), writeSafetensors(toWrite(enc)));
    writeFileSync(join(dir, 'model-00002-of-00002.safetensors'), writeSafetensors(toWrite(dec)));
    const weight_map: Record<string, string> = {};
    for (const k of enc.keys()) weight_map[k] = 'model-00001-of-00002.safetensors';
    for (const k of dec.keys()) weight_map[k] = 'model-00002-of-00002.safetensors';
    writeFileSync(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: { total_size: 0 }, weight_map }),
    );
  } else {
    const legacy = rename(t, (k) => (k.startsWith('encoder.pooler.') ? null : k));
    const all = toWrite(legacy);
    all.set('decoder.lm_head.weight', { ...all.get('decoder.transformer.wte.weight')! });
    const P = arch.decoder.positions;
    for (let i = 0; i < arch.decoder.layers; i++)
      for (const a of ['attn', 'crossattention']) {
        // Stored as float32 here; in old checkpoints a uint8 / bool mask: never read either way.
        all.set(`decoder.transformer.h.${i}.${a}.bias`, {
          shape: [1, 1, P, P],
          data: new Float32Array(P * P),
        });
        all.set(`decoder.transformer.h.${i}.${a}.masked_bias`, { shape: [], data: new Float32Array([-1e4]) });
      }
    writeFileSync(join(dir, 'model.safetensors'), writeSafetensors(all));
    t.delete('encoder.pooler.dense.weight');
    t.delete('encoder.pooler.dense.bias');
  }
  return t;
}

/** Writes an encoder folder and a decoder folder; returns the canonical tensors they hold. */
export function writeTinyJoined(
  encoderDir: string,
  decoderDir: string,
  layout: TinyJoinedLayout,
  arch = tinyArch(),
  seed = 1,
): Map<string, { shape: number[]; data: Float32Array }> {
  mkdirSync(encoderDir, { recursive: true });
  mkdirSync(decoderDir, { recursive: true });
  const t = tinyTensors(arch, seed);
  const full = hfConfigFromArch(arch) as {
    encoder: Record<string, unknown>;
    decoder: Record<string, unknown>;
  };
  const encCfg = {
    ...full.encoder,
    architectures: [layout.encoder === 'bare' ? 'ViTModel' : 'ViTForImageClassification'],
  };
  const decCfg: Record<string, unknown> = { ...full.decoder, architectures: ['GPT2LMHeadModel'] };
  decCfg.is_decoder = false;
  decCfg.add_cross_attention = layout.cross;
  delete decCfg.pad_token_id;
  delete decCfg.decoder_start_token_id;
  writeFileSync(join(encoderDir, 'config.json'), JSON.stringify(encCfg));
  writeFileSync(join(decoderDir, 'config.json'), JSON.stringify(decCfg));
  writeFileSync(
    join(encoderDir, 'preprocessor_config.json'),
    JSON.stringify(vitProcessorJson(vitProcessorDefaults(arch.encoder.imageSize))),
  );
  writeTinyTokenizer(decoderDir);

  const encPrefix = layout.encoder === 'bare' ? '' : 'vit.';
  const enc = toWrite(rename(t, (k) => (k.startsWith('encoder.') ? encPrefix + k.slice(8) : null)));
  if (layout.encoder === 'vit-prefixed') {
    enc.set('classifier.weight', {
      shape: [3, arch.encoder.hidden],
      data: new Float32Array(3 * arch.encoder.hidden),
    });
    enc.set('classifier.bias', { shape: [3], data: new Float32Array(3) });
  }
  writeFileSync(join(encoderDir, 'model.safetensors'), writeSafetensors(enc));

  const isCross = (k: string) =>
    /\.(crossattention|ln_cross_attn)\./.test(k) || k.startsWith('enc_to_dec_proj.');
  const decPrefix = layout.decoder === 'lm-head' ? 'transformer.' : '';
  const dec = toWrite(
    rename(t, (k) =>
      k.startsWith('decoder.transformer.') && (layout.cross || !isCross(k)) ? decPrefix + k.slice(20) : null,
    ),
  );
  if (layout.decoder === 'lm-head') dec.set('lm_head.weight', { ...dec.get('transformer.wte.weight')! });
  else
    for (let i = 0; i < arch.decoder.layers; i++)
      dec.set(`h.${i}.attn.masked_bias`, { shape: [], data: new Float32Array([-1e4]) });
  writeFileSync(join(decoderDir, 'model.safetensors'), writeSafetensors(dec));
  for (const k of [...t.keys()])
    if (k.startsWith('enc_to_dec_proj.') || (!layout.cross && isCross(k))) t.delete(k);
  return t;
}
