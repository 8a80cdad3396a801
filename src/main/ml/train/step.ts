// One optimiser step, the trainer's own (the bench times this too): the model's training loss on a
// batch, gradients of the trainable parameters, and an Adam update unless the loss is not finite.
// Beside it, a run's step on a batch of samples (captions encoded, the model's input for them, the
// parameters and learning rates of this step) and how its loss counts (or warns, or ends the run).
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/result';
import { mixSeed } from '../../util/rng';
import type { CaptionModel, LossOptions } from '../models/contract';
import { encoderLearningRate, learningRate, teacherForcingAt, type TrainConfig } from './config';
import { encodeCaptions, type Sample } from './data';
import type { Adam } from './optim';
import { isFrozen, NAN_LIMIT, warn, type Run } from './run';

export interface StepInput {
  /** Encoder features [B, ...] (frozen encoder) or images [B, S, S, 3]. */
  input: tf.Tensor;
  frozen: boolean;
  /** Padded captions [B, T] and their mask of real tokens in `loss.mask`. */
  tokens: tf.Tensor2D;
  loss: LossOptions;
  /** The parameters to train, by name. */
  params: ReadonlyArray<[string, tf.Variable]>;
  /** Learning rate of each parameter. */
  lr: (name: string) => number;
  clipNorm: number;
}

/** Runs one step; `applied` is false when the loss was not finite (the update is skipped). */
export async function trainStep(
  model: CaptionModel,
  adam: Adam,
  s: StepInput,
): Promise<{ loss: number; xent: number; applied: boolean }> {
  const byTfName = new Map(s.params.map(([name, v]) => [v.name, name]));
  let xent: tf.Scalar | null = null;
  const { value, grads } = tf.variableGrads(
    () => {
      const feats = s.frozen ? s.input : model.features(s.input as tf.Tensor4D);
      const out = model.loss(feats, s.tokens, s.loss);
      xent = tf.keep(out.xent);
      return out.loss;
    },
    s.params.map(([, v]) => v),
  );
  const [loss, x] = [(await value.data())[0], (await xent!.data())[0]];
  tf.dispose([value, xent!]);
  const applied = Number.isFinite(loss);
  if (applied) {
    const named = new Map(Object.entries(grads).map(([k, g]) => [byTfName.get(k)!, g]));
    await adam.apply(s.params, named, s.lr, s.clipNorm);
  }
  tf.dispose(Object.values(grads));
  return { loss, xent: x, applied };
}

/** The parameters a step trains: no buffers; no encoder while frozen; only its last blocks if asked. */
function trainable(model: CaptionModel, cfg: Readonly<TrainConfig>, frozen: boolean) {
  const entries = model.params.entries().filter(([n]) => !model.isBuffer(n));
  if (frozen) return entries.filter(([n]) => !model.isEncoderParam(n));
  if (cfg.fineTuneBlocks === null) return entries;
  if (!model.encoderBlock)
    throw new AppError('invalid_argument', `${cfg.model} has no encoder blocks: leave fineTuneBlocks null.`);
  const blocks = [...new Set(entries.map(([n]) => model.encoderBlock!(n)).filter((b) => b !== null))];
  const open = new Set(blocks.slice(-cfg.fineTuneBlocks));
  return entries.filter(([n]) => !model.isEncoderParam(n) || open.has(model.encoderBlock!(n) ?? ''));
}

/**
 * The run's step on a batch (at pos.step): its captions as padded ids, its input (cropped pixels, or
 * cached features of a frozen encoder), the schedule's learning rates and teacher forcing, and the
 * step's seed. Returns the step's result and the decoder's learning rate.
 */
export async function batchStep(
  run: Run,
  batch: readonly Sample[],
  epoch: number,
): Promise<{ loss: number; xent: number; applied: boolean; lr: number }> {
  const { cfg, model, pos, totalSteps } = run;
  const { ids, mask, t } = encodeCaptions(
    model.tokenizer,
    batch.map((s) => s.caption),
    model.config.maxLength,
  );
  const tokens = tf.tensor2d(ids, [batch.length, t], 'int32'); // [B, T]
  const real = tf.tensor2d(mask, [batch.length, t]); // [B, T]
  const frozen = isFrozen(run);
  const input = await run.inputs.train(
    batch.map((s) => s.key),
    epoch,
    frozen,
  );
  const lr = learningRate(cfg, pos.step, totalSteps);
  const encLr = encoderLearningRate(cfg, lr, pos.encoderUnfrozen);
  const r = await trainStep(model, run.adam, {
    input,
    frozen,
    tokens,
    loss: {
      training: true,
      teacherForcing: teacherForcingAt(cfg, pos.step, totalSteps),
      seed: mixSeed(cfg.seed, pos.step, 0x5eed),
      mask: real,
    },
    params: trainable(model, cfg, frozen),
    lr: (name) => (model.isEncoderParam(name) ? encLr : lr),
    clipNorm: cfg.clipNorm,
  });
  tf.dispose([tokens, real, input]);
  if (!frozen) run.inputs.encoderChanged();
  return { ...r, lr };
}

/**
 * Counts a step's loss into its epoch's, or (not finite: the update was skipped) warns; returns the
 * error that ends the run after NAN_LIMIT such steps in a row, else null.
 */
export function countLoss(
  run: Run,
  r: { loss: number; xent: number; applied: boolean },
  epoch: number,
): string | null {
  const { pos } = run;
  if (r.applied) {
    run.nanRun = 0;
    pos.epochLoss.sum += r.xent;
    pos.epochLoss.count++;
    return null;
  }
  run.nanRun++;
  warn(run, {
    kind: 'nan-loss',
    step: pos.step,
    epoch,
    message: `The training loss became ${r.loss} at step ${pos.step}; those updates were skipped. Lower the learning rate or enable gradient clipping.`,
  });
  if (run.nanRun < NAN_LIMIT) return null;
  return `The loss was not a number for ${NAN_LIMIT} steps in a row (since step ${pos.step - NAN_LIMIT + 1}); training stopped.`;
}
