// The trainer's configuration: typed, documented defaults, checked and frozen. Saved in every run row
// and checkpoint. Defaults follow the bench configuration (batch 32, Adam 1e-3) and sgrvinod's tutorial
// (gradient clipping at 5, early stopping on validation BLEU-4/CIDEr).
import { AppError } from '../../../shared/result';
import { unknownKey } from '../../util/names';
import { checkModelId, MODELS, type ModelId, type Preset } from '../models/registry';

export type EarlyStopMetric = 'ciderD' | 'bleu4' | 'rougeL' | 'valLoss';

export interface TrainConfig {
  model: ModelId;
  preset: Preset;
  /** Fields of the model's own config (e.g. `{ dropout: 0.3 }`, an encoder width). */
  modelOverrides: Readonly<Record<string, unknown>>;
  /** Seeds the weights, the data order, dropout and scheduled sampling. */
  seed: number;
  epochs: number;
  batchSize: number;
  /** 'all': every caption of every image once per epoch (sgrvinod); 'one': one caption per image, drawn per epoch. */
  captionsPerEpoch: 'all' | 'one';
  optimizer: 'adam' | 'adamw';
  lr: number;
  /** Adam: L2 added to the gradient; AdamW: decoupled decay (Loshchilov & Hutter 2019). */
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Linear warm-up from 0 over this many steps. */
  warmupSteps: number;
  /** After warm-up: constant, or down to lr·minLrRatio at the last step. */
  decay: 'none' | 'linear' | 'cosine';
  minLrRatio: number;
  /** Clip the global gradient norm to this (0 = off; sgrvinod clips at 5). */
  clipNorm: number;
  /** Probability of feeding the true previous word (1 = teacher forcing). */
  teacherForcing: number;
  /** Scheduled sampling: the ratio falls linearly to this by the last step (null = constant). */
  teacherForcingEnd: number | null;
  /**
   * A local safetensors file of ImageNet Inception v3 weights in torchvision naming (timm
   * `inception_v3.tv_in1k`), loaded into the encoder of a new run (inception-v3 encoders only).
   */
  encoderWeights: string | null;
  /**
   * Train a full-preset encoder (Inception v3) from random weights instead of ImageNet weights; without
   * this, such a run needs encoderWeights (a random Inception's BatchNorm statistics are 0/1).
   */
  encoderFromScratch: boolean;
  /** Train on cached features of a frozen encoder. */
  freezeEncoder: boolean;
  /**
   * Learning rate of an encoder being fine-tuned (pretrained weights, or unfrozen after a frozen start;
   * the common recipe: 1e-4). An encoder trained from scratch with the decoder uses lr.
   */
  encoderLr: number;
  /** While the encoder trains, only its last N blocks do (e.g. 3: Inception's Mixed_7a–c; null = all). */
  fineTuneBlocks: number | null;
  /** Training augmentation: a seeded random crop of this fraction of the image side (1 = none). */
  cropScale: number;
  /** With a frozen encoder: the crops per image whose features are cached (each epoch uses one). */
  cachedCrops: number;
  /** Unfreeze the encoder from this epoch (1-based; null = never). */
  fineTuneFromEpoch: number | null;
  earlyStopping: Readonly<{ metric: EarlyStopMetric; patience: number }>;
  /** Validation images greedily decoded per epoch for the metrics (0 = all). */
  valImages: number;
  /** Minimum training count of a word to enter a word vocabulary (rarer words become <unk>). */
  minWordCount: number;
  /** Also write the `last` checkpoint every N steps (0 = only at epoch ends and on cancel). */
  checkpointEverySteps: number;
  /** Stop after this many optimiser steps in total (null = run the epochs). */
  maxSteps: number | null;
}

export type TrainPartial = Partial<Omit<TrainConfig, 'earlyStopping'>> & {
  model: string;
  earlyStopping?: Partial<TrainConfig['earlyStopping']>;
};

const bad = (field: string, msg: string) => new AppError('invalid_argument', `train config: ${field} ${msg}`);

/** The defaults of every setting but the model and early stopping. */
export const TRAIN_DEFAULTS: Readonly<Omit<TrainConfig, 'model' | 'earlyStopping'>> = Object.freeze({
  preset: 'tiny',
  modelOverrides: {},
  seed: 1,
  epochs: 10,
  batchSize: 32,
  captionsPerEpoch: 'all',
  optimizer: 'adam',
  lr: 1e-3,
  weightDecay: 0,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  warmupSteps: 0,
  decay: 'none',
  minLrRatio: 0.1,
  clipNorm: 5,
  teacherForcing: 1,
  teacherForcingEnd: null,
  encoderWeights: null,
  encoderFromScratch: false,
  freezeEncoder: false,
  encoderLr: 1e-4,
  fineTuneBlocks: null,
  cropScale: 0.875,
  cachedCrops: 4,
  fineTuneFromEpoch: null,
  valImages: 0,
  minWordCount: 1,
  checkpointEverySteps: 0,
  maxSteps: null,
});

const KNOWN_SETTINGS: ReadonlySet<string> = new Set([
  ...Object.keys(TRAIN_DEFAULTS),
  'model',
  'earlyStopping',
]);

export function resolveTrainConfig(p: TrainPartial): Readonly<TrainConfig> {
  const model = checkModelId(p.model);
  // A misspelt setting would otherwise be ignored without a word and the run trained on a default.
  const unknown = unknownKey(p, KNOWN_SETTINGS);
  if (unknown)
    throw bad(
      unknown.key,
      `is not a trainer setting${unknown.near ? ` (did you mean ${unknown.near}?)` : ''}; see train/config.ts.`,
    );
  const c: TrainConfig = {
    ...TRAIN_DEFAULTS,
    ...p,
    model,
    earlyStopping: { metric: 'ciderD', patience: 0, ...p.earlyStopping },
  };
  const posInt = (k: 'epochs' | 'batchSize' | 'minWordCount' | 'cachedCrops') => {
    if (!Number.isSafeInteger(c[k]) || c[k] < 1) throw bad(k, `must be a positive integer, got ${c[k]}.`);
  };
  (['epochs', 'batchSize', 'minWordCount', 'cachedCrops'] as const).forEach(posInt);
  const nonNegInt = (k: 'warmupSteps' | 'valImages' | 'checkpointEverySteps') => {
    if (!Number.isSafeInteger(c[k]) || c[k] < 0) throw bad(k, `must be a whole number ≥ 0, got ${c[k]}.`);
  };
  (['warmupSteps', 'valImages', 'checkpointEverySteps'] as const).forEach(nonNegInt);
  if (c.preset !== 'tiny' && c.preset !== 'full')
    throw bad('preset', `must be 'tiny' or 'full', got '${c.preset}'.`);
  if (!Number.isSafeInteger(c.seed)) throw bad('seed', `must be an integer, got ${c.seed}.`);
  if (!(c.lr > 0)) throw bad('lr', `must be > 0, got ${c.lr}.`);
  if (!(c.encoderLr > 0)) throw bad('encoderLr', `must be > 0, got ${c.encoderLr}.`);
  if (!(c.cropScale > 0 && c.cropScale <= 1))
    throw bad('cropScale', `must be in (0, 1] (1 = no crop augmentation), got ${c.cropScale}.`);
  if (c.fineTuneBlocks !== null && (!Number.isSafeInteger(c.fineTuneBlocks) || c.fineTuneBlocks < 1))
    throw bad(
      'fineTuneBlocks',
      `must be a positive number of blocks or null (all), got ${c.fineTuneBlocks}.`,
    );
  if (!(c.weightDecay >= 0)) throw bad('weightDecay', `must be ≥ 0, got ${c.weightDecay}.`);
  for (const k of ['beta1', 'beta2'] as const)
    if (!(c[k] >= 0 && c[k] < 1)) throw bad(k, `must be in [0, 1), got ${c[k]}.`);
  if (!(c.eps > 0)) throw bad('eps', `must be > 0, got ${c.eps}.`);
  if (!(c.clipNorm >= 0)) throw bad('clipNorm', `must be ≥ 0 (0 = off), got ${c.clipNorm}.`);
  if (!(c.minLrRatio >= 0 && c.minLrRatio <= 1))
    throw bad('minLrRatio', `must be in [0, 1], got ${c.minLrRatio}.`);
  if (!['none', 'linear', 'cosine'].includes(c.decay)) throw bad('decay', `must be none, linear or cosine.`);
  if (!['adam', 'adamw'].includes(c.optimizer)) throw bad('optimizer', `must be adam or adamw.`);
  if (!['all', 'one'].includes(c.captionsPerEpoch)) throw bad('captionsPerEpoch', `must be 'all' or 'one'.`);
  for (const k of ['teacherForcing', 'teacherForcingEnd'] as const) {
    const v = c[k];
    if (v !== null && !(v >= 0 && v <= 1)) throw bad(k, `must be in [0, 1], got ${v}.`);
  }
  if (c.fineTuneFromEpoch !== null) {
    if (!Number.isSafeInteger(c.fineTuneFromEpoch) || c.fineTuneFromEpoch < 1)
      throw bad('fineTuneFromEpoch', `must be an epoch number ≥ 1 or null, got ${c.fineTuneFromEpoch}.`);
    if (!c.freezeEncoder)
      throw bad(
        'fineTuneFromEpoch',
        'needs freezeEncoder: true (the encoder is trained from the start otherwise).',
      );
  }
  if (c.encoderWeights !== null && (typeof c.encoderWeights !== 'string' || !c.encoderWeights.trim()))
    throw bad('encoderWeights', `must be the path of a .safetensors file or null.`);
  if (c.maxSteps !== null && (!Number.isSafeInteger(c.maxSteps) || c.maxSteps < 1))
    throw bad('maxSteps', `must be a positive integer or null, got ${c.maxSteps}.`);
  const es = c.earlyStopping;
  if (!['ciderD', 'bleu4', 'rougeL', 'valLoss'].includes(es.metric))
    throw bad('earlyStopping.metric', `must be ciderD, bleu4, rougeL or valLoss, got '${es.metric}'.`);
  if (!Number.isSafeInteger(es.patience) || es.patience < 0)
    throw bad('earlyStopping.patience', `must be a whole number ≥ 0 (0 = off), got ${es.patience}.`);
  if (typeof c.modelOverrides !== 'object' || c.modelOverrides === null || Array.isArray(c.modelOverrides))
    throw bad('modelOverrides', 'must be an object of model settings.');
  // the model's own settings are checked now, not at the first step (unknown ones refused)
  MODELS[model].resolve({ preset: c.preset, overrides: c.modelOverrides, seed: c.seed });
  return Object.freeze({
    ...c,
    modelOverrides: Object.freeze({ ...c.modelOverrides }),
    earlyStopping: Object.freeze({ ...es }),
  });
}

/** Learning rate at optimiser step `step` (0-based) of `total`. */
export function learningRate(c: Readonly<TrainConfig>, step: number, total: number): number {
  if (c.warmupSteps > 0 && step < c.warmupSteps) return (c.lr * (step + 1)) / c.warmupSteps;
  if (c.decay === 'none') return c.lr;
  const span = Math.max(1, total - c.warmupSteps);
  const f = Math.min(1, Math.max(0, (step - c.warmupSteps) / span));
  const shape = c.decay === 'linear' ? 1 - f : 0.5 * (1 + Math.cos(Math.PI * f));
  return c.lr * (c.minLrRatio + (1 - c.minLrRatio) * shape);
}

/** Teacher-forcing ratio at step `step` of `total` (scheduled sampling when an end ratio is set). */
export function teacherForcingAt(c: Readonly<TrainConfig>, step: number, total: number): number {
  if (c.teacherForcingEnd === null) return c.teacherForcing;
  const f = Math.min(1, step / Math.max(1, total - 1));
  return c.teacherForcing + (c.teacherForcingEnd - c.teacherForcing) * f;
}

/**
 * A new run of a model whose encoder wants pretrained weights (Inception v3 in the full preset) must
 * get them, or say it trains that encoder from scratch: a random Inception's BatchNorm statistics are
 * 0/1 and its features are noise. (Runs already started are resumed as they were.)
 */
export function checkEncoderWeights(c: Readonly<TrainConfig>): void {
  const spec = MODELS[c.model];
  if (c.encoderWeights || c.encoderFromScratch || !spec.needsEncoderWeights?.(c.preset, c.modelOverrides))
    return;
  throw bad(
    'encoderWeights',
    `is needed: the ${c.preset} preset of ${c.model} uses a pretrained Inception v3 encoder. Give a local ` +
      'ImageNet Inception v3 .safetensors file in torchvision naming (timm inception_v3.tv_in1k): ' +
      'train --encoder-weights FILE, or encoderWeights in the config; or set encoderFromScratch: true ' +
      'to train that encoder from random weights.',
  );
}

/**
 * The learning rate of the encoder's parameters: encoderLr while fine-tuning (pretrained weights, or
 * unfrozen after a frozen start), else the decoder's.
 */
export function encoderLearningRate(c: Readonly<TrainConfig>, lr: number, unfrozen: boolean): number {
  return c.encoderWeights !== null || unfrozen ? (c.encoderLr * lr) / c.lr : lr;
}
