// The one small interface every captioning model implements to plug into the trainer, the worker and
// the decoders: encoder features (cacheable when frozen), decoder state from features, a training
// loss, step-by-step decoding, save. cnn-lstm, cnn-lstm-attn and (later) vit-gpt2 all fit it.
import type * as tf from '@tensorflow/tfjs';
import type { Decoder, DecoderState } from '../decode/types';
import type { ParamStore } from '../nn/module';

export interface LossOptions {
  /** Dropout and other training-only behaviour on. */
  training: boolean;
  /** Probability of feeding the ground-truth token at each step (1 = pure teacher forcing). */
  teacherForcing: number;
  /** Seed of this step's randomness (dropout masks, scheduled-sampling draws), so steps replay exactly. */
  seed: number;
}

/** `loss` is what the optimiser minimises; `xent` is the masked cross-entropy alone, for reporting. */
export type LossOutput = { loss: tf.Scalar; xent: tf.Scalar };

export interface ModelConfigBase {
  model: string;
  preset: 'tiny' | 'full';
  seed: number;
  maxLength: number;
  vocabSize: number;
}

export interface CaptionModel extends Decoder {
  readonly config: Readonly<ModelConfigBase>;
  readonly params: ParamStore;
  /** Side of the square input images in pixels. */
  readonly imageSize: number;
  /** The parameters of the image encoder (frozen while the encoder is frozen). */
  isEncoderParam(name: string): boolean;
  /** Non-trainable state stored as parameters (BatchNorm running statistics): never optimised. */
  isBuffer(name: string): boolean;
  /** images [N, S, S, 3] → encoder features [N, ...], one row per image (what the cache stores). */
  features(images: tf.Tensor4D): tf.Tensor;
  /** Encoder features [N, ...] → initial decoder state. */
  initState(features: tf.Tensor): DecoderState;
  /** Next-token loss of padded captions tokens [B, T] (bos … eos, pad) given features [B, ...]. */
  loss(features: tf.Tensor, tokens: tf.Tensor2D, opts: LossOptions): LossOutput;
  /** Weights + config + the caller's vocabulary JSON, as a safetensors checkpoint. */
  save(vocabulary?: string): Promise<Uint8Array>;
  /** Pretrained encoder weights from safetensors bytes (models whose encoder can take them). */
  loadEncoderWeights?(bytes: Uint8Array): { loaded: number; skipped: string[] };
  dispose(): void;
}

/**
 * A Decoder whose `encode` takes encoder features instead of images: greedy/beam search over cached
 * features (the search code only passes its input through to encode and reads the batch size).
 */
export function featureDecoder(model: CaptionModel): Decoder {
  return {
    vocabSize: model.vocabSize,
    bosId: model.bosId,
    eosId: model.eosId,
    padId: model.padId,
    mapKind: model.mapKind,
    mapSize: model.mapSize,
    encode: (features) => model.initState(features as unknown as tf.Tensor),
    step: (state, tokens) => model.step(state, tokens),
    reorder: (state, indices) => model.reorder(state, indices),
  };
}
