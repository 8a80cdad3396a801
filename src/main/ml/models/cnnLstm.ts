// `cnn-lstm`: CNN encoder → one image embedding → initial state of a 2-layer LSTM decoder (Show and
// Tell, Vinyals et al. 2015, with the image as initial state), trained with teacher forcing.
// Sizes of the `tiny` preset: shared/bench/BENCH_CONFIG.md model A.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/result';
import { Conv2d, Dense, Embedding } from '../nn/layers';
import { LstmCell } from '../nn/lstm';
import { ParamStore } from '../nn/module';
import { maskedCrossEntropy } from '../nn/ops';
import { gatherState, type Decoder, type DecoderState, type StepOutput } from '../decode/types';
import { readCheckpoint, withWeights, writeCheckpoint } from './checkpoint';
import type { WriteDtype } from '../weights/safetensors';
import { InceptionV3, loadInceptionWeights } from './inceptionV3';
import {
  checkDecoderFields,
  DECODER_PRESETS,
  fixer,
  resolveEncoder,
  type DecoderFields,
  type EncoderConfig,
} from './fields';

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

const fix = fixer(MODEL_ID);

/** Defaults of the preset, then the caller's fields; checked and frozen. */
export function resolveConfig(partial: CnnLstmPartial): Readonly<CnnLstmConfig> {
  const preset = partial.preset ?? 'tiny';
  if (preset !== 'tiny' && preset !== 'full')
    throw fix('preset', `must be 'tiny' or 'full', got ${JSON.stringify(preset)}.`);
  const c: CnnLstmConfig = {
    model: MODEL_ID,
    preset,
    ...PRESETS[preset],
    padId: 0,
    bosId: 1,
    eosId: 2,
    maxLength: 16,
    seed: 1,
    ...partial,
  };
  if (partial.model !== undefined && partial.model !== MODEL_ID)
    throw fix('model', `is ${JSON.stringify(partial.model)}; this is the ${MODEL_ID} model.`);
  checkDecoderFields(c, fix);
  return Object.freeze({ ...c, encoder: resolveEncoder(c.encoder, fix) });
}

export class CnnLstm implements Decoder {
  readonly config: Readonly<CnnLstmConfig>;
  readonly params: ParamStore;
  readonly mapKind = 'saliency' as const;
  readonly mapSize: readonly [number, number];
  private readonly convs: Conv2d[];
  private readonly inception: InceptionV3 | null;
  private readonly init: Dense;
  private readonly embed: Embedding;
  private readonly cells: LstmCell[];
  private readonly out: Dense;

  constructor(config: Readonly<CnnLstmConfig>) {
    this.config = config;
    const enc = config.encoder;
    this.mapSize = [enc.imageSize, enc.imageSize];
    const ps = (this.params = new ParamStore(config.seed));
    this.convs =
      enc.kind === 'tiny-cnn'
        ? enc.channels.map((co, i) => new Conv2d(ps, `encoder.conv.${i}`, i ? enc.channels[i - 1] : 3, co))
        : [];
    this.inception = enc.kind === 'inception-v3' ? new InceptionV3(ps, 'encoder.', enc) : null;
    const featDim = this.inception ? this.inception.channels : this.convs[this.convs.length - 1].outChannels;
    this.init = new Dense(ps, 'encoder.init_state', featDim, config.hidden, 'tanh');
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
  get variables(): tf.Variable[] {
    return this.params.variables();
  }

  private checkImages(images: tf.Tensor4D) {
    const s = this.mapSize[0];
    if (images.rank !== 4 || images.shape[1] !== s || images.shape[2] !== s || images.shape[3] !== 3)
      throw new AppError(
        'invalid_argument',
        `cnn-lstm expects images [N, ${s}, ${s}, 3], got [${images.shape}]. Resize them to ${s}×${s} RGB.`,
      );
  }

  /** images [N, S, S, 3] → pooled features [N, C]. */
  features(images: tf.Tensor4D, inputGrad = false): tf.Tensor2D {
    this.checkImages(images);
    if (this.inception) return tf.mean(this.inception.apply(images), [1, 2]) as tf.Tensor2D; // [N, 2048·width]
    let x = images; // [N, S, S, 3]
    this.convs.forEach((conv, i) => {
      x = tf.maxPool(conv.apply(x, i > 0 || inputGrad), 2, 2, 'valid'); // [N, S/2^(i+1), ·, C_i]
    });
    return tf.mean(x, [1, 2]) as tf.Tensor2D; // [N, C] global average pool
  }

  /** features [N, C] → h and c of every layer, all tanh(dense(features)). */
  initState(features: tf.Tensor2D): DecoderState {
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

  /** Runs the LSTM stack on one input x [N, E]; returns the top h [N, H] and the new state. */
  private lstm(x: tf.Tensor2D, state: DecoderState): { top: tf.Tensor2D; state: DecoderState } {
    const next: DecoderState = {};
    let inp = x;
    this.cells.forEach((cell, i) => {
      const s = cell.step(inp, { h: state[`h${i}`] as tf.Tensor2D, c: state[`c${i}`] as tf.Tensor2D });
      next[`h${i}`] = s.h;
      next[`c${i}`] = s.c;
      inp = s.h;
    });
    return { top: inp, state: next };
  }

  step(state: DecoderState, tokens: tf.Tensor1D): StepOutput {
    const x = this.embed.apply(tokens) as tf.Tensor2D; // [N, E]
    const { top, state: next } = this.lstm(x, state);
    return { logits: this.out.apply(top) as tf.Tensor2D, state: next }; // [N, V]
  }

  reorder(state: DecoderState, indices: tf.Tensor1D): DecoderState {
    return gatherState(state, indices);
  }

  /** Teacher forcing: images [B, S, S, 3], tokens [B, T] (bos … eos, pad 0) → logits [B, T−1, V]. */
  logits(images: tf.Tensor4D, tokens: tf.Tensor2D): tf.Tensor3D {
    const [b, t] = tokens.shape;
    if (t < 2) throw new AppError('invalid_argument', 'Captions need at least bos and eos (T ≥ 2).');
    let state = this.encode(images);
    const inputs = tf.unstack(this.embed.apply(tf.slice(tokens, [0, 0], [b, t - 1])), 1); // (T−1) × [B, E]
    const tops: tf.Tensor2D[] = [];
    for (const x of inputs) {
      const r = this.lstm(x as tf.Tensor2D, state);
      state = r.state;
      tops.push(r.top);
    }
    const h = tf.stack(tops, 1).reshape([b * (t - 1), this.config.hidden]); // [B(T−1), H]
    return this.out.apply(h).reshape([b, t - 1, this.config.vocabSize]) as tf.Tensor3D;
  }

  /** Mean cross-entropy of next-token prediction over the non-pad targets. */
  loss(images: tf.Tensor4D, tokens: tf.Tensor2D): tf.Scalar {
    if (tokens.dtype !== 'int32') throw new AppError('invalid_argument', 'tokens must be an int32 tensor.');
    const [b, t] = tokens.shape;
    const logits = this.logits(images, tokens).reshape([b * (t - 1), this.config.vocabSize]) as tf.Tensor2D;
    const targets = tf.slice(tokens, [0, 1], [b, t - 1]).reshape([-1]) as tf.Tensor1D; // [B(T−1)]
    const mask = tf.notEqual(targets, this.config.padId).toFloat() as tf.Tensor1D; // [B(T−1)]
    return maskedCrossEntropy(logits, targets, mask);
  }

  /**
   * Weights + config (+ the caller's vocabulary JSON, stored as is) as safetensors bytes; F16 halves
   * the file for sharing (training should resume from F32).
   */
  /**
   * Loads ImageNet weights of the Inception v3 encoder (preset 'full') from a safetensors file in
   * torchvision naming (timm `inception_v3.tv_in1k`); throws with every missing, unexpected and
   * mis-shaped tensor.
   */
  loadEncoderWeights(bytes: Uint8Array): { loaded: number; skipped: string[] } {
    return loadInceptionWeights(this.inception, bytes);
  }

  async save(vocabulary?: string, opts: { dtype?: WriteDtype } = {}): Promise<Uint8Array> {
    return writeCheckpoint(await this.params.read(), this.config, vocabulary, opts.dtype);
  }

  /** Rebuilds the model saved by `save`; the config comes from the file. */
  static load(bytes: Uint8Array): { model: CnnLstm; vocabulary: string | null } {
    const ck = readCheckpoint(bytes, MODEL_ID);
    const model = withWeights(new CnnLstm(resolveConfig(ck.config as unknown as CnnLstmPartial)), ck.weights);
    return { model, vocabulary: ck.vocabulary };
  }

  dispose(): void {
    this.params.dispose();
  }
}

export function createCnnLstm(partial: CnnLstmPartial): CnnLstm {
  return new CnnLstm(resolveConfig(partial));
}
