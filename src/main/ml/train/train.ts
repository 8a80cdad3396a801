// One trainer for every captioning model: `train(config, data, hooks)`. Seeded and exactly resumable
// (data order, crops, dropout and sampling draws depend only on seed, epoch and step), padding masked,
// teacher forcing / scheduled sampling, Adam(W) with warm-up, decay and clipping, per-epoch validation
// (loss + greedy BLEU-4/ROUGE-L/CIDEr-D), early stopping, best/last checkpoints, guardrails, and the
// test split at the end. How a run starts or resumes (resume.ts), its inputs (features.ts: crops and
// the feature cache), evaluation (evaluate.ts) and one step (step.ts) live beside it. It knows nothing
// of IPC or SQLite: it reports through hooks and writes only its checkpoint files.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/result';
import type { CaptionTokenizer } from '../../text/tokenizer';
import { mixSeed } from '../../util/rng';
import { readSafetensors } from '../weights/safetensors';
import {
  readTrainerCheckpoint,
  writeTrainerCheckpoint,
  type CheckpointKind,
  type EpochRecord,
  type TrainerPosition,
} from './checkpoint';
import {
  encoderLearningRate,
  learningRate,
  resolveTrainConfig,
  teacherForcingAt,
  type TrainConfig,
  type TrainPartial,
} from './config';
import { chunks, encodeCaptions, epochSamples, type TrainData } from './data';
import { decodeAll, evalLoss, scores, type EvalContext } from './evaluate';
import { FeatureSource } from './features';
import { captionProblems, type RunWarning } from './guardrails';
import type { CaptionModel } from './model';
import { Adam } from './optim';
import { startRun } from './resume';
import { trainStep } from './step';

export interface StepProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  lr: number;
  imagesPerSec: number;
  etaSeconds: number;
}

export interface TestResult {
  images: number;
  loss: number;
  perplexity: number;
  metrics: Record<string, number>;
  /** Greedy caption per image key. */
  captions: Record<string, string>;
}

export interface TrainResult {
  status: 'completed' | 'early-stopped' | 'cancelled' | 'failed';
  error: string | null;
  position: TrainerPosition;
  test: TestResult | null;
  /** The model's tokenizer (a run's word vocabulary, or the pretrained one). */
  tokenizer: CaptionTokenizer;
  warnings: RunWarning[];
}

export interface TrainHooks {
  onStep?(p: StepProgress): void;
  onEpoch?(r: EpochRecord): void;
  onCheckpoint?(c: {
    kind: CheckpointKind;
    path: string;
    epoch: number;
    step: number;
    metric: number | null;
  }): void;
  onWarning?(w: RunWarning): void;
  /** A phase change for the progress line ("validating", "testing"…). */
  onPhase?(message: string): void;
  /** Aborting saves the last checkpoint and returns with status 'cancelled'. */
  signal?: AbortSignal;
}

export interface TrainOptions {
  /** Where best/last checkpoints go (one folder per run). */
  checkpointDir: string;
  /** The feature cache folder (null: features of a frozen encoder are kept in memory for this run). */
  cacheDir?: string | null;
  cacheBudgetBytes?: number;
  /** Continue from the `last` checkpoint in checkpointDir. */
  resume?: boolean;
  /** Skip the test split at the end (the caller evaluates later). */
  skipTest?: boolean;
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

export async function train(
  partial: TrainPartial | Readonly<TrainConfig>,
  data: TrainData,
  hooks: TrainHooks = {},
  opts: TrainOptions,
): Promise<TrainResult> {
  const cfg = resolveTrainConfig(partial as TrainPartial);
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
  const { optimizer: kind, beta1, beta2, eps, weightDecay } = cfg;
  const adam = new Adam({ kind, beta1, beta2, eps, weightDecay });
  let model: CaptionModel;
  let pos: TrainerPosition;
  try {
    ({ model, pos } = startRun(cfg, data, opts, adam));
  } catch (e) {
    adam.dispose();
    throw e;
  }
  const tok: CaptionTokenizer = model.tokenizer;
  const inputs = new FeatureSource(
    model,
    data,
    { seed: cfg.seed, cropScale: cfg.cropScale, cachedCrops: cfg.cachedCrops },
    { dir: opts.cacheDir, budgetBytes: opts.cacheBudgetBytes },
  );
  const frozen = () => cfg.freezeEncoder && !pos.encoderUnfrozen;
  const evalCtx = (): EvalContext => ({ model, inputs, batchSize: cfg.batchSize, frozen: frozen() });
  const warn = (w: RunWarning) => {
    if (pos.warnings.some((x) => x.kind === w.kind)) return;
    pos.warnings.push(w);
    hooks.onWarning?.(w);
  };
  /** `epoch`: the epoch the checkpoint belongs to (the one just validated, or the one in progress). */
  const checkpoint = async (kind: CheckpointKind, metric: number | null, epoch = pos.epoch) => {
    const path = writeTrainerCheckpoint(
      opts.checkpointDir,
      kind,
      await model.save(),
      await adam.state(),
      pos,
    );
    hooks.onCheckpoint?.({ kind, path, epoch, step: pos.step, metric });
  };

  const samplesPerEpoch =
    cfg.captionsPerEpoch === 'all'
      ? data.train.reduce((n, e) => n + e.captions.length, 0)
      : data.train.length;
  const totalSteps = Math.min(
    cfg.epochs * Math.ceil(samplesPerEpoch / cfg.batchSize),
    cfg.maxSteps ?? Infinity,
  );
  const valSet = cfg.valImages > 0 ? data.val.slice(0, cfg.valImages) : data.val;
  const better = (a: number, b: number) => (cfg.earlyStopping.metric === 'valLoss' ? a < b : a > b);
  let status: TrainResult['status'] = 'completed';
  let error: string | null = null;
  let nanRun = 0;
  let stepSeconds = 0;
  let stepImages = 0;

  try {
    training: for (; pos.epoch <= cfg.epochs;) {
      const epoch = pos.epoch;
      if (cfg.fineTuneFromEpoch !== null && epoch >= cfg.fineTuneFromEpoch && !pos.encoderUnfrozen) {
        pos.encoderUnfrozen = true;
        hooks.onPhase?.(`epoch ${epoch}: fine-tuning the encoder from now on`);
      }
      const t0 = Date.now();
      const batches = chunks(epochSamples(data.train, cfg.captionsPerEpoch, cfg.seed, epoch), cfg.batchSize);
      for (let b = pos.batch; b < batches.length; b++) {
        // Let the event loop run between steps: tensor work on the CPU backends never yields by itself,
        // so without this a cancel message (or the parent's exit) is never even read.
        await new Promise((resolve) => setImmediate(resolve));
        if (hooks.signal?.aborted) {
          status = 'cancelled';
          await checkpoint('last', null);
          break training;
        }
        if (pos.step >= totalSteps) break training;
        const started = performance.now();
        const batch = batches[b];
        const { ids, mask, t } = encodeCaptions(
          tok,
          batch.map((s) => s.caption),
          model.config.maxLength,
        );
        const tokens = tf.tensor2d(ids, [batch.length, t], 'int32'); // [B, T]
        const real = tf.tensor2d(mask, [batch.length, t]); // [B, T]
        const isFrozen = frozen();
        const input = await inputs.train(
          batch.map((s) => s.key),
          epoch,
          isFrozen,
        );
        const lr = learningRate(cfg, pos.step, totalSteps);
        const encLr = encoderLearningRate(cfg, lr, pos.encoderUnfrozen);
        const r = await trainStep(model, adam, {
          input,
          frozen: isFrozen,
          tokens,
          loss: {
            training: true,
            teacherForcing: teacherForcingAt(cfg, pos.step, totalSteps),
            seed: mixSeed(cfg.seed, pos.step, 0x5eed),
            mask: real,
          },
          params: trainable(model, cfg, isFrozen),
          lr: (name) => (model.isEncoderParam(name) ? encLr : lr),
          clipNorm: cfg.clipNorm,
        });
        tf.dispose([tokens, real, input]);
        if (!isFrozen) inputs.encoderChanged();
        if (!r.applied) {
          nanRun++;
          warn({
            kind: 'nan-loss',
            step: pos.step,
            epoch,
            message: `The training loss became ${r.loss} at step ${pos.step}; those updates were skipped. Lower the learning rate or enable gradient clipping.`,
          });
          if (nanRun >= 10) {
            status = 'failed';
            error = `The loss was not a number for 10 steps in a row (since step ${pos.step - 9}); training stopped.`;
            break training;
          }
        } else {
          nanRun = 0;
          pos.epochLoss.sum += r.xent;
          pos.epochLoss.count++;
        }
        pos.step++;
        pos.batch = b + 1;
        stepSeconds += (performance.now() - started) / 1000;
        stepImages += batch.length;
        hooks.onStep?.({
          step: pos.step,
          totalSteps,
          epoch,
          epochs: cfg.epochs,
          batch: b + 1,
          batches: batches.length,
          loss: r.xent,
          lr,
          imagesPerSec: stepImages / Math.max(1e-9, stepSeconds),
          etaSeconds: ((totalSteps - pos.step) * stepSeconds) / Math.max(1, stepImages / cfg.batchSize),
        });
        if (cfg.checkpointEverySteps > 0 && pos.step % cfg.checkpointEverySteps === 0)
          await checkpoint('last', null);
      }
      if (pos.batch < batches.length) break; // stopped by maxSteps mid-epoch

      hooks.onPhase?.(`epoch ${epoch}: validating`);
      const valLoss = await evalLoss(evalCtx(), data.val);
      const cands = await decodeAll(evalCtx(), valSet);
      const val = scores(valSet, cands);
      // A problem counts once it shows at two validations in a row (every model starts out collapsed
      // for an epoch or so); the warning carries the step of the first.
      const seen = captionProblems(Object.values(cands));
      for (const p of seen) {
        const first = pos.suspect?.[p.kind];
        if (first) warn({ ...p, ...first });
      }
      pos.suspect = Object.fromEntries(
        seen.map((p) => [p.kind, pos.suspect?.[p.kind] ?? { step: pos.step, epoch }]),
      );
      const trainLoss = pos.epochLoss.sum / Math.max(1, pos.epochLoss.count);
      const record: EpochRecord = {
        epoch,
        step: pos.step,
        trainLoss,
        valLoss,
        val,
        seconds: (Date.now() - t0) / 1000,
      };
      pos.history.push(record);
      const metric = cfg.earlyStopping.metric === 'valLoss' ? valLoss : val[cfg.earlyStopping.metric];
      const improved = pos.best === null || better(metric, pos.best.value);
      if (improved) pos.best = { value: metric, epoch };
      pos.badEpochs = improved ? 0 : pos.badEpochs + 1;
      Object.assign(pos, { epoch: epoch + 1, batch: 0, epochLoss: { sum: 0, count: 0 } });
      if (improved) await checkpoint('best', metric, epoch);
      await checkpoint('last', metric, epoch);
      hooks.onEpoch?.(record);
      if (cfg.earlyStopping.patience > 0 && pos.badEpochs >= cfg.earlyStopping.patience) {
        status = 'early-stopped';
        break;
      }
    }

    let test: TestResult | null = null;
    if (status !== 'cancelled' && status !== 'failed' && !opts.skipTest && data.test.length > 0) {
      hooks.onPhase?.('testing the best checkpoint');
      if (pos.best) {
        const file = readSafetensors(readTrainerCheckpoint(opts.checkpointDir, 'best').model);
        model.params.load(
          new Map(file.names.map((n) => [n, { shape: file.info(n).shape, data: file.float32(n) }])),
        );
        inputs.encoderChanged();
      }
      const loss = await evalLoss(evalCtx(), data.test);
      const captions = await decodeAll(evalCtx(), data.test);
      const metrics = scores(data.test, captions);
      test = { images: data.test.length, loss, perplexity: Math.exp(loss), metrics, captions };
    }
    return { status, error, position: pos, test, tokenizer: tok, warnings: pos.warnings };
  } finally {
    adam.dispose();
    model.dispose();
  }
}
