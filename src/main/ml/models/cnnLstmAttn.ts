// `cnn-lstm-attn`: Show, Attend and Tell (Xu et al. 2015, soft attention). The CNN's spatial feature
// map is kept; at every word the decoder attends over its positions (additive attention, query = the
// top LSTM's previous hidden state), gates the context (f_beta, §4.2.1), feeds [embedding; context]
// to a 2-layer LSTM and predicts from [h; context]. Trained with the doubly stochastic attention
// regulariser λ·Σ_i (1 − Σ_t α_ti)² (eq. 14). Sizes of the `tiny` preset: the bench configuration's model B.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/result';
import { mixSeed } from '../../util/rng';
import type { WriteDtype } from '../weights/safetensors';
import { gatherState, type DecoderState, type StepOutput } from '../decode/types';
import type { CaptionTokenizer } from '../../text/tokenizer';
import { WORD_TEXT } from '../../text/vocab';
import { AdditiveAttention } from '../nn/attention';
import { Dense, Embedding } from '../nn/layers';
import { lstmGates, LstmCell } from '../nn/lstm';
import { dense, maskedCrossEntropy, matMul2d } from '../nn/ops';
import { ParamStore } from '../nn/module';
import { stepwiseLoss, teacherForced } from '../train/stepwise';
import { needTokenizer, readCheckpoint, withWeights, writeCheckpoint } from './checkpoint';
import type { CaptionModel, CreateOptions, LossOptions, LossOutput, ModelSpec } from './contract';
import { InceptionV3, loadInceptionWeights } from './inceptionV3';
import {
  buildEncoder,
  checkConfigKeys,
  checkDecoderFields,
  checkOverrides,
  checkTokenizer,
  encoderBlockOf,
  DECODER_PRESETS,
  DECODER_SETTINGS,
  fixer,
  resolveEncoder,
  settingDocs,
  textFields,
  type DecoderFields,
  type EncoderConfig,
  type MapEncoder,
} from './fields';

export const ATTN_MODEL_ID = 'cnn-lstm-attn';

export type AttnEncoderConfig = EncoderConfig;

export interface AttnConfig extends DecoderFields {
  model: typeof ATTN_MODEL_ID;
  /** Attention MLP size (tiny 128; full 512). */
  attnDim: number;
  /** λ of the doubly stochastic regulariser (sgrvinod's alpha_c = 1). */
  alphaC: number;
}

export type AttnPartial = Partial<Omit<AttnConfig, 'encoder'>> & {
  vocabSize: number;
  encoder?: AttnEncoderConfig;
};

// dropout (on [h; context] here) comes with the shared decoder sizes: the same in both models
const PRESETS = {
  tiny: { ...DECODER_PRESETS.tiny, attnDim: 128, alphaC: 1 },
  full: { ...DECODER_PRESETS.full, attnDim: 512, alphaC: 1 },
} as const;
const DEFAULTS = { padId: 0, bosId: 1, eosId: 2, maxLength: 16, seed: 1 } as const;
const FIELDS = ['model', 'preset', ...Object.keys(PRESETS.tiny), ...Object.keys(DEFAULTS), 'vocabSize'];

const fix = fixer(ATTN_MODEL_ID);

/** Preset defaults, then the caller's fields (an unknown one is refused); checked and frozen. */
export function resolveAttnConfig(partial: AttnPartial): Readonly<AttnConfig> {
  checkConfigKeys(ATTN_MODEL_ID, partial, FIELDS);
  const preset = partial.preset ?? 'tiny';
  if (preset !== 'tiny' && preset !== 'full')
    throw fix('preset', `must be 'tiny' or 'full', got ${JSON.stringify(preset)}.`);
  if (partial.model !== undefined && partial.model !== ATTN_MODEL_ID)
    throw fix('model', `is ${JSON.stringify(partial.model)}; this is the ${ATTN_MODEL_ID} model.`);
  const c: AttnConfig = {
    model: ATTN_MODEL_ID,
    preset,
    ...PRESETS[preset],
    ...DEFAULTS,
    ...partial,
  };
  checkDecoderFields(c, fix);
  if (!Number.isSafeInteger(c.attnDim) || c.attnDim < 1)
    throw fix('attnDim', `must be a positive integer, got ${c.attnDim}.`);
  if (!(c.alphaC >= 0)) throw fix('alphaC', `must be ≥ 0, got ${c.alphaC}.`);
  return Object.freeze({ ...c, encoder: resolveEncoder(c.encoder, fix) });
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

  constructor(
    config: Readonly<AttnConfig>,
    readonly tokenizer: CaptionTokenizer,
  ) {
    checkTokenizer(ATTN_MODEL_ID, config, tokenizer);
    this.config = config;
    const ps = (this.params = new ParamStore(config.seed));
    const e = config.encoder;
    this.encoder = buildEncoder(ps, e);
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

  encoderBlock(name: string): string | null {
    return encoderBlockOf(name);
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
    if (opts.teacherForcing >= 1) return this.sequenceLoss(features, tokens, opts);
    const state = this.initState(features);
    const r = stepwiseLoss(
      state,
      tokens,
      this.config.padId,
      (s, input, t) => this.stepWith(s, input, opts.training ? mixSeed(opts.seed, t) : null),
      opts,
    );
    if (!r.attention || this.config.alphaC === 0) {
      r.attention?.dispose();
      return { loss: r.xent, xent: r.xent };
    }
    const summed = tf.sum(tf.mul(r.attention, r.mask.expandDims(2)), 1); // [B, L]: Σ_t α over real steps
    const reg = tf.mean(tf.square(tf.sub(1, summed))); // scalar
    return { loss: tf.add(r.xent, tf.mul(reg, this.config.alphaC)) as tf.Scalar, xent: r.xent };
  }

  /**
   * The same loss under pure teacher forcing with fewer, larger kernels: the word embeddings' share of
   * the first LSTM's input projection is one matMul over every step, decoder_att and f_beta (both read
   * the same query) are one matMul per step, and the output layer is one matMul over every step.
   */
  private sequenceLoss(features: tf.Tensor, tokens: tf.Tensor2D, opts: LossOptions): LossOutput {
    const tfd = teacherForced(tokens, this.config.padId, opts.mask);
    const n = tokens.shape[0];
    const { embedDim: e, hidden: h, attnDim: a } = this.config;
    const f = this.encoder.channels;
    const state = this.initState(features);
    const feats = state.feats as tf.Tensor3D; // [B, L, F]
    const proj = state.proj as tf.Tensor3D; // [B, L, A]
    const [cell0, ...upper] = this.cells;
    const w0 = cell0.weight as tf.Tensor2D; // [E+F+H, 4H]: rows of the embedding, the context, h
    const embProj = dense(
      this.embed.apply(tfd.inputs),
      tf.slice(w0, [0, 0], [e, 4 * h]),
      cell0.bias as tf.Tensor1D,
    ); // [(T−1)·B, 4H]
    const wRest = tf.slice(w0, [e, 0], [f + h, 4 * h]) as tf.Tensor2D; // [F+H, 4H]
    const wq = tf.concat([this.attention.decoderAtt.weight, this.fBeta.weight], 1) as tf.Tensor2D; // [H, A+F]
    const bq = tf.concat([this.attention.decoderAtt.bias, this.fBeta.bias]) as tf.Tensor1D; // [A+F]
    const hs = this.cells.map((_, i) => state[`h${i}`] as tf.Tensor2D);
    const cs = this.cells.map((_, i) => state[`c${i}`] as tf.Tensor2D);
    const top = this.cells.length - 1;
    const hcs: tf.Tensor[] = [];
    const alphas: tf.Tensor2D[] = [];
    for (let t = 0; t < tfd.steps; t++) {
      const [qa, qf] = tf.split(dense(hs[top], wq, bq), [a, f], 1); // [B, A], [B, F]
      const { context, weights } = this.attention.attendProjected(feats, proj, qa as tf.Tensor2D); // [B, F], [B, L]
      const ctx = tf.mul(tf.sigmoid(qf), context) as tf.Tensor2D; // [B, F]
      const z0 = tf.add(
        tf.slice(embProj, [t * n, 0], [n, 4 * h]),
        matMul2d(tf.concat([ctx, hs[0]], 1) as tf.Tensor2D, wRest),
      ) as tf.Tensor2D; // [B, 4H]
      const s0 = lstmGates(z0, cs[0]);
      [hs[0], cs[0]] = [s0.h, s0.c];
      upper.forEach((cell, j) => {
        const s = cell.step(hs[j], { h: hs[j + 1], c: cs[j + 1] });
        [hs[j + 1], cs[j + 1]] = [s.h, s.c];
      });
      let hc: tf.Tensor = tf.concat([hs[top], ctx], 1); // [B, H+F]
      if (opts.training && this.config.dropout > 0)
        hc = tf.dropout(hc, this.config.dropout, undefined, mixSeed(opts.seed, t));
      hcs.push(hc);
      alphas.push(weights);
    }
    const logits = this.out.apply(tf.concat(hcs, 0)) as tf.Tensor2D; // [(T−1)·B, V]
    const xent = maskedCrossEntropy(logits, tfd.targets, tfd.mask);
    if (this.config.alphaC === 0) return { loss: xent, xent };
    const mask = tfd.mask.reshape([tfd.steps, n, 1]); // [T−1, B, 1]
    const summed = tf.sum(tf.mul(tf.stack(alphas), mask), 0); // [B, L]: Σ_t α over real steps
    const reg = tf.mean(tf.square(tf.sub(1, summed))); // scalar
    return { loss: tf.add(xent, tf.mul(reg, this.config.alphaC)) as tf.Scalar, xent };
  }

  /**
   * Loads ImageNet weights of the Inception v3 encoder from a safetensors file in torchvision naming
   * (timm `inception_v3.tv_in1k`); throws with every missing, unexpected and mis-shaped tensor.
   */
  loadEncoderWeights(bytes: Uint8Array): { loaded: number; skipped: string[] } {
    return loadInceptionWeights(this.encoder instanceof InceptionV3 ? this.encoder : null, bytes);
  }

  /** Weights + config + tokenizer as safetensors; F16 halves the file for sharing (resume from F32). */
  async save(opts: { dtype?: WriteDtype } = {}): Promise<Uint8Array> {
    return writeCheckpoint(await this.params.read(), this.config, this.tokenizer.serialize(), opts.dtype);
  }

  /** Rebuilds the model saved by `save`; config and tokenizer come from the file. */
  static load(bytes: Uint8Array): CnnLstmAttn {
    const ck = readCheckpoint(bytes, ATTN_MODEL_ID);
    const config = resolveAttnConfig(ck.config as unknown as AttnPartial);
    return withWeights(new CnnLstmAttn(config, WORD_TEXT.restore(needTokenizer(ck.vocabulary))), ck.weights);
  }

  dispose(): void {
    this.params.dispose();
  }
}

const SETTINGS = settingDocs(
  { tiny: { ...PRESETS.tiny, ...DEFAULTS }, full: { ...PRESETS.full, ...DEFAULTS } },
  {
    ...DECODER_SETTINGS,
    attnDim: 'size of the attention MLP',
    alphaC: 'λ of the doubly stochastic attention regulariser (0 = off)',
  },
);

function resolveSpec(o: Omit<CreateOptions, 'tokenizer'> & { tokenizer?: CaptionTokenizer }) {
  const overrides = o.overrides ?? {};
  checkOverrides(ATTN_MODEL_ID, overrides, SETTINGS);
  return resolveAttnConfig({
    ...(overrides as Partial<AttnConfig>),
    preset: o.preset,
    seed: o.seed,
    ...textFields(o.tokenizer),
  });
}

export const cnnLstmAttnSpec: ModelSpec = Object.freeze<ModelSpec>({
  id: ATTN_MODEL_ID,
  help: 'Show, Attend and Tell: soft attention over the image grid at every word; attention maps',
  presets: {
    tiny: '64 px, 3-conv CNN (8×8 grid), LSTM 256: trains in minutes on a laptop',
    full: '299 px Inception v3 (needs ImageNet weights, 8×8 grid), LSTM 512: as in the paper',
  },
  settings: SETTINGS,
  mapKind: 'attention' as const,
  text: WORD_TEXT,
  resolve: resolveSpec,
  needsEncoderWeights: (preset, overrides = {}) =>
    resolveSpec({ preset, overrides, seed: 1 }).encoder.kind === 'inception-v3',
  imageSize: (preset, overrides = {}) => resolveSpec({ preset, overrides, seed: 1 }).encoder.imageSize,
  create: (o) => new CnnLstmAttn(resolveSpec(o), o.tokenizer),
  load: (bytes) => CnnLstmAttn.load(bytes),
});
