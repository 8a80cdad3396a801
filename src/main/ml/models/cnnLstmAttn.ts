// `cnn-lstm-attn`: Show, Attend and Tell (Xu et al. 2015, soft attention). The CNN's spatial feature
// map is kept; at every word the decoder attends over its positions (additive attention, query = the
// top LSTM's previous hidden state), gates the context (f_beta, §4.2.1), feeds [embedding; context]
// to a 2-layer LSTM and predicts from [h; context]. Trained with the doubly stochastic attention
// regulariser λ·Σ_i (1 − Σ_t α_ti)² (eq. 14). Sizes of the `tiny` preset: BENCH_CONFIG.md model B.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/result';
import { mixSeed } from '../../datasets/rng';
import { gatherState, type DecoderState, type StepOutput } from '../decode/types';
import { AdditiveAttention } from '../nn/attention';
import { Conv2d, Dense, Embedding } from '../nn/layers';
import { LstmCell } from '../nn/lstm';
import { ParamStore } from '../nn/module';
import type { CaptionModel, LossOptions, LossOutput } from '../train/model';
import { stepwiseLoss } from '../train/stepwise';
import { readCheckpoint, withWeights, writeCheckpoint } from './checkpoint';
import { InceptionV3, loadInceptionWeights } from './inceptionV3';
import {
  checkDecoderFields,
  DECODER_PRESETS,
  fixer,
  resolveEncoder,
  type DecoderFields,
  type EncoderConfig,
} from './fields';

export const ATTN_MODEL_ID = 'cnn-lstm-attn';

export type AttnEncoderConfig = EncoderConfig;

export interface AttnConfig extends DecoderFields {
  model: typeof ATTN_MODEL_ID;
  /** Attention MLP size (tiny 128; full 512). */
  attnDim: number;
  /** Dropout on [h; context] before the output layer while training (sgrvinod: 0.5). */
  dropout: number;
  /** λ of the doubly stochastic regulariser (sgrvinod's alpha_c = 1). */
  alphaC: number;
}

export type AttnPartial = Partial<Omit<AttnConfig, 'encoder'>> & {
  vocabSize: number;
  encoder?: AttnEncoderConfig;
};

const PRESETS = {
  tiny: { ...DECODER_PRESETS.tiny, attnDim: 128, dropout: 0 },
  full: { ...DECODER_PRESETS.full, attnDim: 512, dropout: 0.5 },
} as const;

const fix = fixer(ATTN_MODEL_ID);

/** Preset defaults, then the caller's fields; checked and frozen. */
export function resolveAttnConfig(partial: AttnPartial): Readonly<AttnConfig> {
  const preset = partial.preset ?? 'tiny';
  if (preset !== 'tiny' && preset !== 'full')
    throw fix('preset', `must be 'tiny' or 'full', got ${JSON.stringify(preset)}.`);
  if (partial.model !== undefined && partial.model !== ATTN_MODEL_ID)
    throw fix('model', `is ${JSON.stringify(partial.model)}; this is the ${ATTN_MODEL_ID} model.`);
  const c: AttnConfig = {
    model: ATTN_MODEL_ID,
    preset,
    ...PRESETS[preset],
    alphaC: 1,
    padId: 0,
    bosId: 1,
    eosId: 2,
    maxLength: 16,
    seed: 1,
    ...partial,
  };
  checkDecoderFields(c, fix);
  if (!Number.isSafeInteger(c.attnDim) || c.attnDim < 1)
    throw fix('attnDim', `must be a positive integer, got ${c.attnDim}.`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw fix('dropout', `must be in [0, 1), got ${c.dropout}.`);
  if (!(c.alphaC >= 0)) throw fix('alphaC', `must be ≥ 0, got ${c.alphaC}.`);
  return Object.freeze({ ...c, encoder: resolveEncoder(c.encoder, fix) });
}

/** The encoder of either kind: images [N, S, S, 3] → feature map [N, h, w, C]. */
interface MapEncoder {
  readonly channels: number;
  readonly grid: readonly [number, number];
  apply(images: tf.Tensor4D): tf.Tensor4D;
}

class TinyCnn implements MapEncoder {
  readonly channels: number;
  readonly grid: readonly [number, number];
  private readonly convs: Conv2d[];
  constructor(ps: ParamStore, e: { imageSize: number; channels: readonly number[] }) {
    this.convs = e.channels.map(
      (co, i) => new Conv2d(ps, `encoder.conv.${i}`, i ? e.channels[i - 1] : 3, co),
    );
    this.channels = e.channels[e.channels.length - 1];
    const side = e.imageSize / 2 ** e.channels.length;
    this.grid = [side, side];
  }
  apply(images: tf.Tensor4D): tf.Tensor4D {
    let x = images; // [N, S, S, 3]
    // the first conv needs no input gradient in training (COMPUTE.md: the costliest backward conv)
    this.convs.forEach((conv, i) => (x = tf.maxPool(conv.apply(x, i > 0), 2, 2, 'valid'))); // [N, S/2^(i+1), ·, C_i]
    return x;
  }
}

export class CnnLstmAttn implements CaptionModel {
  readonly config: Readonly<AttnConfig>;
  readonly params: ParamStore;
  readonly mapKind = 'attention' as const;
  readonly mapSize: readonly [number, number];
  readonly imageSize: number;
  private readonly encoder: MapEncoder;
  private readonly init: Dense;
  private readonly attention: AdditiveAttention;
  private readonly fBeta: Dense;
  private readonly embed: Embedding;
  private readonly cells: LstmCell[];
  private readonly out: Dense;

  constructor(config: Readonly<AttnConfig>) {
    this.config = config;
    const ps = (this.params = new ParamStore(config.seed));
    const e = config.encoder;
    this.encoder = e.kind === 'tiny-cnn' ? new TinyCnn(ps, e) : new InceptionV3(ps, 'encoder.', e);
    this.imageSize = e.imageSize;
    this.mapSize = this.encoder.grid;
    const f = this.encoder.channels;
    const h = config.hidden;
    this.init = new Dense(ps, 'decoder.init_state', f, h, 'tanh');
    this.attention = new AdditiveAttention(ps, 'decoder.attention', f, h, config.attnDim);
    this.fBeta = new Dense(ps, 'decoder.f_beta', h, f);
    this.embed = new Embedding(ps, 'decoder.embed', config.vocabSize, config.embedDim);
    this.cells = Array.from(
      { length: config.layers },
      (_, i) => new LstmCell(ps, `decoder.lstm.${i}`, i ? h : config.embedDim + f, h),
    );
    this.out = new Dense(ps, 'decoder.out', h + f, config.vocabSize);
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

  isEncoderParam(name: string): boolean {
    return name.startsWith('encoder.');
  }

  isBuffer(name: string): boolean {
    return /\.bn\.running_(mean|var)$/.test(name);
  }

  /** images [N, S, S, 3] → regions [N, L, F] (L = grid positions, row-major). */
  features(images: tf.Tensor4D): tf.Tensor3D {
    const s = this.imageSize;
    if (images.rank !== 4 || images.shape[1] !== s || images.shape[2] !== s || images.shape[3] !== 3)
      throw new AppError(
        'invalid_argument',
        `${ATTN_MODEL_ID} expects images [N, ${s}, ${s}, 3], got [${images.shape}]. Resize them to ${s}×${s} RGB.`,
      );
    const map = this.encoder.apply(images); // [N, h, w, F]
    const [n, gh, gw, f] = map.shape;
    return map.reshape([n, gh * gw, f]); // [N, L, F]
  }

  /** regions [N, L, F] → the regions, their projection for attention, h and c of every layer. */
  initState(features: tf.Tensor): DecoderState {
    const feats = features as tf.Tensor3D; // [N, L, F]
    const h = this.init.apply(tf.mean(feats, 1)); // [N, H]
    const s: DecoderState = { feats, proj: this.attention.project(feats) }; // [N, L, F], [N, L, A]
    this.cells.forEach((_, i) => {
      s[`h${i}`] = i === 0 ? h : tf.clone(h);
      s[`c${i}`] = tf.clone(h);
    });
    return s;
  }

  encode(images: tf.Tensor4D): DecoderState {
    return this.initState(this.features(images));
  }

  /** One word for every row: tokens [N] → logits [N, V], attention [N, L], next state. */
  step(state: DecoderState, tokens: tf.Tensor1D): StepOutput {
    return this.stepWith(state, tokens, null);
  }

  private stepWith(state: DecoderState, tokens: tf.Tensor1D, dropoutSeed: number | null): StepOutput {
    const top = this.cells.length - 1;
    const feats = state.feats as tf.Tensor3D;
    const query = state[`h${top}`] as tf.Tensor2D; // [N, H], the previous step's top hidden state
    const { context, weights } = this.attention.attend(feats, state.proj as tf.Tensor3D, query); // [N, F], [N, L]
    const gate = tf.sigmoid(this.fBeta.apply(query)); // [N, F]
    const ctx = tf.mul(gate, context) as tf.Tensor2D; // [N, F]
    let inp = tf.concat([this.embed.apply(tokens) as tf.Tensor2D, ctx], 1); // [N, E+F]
    // clones share the data: the search code disposes the old state after each step
    const next: DecoderState = { feats: tf.clone(feats), proj: tf.clone(state.proj) };
    this.cells.forEach((cell, i) => {
      const s = cell.step(inp, { h: state[`h${i}`] as tf.Tensor2D, c: state[`c${i}`] as tf.Tensor2D });
      next[`h${i}`] = s.h;
      next[`c${i}`] = s.c;
      inp = s.h;
    });
    let hc: tf.Tensor = tf.concat([inp, ctx], 1); // [N, H+F]
    if (dropoutSeed !== null && this.config.dropout > 0)
      hc = tf.dropout(hc, this.config.dropout, undefined, dropoutSeed);
    return { logits: this.out.apply(hc) as tf.Tensor2D, state: next, attention: weights }; // [N, V]
  }

  reorder(state: DecoderState, indices: tf.Tensor1D): DecoderState {
    return gatherState(state, indices);
  }

  /**
   * Cross-entropy + λ·mean over images and positions of (1 − Σ_t α_tl)², over real (non-pad) steps.
   * The mean (not the paper's sum over positions) is sgrvinod's formulation: it keeps the term on the
   * scale of the cross-entropy whatever the grid size.
   */
  loss(features: tf.Tensor, tokens: tf.Tensor2D, opts: LossOptions): LossOutput {
    if (tokens.dtype !== 'int32') throw new AppError('invalid_argument', 'tokens must be an int32 tensor.');
    const state = this.initState(features);
    const r = stepwiseLoss(
      state,
      tokens,
      this.config.padId,
      (s, input, t) => this.stepWith(s, input, opts.training ? mixSeed(opts.seed, t) : null),
      opts,
    );
    if (!r.attention || this.config.alphaC === 0) return { loss: r.xent, xent: r.xent };
    const summed = tf.sum(tf.mul(r.attention, r.mask.expandDims(2)), 1); // [B, L]: Σ_t α over real steps
    const reg = tf.mean(tf.square(tf.sub(1, summed))); // scalar
    return { loss: tf.add(r.xent, tf.mul(reg, this.config.alphaC)) as tf.Scalar, xent: r.xent };
  }

  /**
   * Loads ImageNet weights of the Inception v3 encoder from a safetensors file in torchvision naming
   * (timm `inception_v3.tv_in1k`); throws with every missing, unexpected and mis-shaped tensor.
   */
  loadEncoderWeights(bytes: Uint8Array): { loaded: number; skipped: string[] } {
    return loadInceptionWeights(this.encoder instanceof InceptionV3 ? this.encoder : null, bytes);
  }

  async save(vocabulary?: string): Promise<Uint8Array> {
    return writeCheckpoint(await this.params.read(), this.config, vocabulary);
  }

  /** Rebuilds the model saved by `save`; the config comes from the file. */
  static load(bytes: Uint8Array): { model: CnnLstmAttn; vocabulary: string | null } {
    const ck = readCheckpoint(bytes, ATTN_MODEL_ID);
    const model = withWeights(
      new CnnLstmAttn(resolveAttnConfig(ck.config as unknown as AttnPartial)),
      ck.weights,
    );
    return { model, vocabulary: ck.vocabulary };
  }

  dispose(): void {
    this.params.dispose();
  }
}

export function createCnnLstmAttn(partial: AttnPartial): CnnLstmAttn {
  return new CnnLstmAttn(resolveAttnConfig(partial));
}
