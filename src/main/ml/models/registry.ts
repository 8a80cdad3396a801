// The captioning models the trainer knows, by id: build one from a vocabulary size and overrides,
// or rebuild one from its checkpoint. cnn-lstm is adapted to the CaptionModel interface here.
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/result';
import type { DecoderState, StepOutput } from '../decode/types';
import type { CaptionModel, LossOptions, LossOutput } from '../train/model';
import { stepwiseLoss } from '../train/stepwise';
import { readSafetensors } from '../weights/safetensors';
import { CnnLstm, resolveConfig as resolveCnnLstm, type CnnLstmPartial } from './cnnLstm';
import { ATTN_MODEL_ID, CnnLstmAttn, resolveAttnConfig, type AttnPartial } from './cnnLstmAttn';

export const MODEL_IDS = Object.freeze(['cnn-lstm', 'cnn-lstm-attn'] as const);
export type ModelId = (typeof MODEL_IDS)[number];
export type Preset = 'tiny' | 'full';

/** cnn-lstm behind the CaptionModel interface: the CNN is the encoder, pooled features are cached. */
export class CnnLstmModel implements CaptionModel {
  readonly mapKind = 'saliency' as const;
  constructor(readonly inner: CnnLstm) {}
  get config() {
    return this.inner.config;
  }
  get params() {
    return this.inner.params;
  }
  get mapSize() {
    return this.inner.mapSize;
  }
  get imageSize() {
    return this.inner.mapSize[0];
  }
  get vocabSize() {
    return this.inner.vocabSize;
  }
  get bosId() {
    return this.inner.bosId;
  }
  get eosId() {
    return this.inner.eosId;
  }
  get padId() {
    return this.inner.padId;
  }
  /** The CNN (tiny) or Inception v3 (full); `encoder.init_state` maps pooled features to the LSTM and trains. */
  isEncoderParam(name: string): boolean {
    return name.startsWith('encoder.') && !name.startsWith('encoder.init_state.');
  }
  /** Inception's BatchNorm running statistics are buffers, not trained. */
  isBuffer(name: string): boolean {
    return /\.bn\.running_(mean|var)$/.test(name);
  }
  features(images: tf.Tensor4D): tf.Tensor {
    return this.inner.features(images); // [N, C]
  }
  initState(features: tf.Tensor): DecoderState {
    return this.inner.initState(features as tf.Tensor2D);
  }
  encode(images: tf.Tensor4D, opts?: { inputGrad?: boolean }): DecoderState {
    return this.inner.encode(images, opts);
  }
  step(state: DecoderState, tokens: tf.Tensor1D): StepOutput {
    return this.inner.step(state, tokens);
  }
  reorder(state: DecoderState, indices: tf.Tensor1D): DecoderState {
    return this.inner.reorder(state, indices);
  }
  loss(features: tf.Tensor, tokens: tf.Tensor2D, opts: LossOptions): LossOutput {
    const r = stepwiseLoss(
      this.initState(features),
      tokens,
      this.padId,
      (s, x) => this.inner.step(s, x),
      opts,
    );
    return { loss: r.xent, xent: r.xent };
  }
  save(vocabulary?: string): Promise<Uint8Array> {
    return this.inner.save(vocabulary);
  }
  loadEncoderWeights(bytes: Uint8Array): { loaded: number; skipped: string[] } {
    return this.inner.loadEncoderWeights(bytes);
  }
  dispose(): void {
    this.inner.dispose();
  }
}

export function checkModelId(id: string): ModelId {
  if (!(MODEL_IDS as readonly string[]).includes(id))
    throw new AppError(
      'invalid_argument',
      `Unknown model '${id}'. Choose one of: ${MODEL_IDS.join(', ')} (vit-gpt2 is not built yet).`,
    );
  return id as ModelId;
}

/** A new model with seeded weights. `overrides` are config fields of that model (e.g. dropout). */
export function createModel(
  id: string,
  preset: Preset,
  vocabSize: number,
  seed: number,
  overrides: Record<string, unknown> = {},
): CaptionModel {
  const model = checkModelId(id);
  const partial = { ...overrides, preset, vocabSize, seed };
  if (model === 'cnn-lstm') return new CnnLstmModel(new CnnLstm(resolveCnnLstm(partial as CnnLstmPartial)));
  return new CnnLstmAttn(resolveAttnConfig(partial as AttnPartial));
}

/** Rebuilds any model from its checkpoint bytes (the model id is read from the file). */
export function loadModel(bytes: Uint8Array): { model: CaptionModel; vocabulary: string | null } {
  const id = readSafetensors(bytes).metadata.model;
  if (id === ATTN_MODEL_ID) return CnnLstmAttn.load(bytes);
  if (id === 'cnn-lstm') {
    const r = CnnLstm.load(bytes);
    return { model: new CnnLstmModel(r.model), vocabulary: r.vocabulary };
  }
  throw new AppError(
    'invalid_argument',
    `This checkpoint is of model '${id ?? 'unknown'}', which this version cannot load (${MODEL_IDS.join(', ')}).`,
  );
}

/** Input side in pixels of a model built with these settings (to prepare its images before building it). */
export function imageSizeOf(id: string, preset: Preset, overrides: Record<string, unknown> = {}): number {
  const model = checkModelId(id);
  const partial = { ...overrides, preset, vocabSize: 8 };
  const c =
    model === 'cnn-lstm'
      ? resolveCnnLstm(partial as CnnLstmPartial)
      : resolveAttnConfig(partial as AttnPartial);
  return c.encoder.imageSize;
}
