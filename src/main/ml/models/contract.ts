// The contract between a captioning model and everything else (the trainer, the worker, the decoders,
// the model list of the app and CLI): `CaptionModel` is what a built model does, `ModelSpec` is what a
// model file exports so that the model table (registry.ts) can list, build and load it.
import type * as tf from '@tensorflow/tfjs';
import type { CaptionTokenizer, TextSide } from '../../text/tokenizer';
import type { Decoder, DecoderState, MapKind } from '../decode/types';
import type { ParamStore } from '../nn/module';

export type Preset = 'tiny' | 'full';
export const PRESETS: readonly Preset[] = Object.freeze(['tiny', 'full'] as const);

export interface LossOptions {
  /** Dropout and other training-only behaviour on. */
  training: boolean;
  /** Probability of feeding the ground-truth token at each step (1 = pure teacher forcing). */
  teacherForcing: number;
  /** Seed of this step's randomness (dropout masks, scheduled-sampling draws), so steps replay exactly. */
  seed: number;
  /**
   * Real tokens of `tokens` [B, T]: 1 for bos, content and eos, 0 for padding. Needed when the pad id
   * is also a real id (GPT-2 pads with its eos); without it, every id but the pad id counts.
   */
  mask?: tf.Tensor2D;
}

/** `loss` is what the optimiser minimises (cross-entropy + regularisers); `xent` is the cross-entropy alone. */
export type LossOutput = { loss: tf.Scalar; xent: tf.Scalar };

/** What every model's resolved (frozen, saved) config has. */
export interface ModelConfigBase {
  model: string;
  preset: Preset;
  seed: number;
  maxLength: number;
  vocabSize: number;
}

export interface CaptionModel extends Decoder {
  readonly config: Readonly<ModelConfigBase>;
  readonly params: ParamStore;
  /** The model's own tokenizer: captions ↔ ids, saved in its checkpoint. */
  readonly tokenizer: CaptionTokenizer;
  /** Side of the square input images in pixels. */
  readonly imageSize: number;
  /** The parameters of the image encoder (frozen while the encoder is frozen). */
  isEncoderParam(name: string): boolean;
  /** Non-trainable state stored as parameters (BatchNorm running statistics): never optimised. */
  isBuffer(name: string): boolean;
  /**
   * The encoder block an encoder parameter belongs to ('Mixed_7c', 'conv.2'…), in forward order of
   * first appearance among the parameters: fine-tuning can unfreeze only the last blocks.
   */
  encoderBlock?(name: string): string | null;
  /** images [N, S, S, 3] → encoder features [N, ...], one row per image (what the cache stores). */
  features(images: tf.Tensor4D): tf.Tensor;
  /** Encoder features [N, ...] → initial decoder state. */
  initState(features: tf.Tensor): DecoderState;
  /**
   * The training loss, the one and only loss path: next-token cross-entropy of padded captions
   * tokens [B, T] (bos … eos, pad) given features [B, ...], plus the model's regularisers.
   */
  loss(features: tf.Tensor, tokens: tf.Tensor2D, opts: LossOptions): LossOutput;
  /** Weights + config + tokenizer as a safetensors checkpoint (`spec.load` reads it back). */
  save(opts?: { dtype?: 'F32' | 'F16' }): Promise<Uint8Array>;
  /** Pretrained encoder weights from safetensors bytes (models whose encoder can take them). */
  loadEncoderWeights?(bytes: Uint8Array): { loaded: number; skipped: string[] };
  dispose(): void;
}

/** A JSON value (setting defaults travel through the API as they are). */
export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** One documented model setting (a key of `modelOverrides`), with its default in each preset. */
export interface SettingDoc {
  key: string;
  /** One line of help. */
  help: string;
  defaults: Readonly<Record<Preset, Json>>;
}

/** How a new model is built: its preset, the caller's overrides of its settings, a seed, its tokenizer. */
export interface CreateOptions {
  preset: Preset;
  overrides?: Readonly<Record<string, unknown>>;
  seed: number;
  tokenizer: CaptionTokenizer;
}

/**
 * What a model file exports: everything the rest of the app needs to list, build and load the model.
 * Adding a model = its file exporting one of these + one line in the MODELS table.
 */
export interface ModelSpec {
  /** The id saved in configs and checkpoints ('cnn-lstm'…). */
  readonly id: string;
  /** One line for the model list. */
  readonly help: string;
  /** One line per preset ("tiny: 64 px CNN, for trying things out"…). */
  readonly presets: Readonly<Record<Preset, string>>;
  /** The settings a run may override (`modelOverrides`), each with its defaults and one line of help. */
  readonly settings: readonly SettingDoc[];
  /** 'attention' (maps from attention weights) or 'saliency' (input gradients). */
  readonly mapKind: MapKind;
  /** Where the model's tokenizer comes from and how a checkpoint's is restored. */
  readonly text: TextSide;
  /**
   * Preset defaults, then the overrides, checked and frozen. Unknown keys are refused with the key
   * probably meant. Without a tokenizer the text fields take placeholders (to check settings early).
   */
  resolve(
    opts: Omit<CreateOptions, 'tokenizer'> & { tokenizer?: CaptionTokenizer },
  ): Readonly<ModelConfigBase>;
  /**
   * Whether a new model with these settings needs pretrained encoder weights to be worth training
   * (the trainer refuses it without them unless told to train the encoder from scratch).
   */
  needsEncoderWeights?(preset: Preset, overrides?: Readonly<Record<string, unknown>>): boolean;
  /** Input side in pixels of this preset with these overrides (to prepare images before building). */
  imageSize(preset: Preset, overrides?: Readonly<Record<string, unknown>>): number;
  /** A new model with seeded weights. */
  create(opts: CreateOptions): CaptionModel;
  /** Rebuilds the model and its tokenizer from checkpoint bytes written by `save`. */
  load(bytes: Uint8Array): CaptionModel;
}
