// A training run's state: one object the trainer's functions take in place of closures sharing
// mutable variables. openRun sets it up (config resolved, data checked, the model new or resumed
// with its optimiser, its inputs); beside it what every part of a run does with it: whether the
// encoder is frozen, warnings (each kind once), checkpoints, and step progress.
import { AppError } from '../../../shared/result';
import { writeTrainerCheckpoint, type CheckpointKind, type TrainerPosition } from './checkpoint';
import { resolveTrainConfig, type TrainConfig, type TrainPartial } from './config';
import type { TrainData } from './data';
import type { EvalContext } from './evaluate';
import { FeatureSource } from './features';
import type { RunWarning } from './guardrails';
import type { CaptionModel } from './model';
import { adamFor, type Adam } from './optim';
import { startRun } from './resume';
import type { TrainHooks, TrainOptions } from './types';

export interface Run {
  readonly cfg: Readonly<TrainConfig>;
  readonly data: TrainData;
  readonly hooks: TrainHooks;
  readonly opts: TrainOptions;
  readonly model: CaptionModel;
  readonly adam: Adam;
  readonly inputs: FeatureSource;
  /** Where the run is (saved with every checkpoint, so a resume continues exactly). */
  readonly pos: TrainerPosition;
  /** Optimiser steps of the whole run: every epoch's batches, capped by maxSteps. */
  readonly totalSteps: number;
  /** Steps in a row whose loss was not finite (the run fails at NAN_LIMIT). */
  nanRun: number;
  /** Seconds spent in this call's steps and the images they saw (for images/s and the ETA). */
  readonly clock: { seconds: number; images: number };
}

/** Steps in a row with a non-finite loss after which a run fails. */
export const NAN_LIMIT = 10;

/** Refuses data the trainer cannot train on, saying what to do. */
function checkData(data: TrainData): void {
  if (data.train.length === 0)
    throw new AppError('invalid_argument', 'There are no training images: give images the train split.');
  if (data.val.length === 0)
    throw new AppError('invalid_argument', 'There are no validation images: give some images the val split.');
  for (const split of ['train', 'val', 'test'] as const)
    for (const e of data[split])
      if (e.captions.length === 0)
        throw new AppError(
          'invalid_argument',
          `Image ${e.key} (${split}) has no caption; approve one or drop it.`,
        );
}

function totalSteps(cfg: Readonly<TrainConfig>, data: TrainData): number {
  const samplesPerEpoch =
    cfg.captionsPerEpoch === 'all'
      ? data.train.reduce((n, e) => n + e.captions.length, 0)
      : data.train.length;
  return Math.min(cfg.epochs * Math.ceil(samplesPerEpoch / cfg.batchSize), cfg.maxSteps ?? Infinity);
}

/** A run ready to train: a new one, or the one in opts.checkpointDir resumed (opts.resume). */
export function openRun(
  partial: TrainPartial | Readonly<TrainConfig>,
  data: TrainData,
  hooks: TrainHooks,
  opts: TrainOptions,
): Run {
  const cfg = resolveTrainConfig(partial as TrainPartial);
  checkData(data);
  const adam = adamFor(cfg);
  let started: ReturnType<typeof startRun>;
  try {
    started = startRun(cfg, data, opts, adam);
  } catch (e) {
    adam.dispose();
    throw e;
  }
  const { model, pos } = started;
  const inputs = new FeatureSource(
    model,
    data,
    { seed: cfg.seed, cropScale: cfg.cropScale, cachedCrops: cfg.cachedCrops },
    { dir: opts.cacheDir, budgetBytes: opts.cacheBudgetBytes },
  );
  const clock = { seconds: 0, images: 0 };
  return {
    cfg,
    data,
    hooks,
    opts,
    model,
    adam,
    inputs,
    pos,
    totalSteps: totalSteps(cfg, data),
    nanRun: 0,
    clock,
  };
}

/** Frees the run's tensors (model and optimiser state). */
export function closeRun(run: Run): void {
  run.adam.dispose();
  run.model.dispose();
}

/** The encoder is frozen until the epoch it is unfrozen for fine-tuning (if any). */
export function isFrozen(run: Run): boolean {
  return run.cfg.freezeEncoder && !run.pos.encoderUnfrozen;
}

/** Unfreezes the encoder at the epoch the config fine-tunes it from. */
export function unfreezeWhenDue(run: Run, epoch: number): void {
  const from = run.cfg.fineTuneFromEpoch;
  if (from === null || epoch < from || run.pos.encoderUnfrozen) return;
  run.pos.encoderUnfrozen = true;
  run.hooks.onPhase?.(`epoch ${epoch}: fine-tuning the encoder from now on`);
}

export function evalContext(run: Run): EvalContext {
  return { model: run.model, inputs: run.inputs, batchSize: run.cfg.batchSize, frozen: isFrozen(run) };
}

/** Records a warning on the run and reports it, once per kind. */
export function warn(run: Run, w: RunWarning): void {
  if (run.pos.warnings.some((x) => x.kind === w.kind)) return;
  run.pos.warnings.push(w);
  run.hooks.onWarning?.(w);
}

/** Saves a checkpoint; `epoch` is the one it belongs to (the one just validated, or the one in progress). */
export async function saveCheckpoint(
  run: Run,
  kind: CheckpointKind,
  metric: number | null,
  epoch = run.pos.epoch,
): Promise<void> {
  const { pos } = run;
  const path = writeTrainerCheckpoint(
    run.opts.checkpointDir,
    kind,
    await run.model.save(),
    await run.adam.state(),
    pos,
  );
  run.hooks.onCheckpoint?.({ kind, path, epoch, step: pos.step, metric });
}

/** Reports a step just done (pos.step counts it): its loss and rate, and the time the run has left. */
export function reportStep(
  run: Run,
  s: {
    epoch: number;
    batch: number;
    batches: number;
    images: number;
    seconds: number;
    loss: number;
    lr: number;
  },
): void {
  const { clock, pos, cfg } = run;
  clock.seconds += s.seconds;
  clock.images += s.images;
  run.hooks.onStep?.({
    step: pos.step,
    totalSteps: run.totalSteps,
    epoch: s.epoch,
    epochs: cfg.epochs,
    batch: s.batch,
    batches: s.batches,
    loss: s.loss,
    lr: s.lr,
    imagesPerSec: clock.images / Math.max(1e-9, clock.seconds),
    etaSeconds: ((run.totalSteps - pos.step) * clock.seconds) / Math.max(1, clock.images / cfg.batchSize),
  });
}
