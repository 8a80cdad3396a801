// `vit-gpt2`: a ViT encoder and a GPT-2 decoder with cross-attention, in Hugging Face's
// VisionEncoderDecoderModel layout (parameter names and stored shapes are the state dict's, so a
// loaded checkpoint drops in). Maths in vitGpt2Net.ts. Decoding keeps a key/value cache; the map of a
// word is the last decoder layer's cross-attention, mean over heads, on the patch grid. Presets:
// `tiny` = the bench configuration's model C from scratch with the word vocabulary; `full` = a Hugging Face folder.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/result';
import type { CaptionTokenizer } from '../../text/tokenizer';
import { WORD_TEXT } from '../../text/vocab';
import { mixSeed, mulberry32 } from '../../util/rng';
import { gatherState, type DecoderState, type StepOutput } from '../decode/types';
import { ParamStore } from '../nn/module';
import { maskedCrossEntropy } from '../nn/ops';
import type { WriteDtype } from '../weights/safetensors';
import { expectedTensors, vitPatches, type VitGpt2Arch } from '../weights/vitGpt2Names';
import { needTokenizer, readCheckpoint, withWeights, writeCheckpoint } from './checkpoint';
import {
  checkPretrained,
  Gpt2Text,
  isGpt2Text,
  loadPretrained,
  pretrainedArch,
  type Pretrained,
} from './vitGpt2Pretrained';
import type { CaptionModel, CreateOptions, LossOptions, LossOutput, ModelSpec, Preset } from './contract';
import { checkConfigKeys, checkOverrides, fixer, settingDocs, textFields } from './fields';
import { crossKeyValues, encoderSource, gpt2Decode, vitEncode, type KV, type Weights } from './vitGpt2Net';

export const VIT_GPT2_ID = 'vit-gpt2';

/** Sizes a run may set (the rest of the architecture follows HF's ViT and GPT-2 configs). */
export interface VitSizes {
  imageSize: number;
  patchSize: number;
  hidden: number;
  layers: number;
  heads: number;
  mlp: number;
  /** ViTConfig.layer_norm_eps (1e-12). */
  layerNormEps: number;
  /** ViTConfig.qkv_bias (true). */
  qkvBias: boolean;
}
export interface Gpt2Sizes {
  hidden: number;
  layers: number;
  heads: number;
  mlp: number;
  /** GPT2Config.layer_norm_epsilon (1e-5). */
  layerNormEps: number;
}

export interface VitGpt2Config {
  model: typeof VIT_GPT2_ID;
  preset: Preset;
  encoder: Readonly<VitSizes>;
  decoder: Readonly<Gpt2Sizes>;
  /** GPT-2's embd/resid dropout while training (HF default 0.1; tiny 0). Attention-weight dropout is not applied. */
  dropout: number;
  /** The checkpoint has ViTModel's pooler (loaded, kept, never used). */
  pooler: boolean;
  vocabSize: number;
  padId: number;
  bosId: number;
  eosId: number;
  /** Longest caption in tokens, bos and eos included; also GPT-2's learned positions in `tiny`. */
  maxLength: number;
  seed: number;
  /** GPT-2 positions (n_positions): maxLength in `tiny`, the checkpoint's in `full`. */
  positions: number;
  /** The Hugging Face folder(s) the weights came from (required by `full`); sizes and ids follow it. */
  pretrained: Pretrained | null;
}

const VIT_FIXED = { layerNormEps: 1e-12, qkvBias: true };
const GPT2_FIXED = { layerNormEps: 1e-5 };
const PRESETS = {
  tiny: {
    encoder: { ...VIT_FIXED, imageSize: 64, patchSize: 8, hidden: 128, layers: 4, heads: 4, mlp: 512 },
    decoder: { ...GPT2_FIXED, hidden: 128, layers: 4, heads: 4, mlp: 512 },
    dropout: 0,
    maxLength: 16,
  },
  // ViT-B/16 + GPT-2 small (nlpconnect/vit-gpt2-image-captioning)
  full: {
    encoder: { ...VIT_FIXED, imageSize: 224, patchSize: 16, hidden: 768, layers: 12, heads: 12, mlp: 3072 },
    decoder: { ...GPT2_FIXED, hidden: 768, layers: 12, heads: 12, mlp: 3072 },
    dropout: 0.1,
    maxLength: 32,
  },
} as const;
const FIELDS = [
  'model',
  'preset',
  ...Object.keys(PRESETS.tiny),
  'pooler',
  'vocabSize',
  'padId',
  'bosId',
  'eosId',
  'seed',
  'positions',
  'pretrained',
];
const fix = fixer(VIT_GPT2_ID);

const posInt = (v: unknown) => Number.isSafeInteger(v) && (v as number) > 0;

function checkSizes(where: string, s: Record<string, unknown>, keys: readonly string[]) {
  checkConfigKeys(VIT_GPT2_ID, s, keys);
  for (const k of keys) {
    const v = s[k];
    if (k === 'layerNormEps') {
      if (!(typeof v === 'number' && v > 0 && v < 1))
        throw fix(`${where}.${k}`, `must be a small positive number, got ${String(v)}.`);
    } else if (k === 'qkvBias') {
      if (typeof v !== 'boolean') throw fix(`${where}.${k}`, `must be true or false, got ${String(v)}.`);
    } else if (!posInt(v)) throw fix(`${where}.${k}`, `must be a positive integer, got ${String(v)}.`);
  }
  if ((s.hidden as number) % (s.heads as number) !== 0)
    throw fix(
      `${where}.hidden`,
      `${String(s.hidden)} must be a multiple of ${where}.heads (${String(s.heads)}).`,
    );
}

/** Preset defaults, then the caller's fields; checked and frozen. */
export type VitGpt2Partial = Omit<Partial<VitGpt2Config>, 'encoder' | 'decoder'> & {
  vocabSize: number;
  encoder?: Partial<VitSizes>;
  decoder?: Partial<Gpt2Sizes>;
};

export function resolveVitGpt2Config(partial: VitGpt2Partial): Readonly<VitGpt2Config> {
  checkConfigKeys(VIT_GPT2_ID, partial, FIELDS);
  const preset = partial.preset ?? 'tiny';
  if (preset !== 'tiny' && preset !== 'full')
    throw fix('preset', `must be 'tiny' or 'full', got ${JSON.stringify(preset)}.`);
  const p = PRESETS[preset];
  const c: VitGpt2Config = {
    model: VIT_GPT2_ID,
    preset,
    dropout: p.dropout,
    maxLength: p.maxLength,
    pooler: false,
    padId: 0,
    bosId: 1,
    eosId: 2,
    seed: 1,
    pretrained: null,
    ...partial,
    encoder: { ...p.encoder, ...partial.encoder },
    decoder: { ...p.decoder, ...partial.decoder },
    positions: partial.positions ?? partial.maxLength ?? p.maxLength,
  };
  checkSizes('encoder', c.encoder as unknown as Record<string, unknown>, Object.keys(p.encoder));
  checkSizes('decoder', c.decoder as unknown as Record<string, unknown>, Object.keys(p.decoder));
  if (c.encoder.imageSize % c.encoder.patchSize !== 0)
    throw fix(
      'encoder.imageSize',
      `${c.encoder.imageSize} must be a multiple of encoder.patchSize (${c.encoder.patchSize}).`,
    );
  for (const k of ['vocabSize', 'maxLength', 'positions'] as const)
    if (!posInt(c[k])) throw fix(k, `must be a positive integer, got ${c[k]}.`);
  if (c.maxLength < 3) throw fix('maxLength', 'must leave room for bos, a word and eos (at least 3).');
  if (c.maxLength > c.positions)
    throw fix('maxLength', `${c.maxLength} is more than GPT-2's ${c.positions} positions.`);
  for (const k of ['padId', 'bosId', 'eosId'] as const)
    if (!Number.isSafeInteger(c[k]) || c[k] < 0 || c[k] >= c.vocabSize)
      throw fix(k, `${c[k]} is not an id of the ${c.vocabSize}-token vocabulary.`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw fix('dropout', `must be in [0, 1), got ${c.dropout}.`);
  if (!Number.isSafeInteger(c.seed)) throw fix('seed', `must be an integer, got ${c.seed}.`);
  c.pretrained = checkPretrained(c.pretrained);
  if (c.preset === 'full' && c.pretrained === null)
    throw fix(
      'pretrained',
      'is required by the full preset: a Hugging Face folder (e.g. nlpconnect/vit-gpt2-image-captioning, ' +
        'fetched with `caption-studio weights pull`), or {"encoder": ViT folder, "decoder": GPT-2 folder}.',
    );
  return Object.freeze({ ...c, encoder: Object.freeze(c.encoder), decoder: Object.freeze(c.decoder) });
}

/** The Hugging Face architecture of a config (what names, shapes and maths follow). */
export function archOf(c: Readonly<VitGpt2Config>): VitGpt2Arch {
  return {
    encoder: { ...c.encoder, channels: 3, hiddenAct: 'gelu' },
    decoder: {
      ...c.decoder,
      vocabSize: c.vocabSize,
      positions: c.positions,
      activation: 'gelu_new',
      bosTokenId: c.bosId,
      eosTokenId: c.eosId,
      padTokenId: c.padId,
      decoderStartTokenId: c.bosId,
    },
  };
}

const isNormWeight = (name: string) => /(layernorm\w*|ln_\w+)\.weight$/.test(name);

export class VitGpt2 implements CaptionModel {
  readonly config: Readonly<VitGpt2Config>;
  readonly arch: VitGpt2Arch;
  readonly params: ParamStore;
  readonly mapKind = 'attention' as const;
  readonly mapSize: readonly [number, number];
  readonly imageSize: number;
  private readonly W: Weights;

  /**
   * Seeded weights as HF initialises them: normal(0, 0.02) (initializer_range), LayerNorms 1 and 0,
   * biases 0, and GPT-2's c_proj weights scaled by 1/√(2·layers). ViT's truncated normal is a plain
   * normal here (the truncation at ±2σ changes nothing that matters at std 0.02).
   */
  constructor(
    config: Readonly<VitGpt2Config>,
    readonly tokenizer: CaptionTokenizer,
  ) {
    const t = textFields(tokenizer);
    if (
      t.vocabSize !== config.vocabSize ||
      t.bosId !== config.bosId ||
      t.eosId !== config.eosId ||
      t.padId !== config.padId
    )
      throw new AppError(
        'invalid_argument',
        `${VIT_GPT2_ID}: the tokenizer (${t.vocabSize} ids, pad/bos/eos ${t.padId}/${t.bosId}/${t.eosId}) does not fit the config (${config.vocabSize} ids, ${config.padId}/${config.bosId}/${config.eosId}).`,
      );
    this.config = config;
    this.arch = archOf(config);
    const ps = (this.params = new ParamStore(config.seed));
    const cProjStd = 0.02 / Math.sqrt(2 * config.decoder.layers);
    for (const [name, shape] of expectedTensors(this.arch, { pooler: config.pooler })) {
      if (isNormWeight(name)) ps.filled(name, shape, 1);
      else if (name.endsWith('.bias')) ps.filled(name, shape, 0);
      else if (name.startsWith('decoder.') && name.endsWith('c_proj.weight'))
        ps.normal(name, shape, cProjStd);
      else ps.normal(name, shape, 0.02);
    }
    this.W = (name) => ps.get(name);
    this.imageSize = config.encoder.imageSize;
    const g = config.encoder.imageSize / config.encoder.patchSize;
    this.mapSize = [g, g];
  }

  get vocabSize() {
    return this.config.vocabSize;
  }
  get bosId() {
    return this.config.bosId;
  }
  get eosId() {
    return this.config.eosId;
  }
  get padId() {
    return this.config.padId;
  }

  /** ViT (with the pooler); enc_to_dec_proj and the cross-attention belong to the decoder, as in HF. */
  isEncoderParam(name: string): boolean {
    return name.startsWith('encoder.');
  }

  /** ViT's blocks in forward order: 'embeddings', 'layer.0' … 'layer.N−1', 'layernorm' (and 'pooler'). */
  encoderBlock(name: string): string | null {
    if (!name.startsWith('encoder.')) return null;
    const layer = /^encoder\.encoder\.layer\.(\d+)\./.exec(name);
    return layer ? `layer.${layer[1]}` : name.split('.')[1];
  }

  /** The pooler is loaded and saved but not used, so it is never optimised. */
  isBuffer(name: string): boolean {
    return name.startsWith('encoder.pooler.');
  }

  /** images [N, S, S, 3] (preprocessed) → ViT's last hidden state [N, 1 + P, D] (CLS first). */
  features(images: tf.Tensor4D): tf.Tensor3D {
    const s = this.imageSize;
    if (images.rank !== 4 || images.shape[1] !== s || images.shape[2] !== s || images.shape[3] !== 3)
      throw new AppError(
        'invalid_argument',
        `${VIT_GPT2_ID} expects images [N, ${s}, ${s}, 3], got [${images.shape}]. Resize them to ${s}×${s} RGB.`,
      );
    return vitEncode(this.arch, this.W, images).hidden;
  }

  /** Encoder states [N, 1+P, D] → every decoder layer's cross-attention keys and values (`ck i`, `cv i`). */
  initState(features: tf.Tensor): DecoderState {
    const cross = crossKeyValues(
      this.arch,
      this.W,
      encoderSource(this.arch, this.W, features as tf.Tensor3D),
    );
    const s: DecoderState = {};
    cross.forEach((kv, i) => {
      s[`ck${i}`] = kv.k; // [N, Le, E]
      s[`cv${i}`] = kv.v;
    });
    return s;
  }

  encode(images: tf.Tensor4D): DecoderState {
    return this.initState(this.features(images));
  }

  private cross(state: DecoderState): KV[] {
    return Array.from({ length: this.arch.decoder.layers }, (_, i) => ({
      k: state[`ck${i}`] as tf.Tensor3D,
      v: state[`cv${i}`] as tf.Tensor3D,
    }));
  }

  /**
   * One token per row at the next position: tokens [N] → logits [N, V], the state with this position's
   * keys and values appended (`k i`, `v i`: [N, t, E]), and the word's map (defaultMap).
   */
  step(state: DecoderState, tokens: tf.Tensor1D): StepOutput {
    const L = this.arch.decoder.layers;
    const past = state.k0
      ? Array.from({ length: L }, (_, i) => ({
          k: state[`k${i}`] as tf.Tensor3D,
          v: state[`v${i}`] as tf.Tensor3D,
        }))
      : undefined;
    const n = tokens.shape[0];
    const out = gpt2Decode(this.arch, this.W, tokens.reshape([n, 1]), this.cross(state), past);
    // clones share the data: the search code disposes the old state after each step
    const next: DecoderState = {};
    for (let i = 0; i < L; i++) {
      next[`ck${i}`] = tf.clone(state[`ck${i}`]);
      next[`cv${i}`] = tf.clone(state[`cv${i}`]);
      next[`k${i}`] = out.present[i].k; // [N, t, E]
      next[`v${i}`] = out.present[i].v;
    }
    return {
      logits: out.logits.reshape([n, this.vocabSize]) as tf.Tensor2D, // [N, V]
      state: next,
      attention: this.defaultMap(out.crossAttentions[L - 1]).reshape([n, -1]) as tf.Tensor2D, // [N, P]
    };
  }

  /**
   * The map shown for a word: the last decoder layer's cross-attention weights [N, H, T, 1+P], mean over
   * the heads, the CLS column dropped and the P patch weights renormalised to sum 1 → [N, T, P]
   * (row-major on the patch grid, mapSize).
   */
  defaultMap(crossWeights: tf.Tensor4D): tf.Tensor3D {
    const [n, , t, le] = crossWeights.shape;
    const mean = tf.mean(crossWeights, 1); // [N, T, 1+P]
    const patches = tf.slice(mean, [0, 0, 1], [n, t, le - 1]); // [N, T, P]
    return tf.div(patches, tf.sum(patches, 2, true)) as tf.Tensor3D;
  }

  reorder(state: DecoderState, indices: tf.Tensor1D): DecoderState {
    return gatherState(state, indices);
  }

  /**
   * Every cross-attention map of a caption, per layer and head: images [N, S, S, 3], tokens [N, T]
   * (bos first) → per layer [N, H, T, P] on the patch grid (CLS column dropped, not renormalised), and
   * the default map [N, T, P]. Row t is where the model looked while predicting token t+1.
   */
  crossAttentionMaps(images: tf.Tensor4D, tokens: tf.Tensor2D): { layers: tf.Tensor4D[]; map: tf.Tensor3D } {
    return tf.tidy(() => {
      const out = gpt2Decode(this.arch, this.W, tokens, this.cross(this.encode(images)));
      const layers = out.crossAttentions.map((w) => {
        const [n, h, t, le] = w.shape;
        return tf.slice(w, [0, 0, 0, 1], [n, h, t, le - 1]) as tf.Tensor4D;
      });
      return { layers, map: this.defaultMap(out.crossAttentions[out.crossAttentions.length - 1]) };
    });
  }

  /**
   * The one loss path: teacher-forced next-token cross-entropy of tokens [B, T] over the real targets
   * (`opts.mask`, else every id but pad), as VisionEncoderDecoderModel computes it with labels shifted.
   * teacherForcing < 1: parallel scheduled sampling (Duckworth et al. 2019): a first pass predicts every
   * next token, then each input after bos is replaced by that prediction with probability 1 − teacherForcing.
   */
  loss(features: tf.Tensor, tokens: tf.Tensor2D, opts: LossOptions): LossOutput {
    if (tokens.dtype !== 'int32') throw new AppError('invalid_argument', 'tokens must be an int32 tensor.');
    const [b, t] = tokens.shape;
    if (t > this.config.positions)
      throw new AppError(
        'invalid_argument',
        `Captions of ${t} tokens exceed GPT-2's ${this.config.positions} positions.`,
      );
    const inputs0 = tf.slice(tokens, [0, 0], [b, t - 1]); // [B, T−1]
    const targets = tf.slice(tokens, [0, 1], [b, t - 1]); // [B, T−1]
    const mask = opts.mask
      ? tf.slice(opts.mask, [0, 1], [b, t - 1]) // [B, T−1]
      : tf.cast(tf.notEqual(targets, this.padId), 'float32');
    const cross = this.cross(this.initState(features));
    let inputs = inputs0;
    if (opts.teacherForcing < 1) {
      const pred = tf.argMax(gpt2Decode(this.arch, this.W, inputs0, cross).logits, 2).toInt(); // [B, T−1]
      const rng = mulberry32(mixSeed(opts.seed, 7));
      const keep = Array.from({ length: b * (t - 1) }, (_, i) =>
        i % (t - 1) === 0 || rng() < opts.teacherForcing ? 1 : 0,
      );
      const keepT = tf.tensor2d(keep, [b, t - 1], 'bool');
      const shifted = tf.concat([tf.slice(inputs0, [0, 0], [b, 1]), tf.slice(pred, [0, 0], [b, t - 2])], 1); // [B, T−1]
      inputs = tf.where(keepT, inputs0, shifted) as tf.Tensor2D;
    }
    const dropout =
      opts.training && this.config.dropout > 0 ? { rate: this.config.dropout, seed: opts.seed } : undefined;
    const out = gpt2Decode(this.arch, this.W, inputs, cross, undefined, dropout);
    const xent = maskedCrossEntropy(
      out.logits.reshape([b * (t - 1), this.vocabSize]) as tf.Tensor2D,
      targets.reshape([-1]) as tf.Tensor1D,
      mask.reshape([-1]) as tf.Tensor1D,
    );
    return { loss: xent, xent };
  }

  /** Weights (HF names) + config + tokenizer as safetensors; F16 halves the file (resume from F32). */
  async save(opts: { dtype?: WriteDtype } = {}): Promise<Uint8Array> {
    return writeCheckpoint(await this.params.read(), this.config, this.tokenizer.serialize(), opts.dtype);
  }

  /** Rebuilds the model saved by `save`; config and tokenizer come from the file. */
  static load(bytes: Uint8Array): VitGpt2 {
    const ck = readCheckpoint(bytes, VIT_GPT2_ID);
    const config = resolveVitGpt2Config(ck.config as unknown as VitGpt2Partial);
    const text = needTokenizer(ck.vocabulary);
    const tokenizer = isGpt2Text(text) ? Gpt2Text.restore(text) : WORD_TEXT.restore(text);
    return withWeights(new VitGpt2(config, tokenizer), ck.weights);
  }

  /**
   * A model from a Hugging Face checkpoint (`pretrained`): its architecture, weights (the pooler kept
   * when stored) and GPT-2 tokenizer; the run's overrides may set dropout and maxLength only.
   */
  static fromPretrained(preset: Preset, overrides: Readonly<Record<string, unknown>>, seed: number): VitGpt2 {
    const { hf, tokenizer } = loadPretrained(checkPretrained(overrides.pretrained)!, seed);
    const pooler = hf.tensors.has('encoder.pooler.dense.weight');
    const config = resolveVitGpt2Config({ ...resolveSpec({ preset, overrides, seed, tokenizer }), pooler });
    const model = new VitGpt2(config, tokenizer);
    return withWeights(model, hf.tensors);
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** Number of patch positions of a config (the map has this many cells). */
export const patchCount = (c: Readonly<VitGpt2Config>): number => vitPatches(archOf(c).encoder);

const DEFAULTS = { pretrained: null };
const SETTINGS = settingDocs(
  { tiny: { ...PRESETS.tiny, ...DEFAULTS }, full: { ...PRESETS.full, ...DEFAULTS } },
  {
    encoder: 'ViT {imageSize, patchSize, hidden, layers, heads, mlp, layerNormEps, qkvBias}',
    decoder: 'GPT-2 {hidden, layers, heads, mlp, layerNormEps}',
    dropout: "GPT-2's embedding and residual dropout while training, in [0, 1)",
    maxLength: 'longest caption in tokens, bos and eos included (also the learned positions of tiny)',
    pretrained:
      'Hugging Face folder to start from (config.json, model.safetensors, tokenizer files), or {encoder, decoder} folders; required by full',
  },
);

/** The sizes, ids and positions of a pretrained architecture, as config fields. */
function fromArch(a: VitGpt2Arch, maxLength: number | undefined): Omit<VitGpt2Partial, 'vocabSize'> {
  const { imageSize, patchSize, hidden, layers, heads, mlp, layerNormEps, qkvBias } = a.encoder;
  const d = a.decoder;
  return {
    encoder: { imageSize, patchSize, hidden, layers, heads, mlp, layerNormEps, qkvBias },
    decoder: { hidden: d.hidden, layers: d.layers, heads: d.heads, mlp: d.mlp, layerNormEps: d.layerNormEps },
    positions: d.positions,
    maxLength: maxLength ?? Math.min(d.positions, PRESETS.full.maxLength),
  };
}

function resolveSpec(o: Omit<CreateOptions, 'tokenizer'> & { tokenizer?: CaptionTokenizer }) {
  const overrides = o.overrides ?? {};
  checkOverrides(VIT_GPT2_ID, overrides, SETTINGS);
  const pretrained = checkPretrained(overrides.pretrained);
  let fields = overrides as Omit<VitGpt2Partial, 'vocabSize'>;
  if (pretrained) {
    for (const k of ['encoder', 'decoder'] as const)
      if (k in overrides) throw fix(k, 'comes from the pretrained checkpoint; remove it.');
    const arch = pretrainedArch(pretrained);
    fields = { ...overrides, ...fromArch(arch, overrides.maxLength as number | undefined) };
    // the checkpoint's own ids (GPT-2: bos = eos = pad = 50256, decoding starts at decoder_start_token_id)
    const d = arch.decoder;
    const ids = {
      vocabSize: d.vocabSize,
      padId: d.padTokenId,
      bosId: d.decoderStartTokenId,
      eosId: d.eosTokenId,
    };
    const got = o.tokenizer ? textFields(o.tokenizer) : ids;
    return resolveVitGpt2Config({ ...fields, pretrained, preset: o.preset, seed: o.seed, ...got });
  }
  return resolveVitGpt2Config({ ...fields, preset: o.preset, seed: o.seed, ...textFields(o.tokenizer) });
}

export const vitGpt2Spec: ModelSpec = Object.freeze<ModelSpec>({
  id: VIT_GPT2_ID,
  help: 'ViT encoder + GPT-2 decoder with cross-attention (Hugging Face layout); cross-attention maps',
  presets: {
    tiny: '64 px ViT (8 px patches, 8×8 grid) + 4-layer GPT-2, width 128, from scratch: trains on a CPU',
    full: '224 px ViT-B/16 + GPT-2 from a Hugging Face folder: fine-tuning needs the native backend',
  },
  settings: SETTINGS,
  mapKind: 'attention' as const,
  text: WORD_TEXT,
  resolve: resolveSpec,
  imageSize: (preset, overrides = {}) => resolveSpec({ preset, overrides, seed: 1 }).encoder.imageSize,
  create: (o) =>
    o.overrides?.pretrained != null
      ? VitGpt2.fromPretrained(o.preset, o.overrides, o.seed)
      : new VitGpt2(resolveSpec(o), o.tokenizer),
  load: (bytes) => VitGpt2.load(bytes),
});
