// How a run begins: a new model (its tokenizer built from the training captions, pretrained encoder
// weights loaded) at position zero, or the `last` checkpoint of a run continued exactly where it
// stopped (its config checked against the one given: only how long to train may change).
import { readFileSync } from 'node:fs';
import { AppError } from '../../../shared/result';
import type { CaptionModel } from '../models/contract';
import { loadModel, modelSpec } from '../models/registry';
import { readTrainerCheckpoint, type TrainerPosition } from './checkpoint';
import { checkEncoderWeights, TRAIN_DEFAULTS, type TrainConfig } from './config';
import type { TrainData } from './data';
import type { Adam } from './optim';

/** Config fields that may change on resume (how long to train); everything else must match. */
const RESUMABLE_CHANGES = new Set(['epochs', 'maxSteps', 'earlyStopping']);

/** Loads pretrained encoder weights into a new model; every problem with the file is an error. */
function loadPretrainedEncoder(model: CaptionModel, path: string): void {
  if (!model.loadEncoderWeights)
    throw new AppError('invalid_argument', 'This model cannot take pretrained encoder weights.');
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new AppError(
      'not_found',
      `Cannot read the encoder weights ${path}: ${(e as Error).message}. Give a local .safetensors file ` +
        '(ImageNet Inception v3 in torchvision naming, e.g. timm inception_v3.tv_in1k).',
    );
  }
  model.loadEncoderWeights(bytes);
}

/** A new run's model and position. */
function newRun(cfg: Readonly<TrainConfig>, data: TrainData): { model: CaptionModel; pos: TrainerPosition } {
  checkEncoderWeights(cfg);
  const spec = modelSpec(cfg.model);
  const tokenizer = spec.text.build(
    data.train.flatMap((e) => e.captions),
    { minCount: cfg.minWordCount },
  );
  const model = spec.create({ preset: cfg.preset, overrides: cfg.modelOverrides, seed: cfg.seed, tokenizer });
  if (cfg.encoderWeights)
    try {
      loadPretrainedEncoder(model, cfg.encoderWeights);
    } catch (e) {
      model.dispose();
      throw e;
    }
  const pos: TrainerPosition = {
    epoch: 1,
    batch: 0,
    step: 0,
    best: null,
    badEpochs: 0,
    history: [],
    warnings: [],
    epochLoss: { sum: 0, count: 0 },
    encoderUnfrozen: false,
    config: cfg,
  };
  return { model, pos };
}

/** The model and position to train from: a new run, or the run in `checkpointDir` resumed (Adam restored). */
export function startRun(
  cfg: Readonly<TrainConfig>,
  data: TrainData,
  opts: { checkpointDir: string; resume?: boolean },
  adam: Adam,
): { model: CaptionModel; pos: TrainerPosition } {
  if (!opts.resume) return newRun(cfg, data);
  const ck = readTrainerCheckpoint(opts.checkpointDir, 'last');
  // A setting added since the run started counts as its default (an older run still resumes).
  const saved: Record<string, unknown> = { ...TRAIN_DEFAULTS, ...(ck.position.config as object) };
  const changed = Object.keys({ ...saved, ...cfg }).filter(
    (k) =>
      !RESUMABLE_CHANGES.has(k) && JSON.stringify(saved[k]) !== JSON.stringify(cfg[k as keyof TrainConfig]),
  );
  if (changed.length)
    throw new AppError(
      'invalid_argument',
      `The run was started with another config (${changed.join(', ')} differ); resume it with its own config.`,
    );
  const model = loadModel(ck.model);
  adam.load(ck.optim);
  return { model, pos: { ...ck.position, config: cfg } };
}
