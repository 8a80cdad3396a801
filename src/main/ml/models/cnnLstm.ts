// `cnn-lstm`: CNN encoder → one image embedding → initial state of a 2-layer LSTM decoder (Show and
// Tell, Vinyals et al. 2015, with the image as initial state), trained with teacher forcing.
// Sizes of the `tiny` preset: the bench configuration's model A. Exports its ModelSpec for the model table.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/result';
import type { CaptionTokenizer } from '../../text/tokenizer';
import { WORD_TEXT } from '../../text/vocab';
import { mixSeed } from '../../util/rng';
import { gatherState, type DecoderState, type StepOutput } from '../decode/types';
import { Dense, Embedding } from '../nn/layers';
import { LstmCell } from '../nn/lstm';
import { ParamStore } from '../nn/module';
import { maskedCrossEntropy } from '../nn/ops';
import { stepwiseLoss, teacherForced } from '../train/stepwise';
import type { WriteDtype } from '../weights/safetensors';
import { needTokenizer, readCheckpoint, withWeights, writeCheckpoint } from './checkpoint';
import type { CaptionModel, CreateOptions, LossOptions, LossOutput, ModelSpec } from './contract';
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
import { loadInceptionWeights, InceptionV3 } from './inceptionV3';

export const MODEL_ID = 'cnn-lstm';

export type { EncoderConfig };

export interface CnnLstmConfig extends DecoderFields {
  model: typeof MODEL_ID;
}

export type CnnLstmPartial = Partial<Omit<CnnLstmConfig, 'encoder'>> & {
  vocabSize: number;
  encoder?: EncoderConfig;
};

// The study's baseline (full): Inception v3 image embedding → initial state of a 2-layer LSTM.
const PRESETS = DECODER_PRESETS;
const DEFAULTS = { padId: 0, bosId: 1, eosId: 2, maxLength: 16, seed: 1 } as const;
const FIELDS = ['model', 'preset', ...Object.keys(PRESETS.tiny), ...Object.keys(DEFAULTS), 'vocabSize'];

const fix = fixer(MODEL_ID);

/** Defaults of the preset, then the caller's fields (an unknown one is refused); checked and frozen. */
export function resolveConfig(partial: CnnLstmPartial): Readonly<CnnLstmConfig> {
  checkConfigKeys(MODEL_ID, partial, FIELDS);
  const preset = partial.preset ?? 'tiny';
  if (preset !== 'tiny' && preset !== 'full')
    throw fix('preset', `must be 'tiny' or 'full', got ${JSON.stringify(preset)}.`);
  const c: CnnLstmConfig = { model: MODEL_ID, preset, ...PRESETS[preset], ...DEFAULTS, ...partial };
  if (partial.model !== undefined && partial.model !== MODEL_ID)
    throw fix('model', `is ${JSON.stringify(partial.model)}; this is the ${MODEL_ID} model.`);
  checkDecoderFields(c, fix);
  return Object.freeze({ ...c, encoder: resolveEncoder(c.encoder, fix) });
}

export class CnnLstm implements CaptionModel {
  readonly config: Readonly<CnnLstmConfig>;
  readonly params: ParamStore;
  readonly mapKind = 'saliency' as const;
  readonly mapSize: readonly [number, number];
  readonly imageSize: number;
  private readonly encoder: MapEncoder;
  private readonly init: Dense;
  private readonly embed: Embedding;
  private readonly cells: LstmCell[];
  private readonly out: Dense;

  constructor(
    config: Readonly<CnnLstmConfig>,
    readonly tokenizer: CaptionTokenizer,
  ) {
    checkTokenizer(MODEL_ID, config, tokenizer);
    this.config = config;
    const enc = config.encoder;
    this.imageSize = enc.imageSize;
    this.mapSize = [enc.imageSize, enc.imageSize];
    const ps = (this.params = new ParamStore(config.seed));
    this.encoder = buildEncoder(ps, enc);
    this.init = new Dense(ps, 'encoder.init_state', this.encoder.channels, config.hidden, 'tanh');
    this.embed = new Embedding(ps, 'decoder.embed', config.vocabSize, config.embedDim);
    this.cells = Array.from(
      { length: config.layers },
      (_, i) => new LstmCell(ps, `decoder.lstm.${i}`, i ? config.hidden : config.embedDim, config.hidden),
    );
    this.out = new Dense(ps, 'decoder.out', config.hidden, config.vocabSize);
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

  /** The CNN (tiny) or Inception v3 (full); `encoder.init_state` maps pooled features to the LSTM and trains. */
  isEncoderParam(name: string): boolean {
    return name.startsWith('encoder.') && !name.startsWith('encoder.init_state.');
  }

  /** Inception's BatchNorm running statistics are buffers, not trained. */
  isBuffer(name: string): boolean {
    return /\.bn\.running_(mean|var)$/.test(name);
  }

  encoderBlock(name: string): string | null {
    return encoderBlockOf(name);
  }

  /** images [N, S, S, 3] → pooled features [N, C]. */
  features(images: tf.Tensor4D, inputGrad = false): tf.Tensor2D {
    const s = this.imageSize;
    if (images.rank !== 4 || images.shape[1] !== s || images.shape[2] !== s || images.shape[3] !== 3)
      throw new AppError(
        'invalid_argument',
        `${MODEL_ID} expects images [N, ${s}, ${s}, 3], got [${images.shape}]. Resize them to ${s}×${s} RGB.`,
      );
    return tf.mean(this.encoder.apply(images, inputGrad), [1, 2]) as tf.Tensor2D; // [N, C] global average pool
  }

  /** features [N, C] → h and c of every layer, all tanh(dense(features)). */
  initState(features: tf.Tensor): DecoderState {
    const h = this.init.apply(features); // [N, H]
    const s: DecoderState = {};
    this.cells.forEach((_, i) => {
      s[`h${i}`] = i === 0 ? h : tf.clone(h);
      s[`c${i}`] = tf.clone(h);
    });
    return s;
  }

  encode(images: tf.Tensor4D, opts: { inputGrad?: boolean } = {}): DecoderState {
    return this.initState(this.features(images, opts.inputGrad ?? false));
  }

  step(state: DecoderState, tokens: tf.Tensor1D): StepOutput {
    return this.stepWith(state, tokens, null);
  }

  /** One word for every row: tokens [N] → logits [N, V]; dropout on the top h when a seed is given. */
  private stepWith(state: DecoderState, tokens: tf.Tensor1D, dropoutSeed: number | null): StepOutput {
    const next: DecoderState = {};
    let inp = this.embed.apply(tokens) as tf.Tensor2D; // [N, E]
    this.cells.forEach((cell, i) => {
      const s = cell.step(inp, { h: state[`h${i}`] as tf.Tensor2D, c: state[`c${i}`] as tf.Tensor2D });
      next[`h${i}`] = s.h;
      next[`c${i}`] = s.c;
      inp = s.h; // [N, H]
    });
    let top: tf.Tensor = inp;
    if (dropoutSeed !== null && this.config.dropout > 0)
      top = tf.dropout(top, this.config.dropout, undefined, dropoutSeed); // [N, H]
    return { logits: this.out.apply(top) as tf.Tensor2D, state: next }; // [N, V]
  }

  reorder(state: DecoderState, indices: tf.Tensor1D): DecoderState {
    return gatherState(state, indices);
  }

  /** Masked mean cross-entropy of next-token prediction (teacher forcing / scheduled sampling). */
  loss(features: tf.Tensor, tokens: tf.Tensor2D, opts: LossOptions): LossOutput {
    if (tokens.dtype !== 'int32') throw new AppError('invalid_argument', 'tokens must be an int32 tensor.');
    if (opts.teacherForcing >= 1) return this.sequenceLoss(features, tokens, opts);
    const r = stepwiseLoss(
      this.initState(features),
      tokens,
      this.padId,
      (s, x, t) => this.stepWith(s, x, opts.training ? mixSeed(opts.seed, t) : null),
      opts,
    );
    return { loss: r.xent, xent: r.xent };
  }

  /**
   * The same loss under pure teacher forcing, layer by layer over the whole sequence (each LSTM layer
   * is one lstmSequence: input projections and weight gradients as one matMul over every step).
   */
  private sequenceLoss(features: tf.Tensor, tokens: tf.Tensor2D, opts: LossOptions): LossOutput {
    const tfd = teacherForced(tokens, this.padId, opts.mask);
    const n = tokens.shape[0];
    const h0 = this.init.apply(features) as tf.Tensor2D; // [B, H]: h and c of every layer
    let x = this.embed.apply(tfd.inputs) as tf.Tensor2D; // [(T−1)·B, E] time-major
    for (const cell of this.cells) x = cell.sequence(x, { h: h0, c: h0 }, tfd.steps); // [(T−1)·B, H]
    if (opts.training && this.config.dropout > 0) {
      // the step path's masks: one draw per step, seeded by the step
      const rate = this.config.dropout;
      const h = this.config.hidden;
      const rows = Array.from({ length: tfd.steps }, (_, t) =>
        tf.dropout(tf.slice(x, [t * n, 0], [n, h]), rate, undefined, mixSeed(opts.seed, t)),
      ); // (T−1) × [B, H]
      x = tf.concat(rows, 0) as tf.Tensor2D;
    }
    const logits = this.out.apply(x) as tf.Tensor2D; // [(T−1)·B, V]
    const xent = maskedCrossEntropy(logits, tfd.targets, tfd.mask);
    return { loss: xent, xent };
  }

  /**
   * Loads ImageNet weights of the Inception v3 encoder (preset 'full') from a safetensors file in
   * torchvision naming (timm `inception_v3.tv_in1k`); throws with every missing, unexpected and
   * mis-shaped tensor.
   */
  loadEncoderWeights(bytes: Uint8Array): { loaded: number; skipped: string[] } {
    return loadInceptionWeights(this.encoder instanceof InceptionV3 ? this.encoder : null, bytes);
  }

  /** Weights + config + tokenizer as safetensors; F16 halves the file for sharing (resume from F32). */
  async save(opts: { dtype?: WriteDtype } = {}): Promise<Uint8Array> {
    return writeCheckpoint(await this.params.read(), this.config, this.tokenizer.serialize(), opts.dtype);
  }

  /** Rebuilds the model saved by `save`; config and tokenizer come from the file. */
  static load(bytes: Uint8Array): CnnLstm {
    const ck = readCheckpoint(bytes, MODEL_ID);
    // checkpoints written before cnn-lstm had dropout trained without it
    const config = resolveConfig({ dropout: 0, ...ck.config } as unknown as CnnLstmPartial);
    return withWeights(new CnnLstm(config, WORD_TEXT.restore(needTokenizer(ck.vocabulary))), ck.weights);
  }

  dispose(): void {
    this.params.dispose();
  }
}

const SETTINGS = settingDocs(
  { tiny: { ...PRESETS.tiny, ...DEFAULTS }, full: { ...PRESETS.full, ...DEFAULTS } },
  DECODER_SETTINGS,
);

function resolveSpec(o: Omit<CreateOptions, 'tokenizer'> & { tokenizer?: CaptionTokenizer }) {
  const overrides = o.overrides ?? {};
  checkOverrides(MODEL_ID, overrides, SETTINGS);
  return resolveConfig({
    ...(overrides as Partial<CnnLstmConfig>),
    preset: o.preset,
    seed: o.seed,
    ...textFields(o.tokenizer),
  });
}

export const cnnLstmSpec: ModelSpec = Object.freeze<ModelSpec>({
  id: MODEL_ID,
  help: 'Show and Tell: one image embedding starts a 2-layer LSTM; saliency maps',
  presets: {
    tiny: '64 px, 3-conv CNN, LSTM 256: trains in minutes on a laptop',
    full: '299 px Inception v3 (needs ImageNet weights), LSTM 512: the study baseline',
  },
  settings: SETTINGS,
  mapKind: 'saliency' as const,
  text: WORD_TEXT,
  resolve: resolveSpec,
  needsEncoderWeights: (preset, overrides = {}) =>
    resolveSpec({ preset, overrides, seed: 1 }).encoder.kind === 'inception-v3',
  imageSize: (preset, overrides = {}) => resolveSpec({ preset, overrides, seed: 1 }).encoder.imageSize,
  create: (o) => new CnnLstm(resolveSpec(o), o.tokenizer),
  load: (bytes) => CnnLstm.load(bytes),
});
