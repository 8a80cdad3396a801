// One trainer for every captioning model: `train(config, data, hooks)`. Seeded and exactly resumable
// (data order, dropout and sampling draws depend only on seed, epoch and step), padding masked,
// teacher forcing / scheduled sampling, Adam(W) with warm-up, decay and clipping, a frozen-encoder
// feature cache, per-epoch validation (loss + greedy BLEU-4/ROUGE-L/CIDEr-D), early stopping,
// best/last checkpoints, guardrails, and the test split at the end. It knows nothing of IPC or SQLite:
// it reports through hooks and writes only its checkpoint files.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AppError } from '../../../shared/result';
import { mixSeed } from '../../datasets/rng';
import { buildVocab, WordVocab } from '../../text/index';
import { greedyDecode } from '../decode/search';
import { evaluate } from '../eval/index';
import { createModel, loadModel } from '../models/registry';
import { readSafetensors } from '../weights/safetensors';
import { FeatureCache, DEFAULT_CACHE_BUDGET } from './cache';
import {
  readTrainerCheckpoint,
  writeTrainerCheckpoint,
  type CheckpointKind,
  type EpochRecord,
  type TrainerPosition,
} from './checkpoint';
import {
  learningRate,
  resolveTrainConfig,
  TRAIN_DEFAULTS,
  teacherForcingAt,
  type TrainConfig,
  type TrainPartial,
} from './config';
import { chunks, encodeCaptions, epochSamples, type Example, type TrainData } from './data';
import { captionProblems, type RunWarning } from './guardrails';
import { featureDecoder, type CaptionModel, type LossOptions } from './model';
import { Adam } from './optim';

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
  vocabulary: WordVocab;
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

/** One batch of the training step: images (or cached features when the encoder is frozen) and tokens. */
export interface StepBatch {
  input: tf.Tensor; // [B, S, S, 3] images, or [B, ...] features
  tokens: tf.Tensor2D; // [B, T]
  frozen: boolean;
}

/**
 * The trainer's step: loss and gradients of `params`, then one optimiser update (skipped when the
 * loss is not finite). The caller owns the batch tensors; gradients are disposed here.
 */
export async function trainStep(
  model: CaptionModel,
  optimiser: Adam,
  batch: StepBatch,
  opts: { params: Array<[string, tf.Variable]>; loss: LossOptions; lr: number; clipNorm: number },
): Promise<{ loss: number; xent: number; applied: boolean }> {
  let xent: tf.Scalar | null = null;
  const { value, grads } = tf.variableGrads(
    () => {
      const feats = batch.frozen ? batch.input : model.features(batch.input as tf.Tensor4D);
      const out = model.loss(feats, batch.tokens, opts.loss);
      xent = tf.keep(out.xent);
      return out.loss;
    },
    opts.params.map(([, v]) => v),
  );
  const [loss, xentValue] = [(await value.data())[0], (await xent!.data())[0]];
  tf.dispose([value, xent!]);
  if (!Number.isFinite(loss)) {
    tf.dispose(Object.values(grads));
    return { loss, xent: xentValue, applied: false };
  }
  const byTfName = new Map(opts.params.map(([name, v]) => [v.name, name]));
  const named = new Map(Object.entries(grads).map(([k, g]) => [byTfName.get(k)!, g]));
  await optimiser.apply(opts.params, named, opts.lr, opts.clipNorm);
  tf.dispose(Object.values(grads));
  return { loss, xent: xentValue, applied: true };
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

  let model: CaptionModel;
  let vocab: WordVocab;
  let pos: TrainerPosition;
  const adam = new Adam({
    kind: cfg.optimizer,
    beta1: cfg.beta1,
    beta2: cfg.beta2,
    eps: cfg.eps,
    weightDecay: cfg.weightDecay,
  });
  if (opts.resume) {
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
    const r = loadModel(ck.model);
    model = r.model;
    vocab = WordVocab.fromJSON(JSON.parse(r.vocabulary ?? 'null'));
    adam.load(ck.optim);
    pos = { ...ck.position, config: cfg };
  } else {
    vocab = buildVocab(
      data.train.flatMap((e) => e.captions),
      { minCount: cfg.minWordCount },
    );
    model = createModel(cfg.model, cfg.preset, vocab.vocabSize, cfg.seed, cfg.modelOverrides);
    if (cfg.encoderWeights)
      try {
        loadPretrainedEncoder(model, cfg.encoderWeights);
      } catch (e) {
        model.dispose();
        throw e;
      }
    pos = {
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
  }
  const vocabJson = JSON.stringify(vocab.toJSON());
  const maxLength = model.config.maxLength;
  const size = model.imageSize;
  const memCache = new Map<string, { shape: number[]; data: Float32Array }>();
  const disk = opts.cacheDir
    ? new FeatureCache(opts.cacheDir, opts.cacheBudgetBytes ?? DEFAULT_CACHE_BUDGET)
    : null;
  let fingerprint: string | null = null;

  const warn = (w: RunWarning) => {
    if (pos.warnings.some((x) => x.kind === w.kind)) return;
    pos.warnings.push(w);
    hooks.onWarning?.(w);
  };

  const encoderFrozen = () => cfg.freezeEncoder && !pos.encoderUnfrozen;
  const trainable = (): Array<[string, tf.Variable]> =>
    model.params
      .entries()
      .filter(([name]) => !model.isBuffer(name) && (!encoderFrozen() || !model.isEncoderParam(name)));

  /** Encoder fingerprint: the model's encoder config and weights, so changed weights never hit stale features. */
  async function encoderFingerprint(): Promise<string> {
    const h = createHash('sha256').update(
      JSON.stringify([cfg.model, (model.config as { encoder?: unknown }).encoder]),
    );
    for (const [name, v] of model.params.entries())
      if (model.isEncoderParam(name)) {
        h.update(name);
        h.update(new Uint8Array(((await v.data()) as Float32Array).buffer));
      }
    return h.digest('hex');
  }

  async function imagesTensor(keys: string[]): Promise<tf.Tensor4D> {
    const px = await data.loadImages(keys, size);
    return tf.tensor4d(px, [keys.length, size, size, 3]); // [B, S, S, 3]
  }

  /** Features of a frozen encoder, from the cache or computed (and cached) now: [B, ...]. */
  async function cachedFeatures(keys: string[]): Promise<tf.Tensor> {
    fingerprint ??= await encoderFingerprint();
    const ck = (k: string) => FeatureCache.key(fingerprint!, data.preprocessing, k);
    const found = keys.map((k) => memCache.get(ck(k)) ?? disk?.get(ck(k)) ?? null);
    const missing = [...new Set(keys.filter((_, i) => !found[i]))];
    if (missing.length) {
      const imgs = await imagesTensor(missing);
      const f = tf.tidy(() => model.features(imgs)); // [M, ...]
      imgs.dispose();
      const all = (await f.data()) as Float32Array;
      const shape = f.shape.slice(1);
      const per = all.length / missing.length;
      f.dispose();
      missing.forEach((k, i) => {
        const d = all.slice(i * per, (i + 1) * per);
        if (disk) disk.put(ck(k), shape, d);
        // float16 round trip here too, so the first epoch sees what later ones read back
        const back = disk?.get(ck(k)) ?? { shape, data: d };
        if (!disk) memCache.set(ck(k), back);
        found[keys.indexOf(k)] = back;
        keys.forEach((kk, j) => kk === k && (found[j] = back));
      });
    }
    const shape = found[0]!.shape;
    const per = found[0]!.data.length;
    const buf = new Float32Array(keys.length * per);
    found.forEach((f, i) => buf.set(f!.data, i * per));
    return tf.tensor(buf, [keys.length, ...shape]);
  }

  /** Features for evaluation (no gradient): cached when frozen, else computed from the images. */
  async function evalFeatures(keys: string[]): Promise<tf.Tensor> {
    if (encoderFrozen()) return cachedFeatures(keys);
    const imgs = await imagesTensor(keys);
    const f = tf.tidy(() => model.features(imgs));
    imgs.dispose();
    return f;
  }

  async function evalLoss(examples: readonly Example[]): Promise<number> {
    let sum = 0;
    let count = 0;
    const samples = examples.flatMap((e) => e.captions.map((caption) => ({ key: e.key, caption })));
    for (const batch of chunks(samples, cfg.batchSize)) {
      const { ids, t } = encodeCaptions(
        vocab,
        batch.map((s) => s.caption),
        maxLength,
      );
      const feats = await evalFeatures(batch.map((s) => s.key));
      const tokens = tf.tensor2d(ids, [batch.length, t], 'int32');
      const x = tf.tidy(
        () => model.loss(feats, tokens, { training: false, teacherForcing: 1, seed: 0 }).xent,
      );
      const n = ids.filter((id, i) => i % t !== 0 && id !== vocab.padId).length;
      sum += (await x.data())[0] * n;
      count += n;
      tf.dispose([x, feats, tokens]);
    }
    return sum / Math.max(1, count);
  }

  async function decodeAll(examples: readonly Example[]): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const dec = featureDecoder(model);
    for (const batch of chunks(examples, cfg.batchSize)) {
      const feats = await evalFeatures(batch.map((e) => e.key));
      const r = await greedyDecode(dec, feats as unknown as tf.Tensor4D, { maxTokens: maxLength - 1 });
      feats.dispose();
      batch.forEach((e, i) => (out[e.key] = vocab.decode(r.tokens[i])));
    }
    return out;
  }

  function scores(examples: readonly Example[], cands: Record<string, string>): Record<string, number> {
    const refs = Object.fromEntries(examples.map((e) => [e.key, e.captions]));
    return { ...evaluate({ refs, cands }).corpus };
  }

  /** `epoch`: the epoch the checkpoint belongs to (the one just validated, or the one in progress). */
  async function checkpoint(kind: CheckpointKind, metric: number | null, epoch = pos.epoch) {
    const path = writeTrainerCheckpoint(
      opts.checkpointDir,
      kind,
      await model.save(vocabJson),
      await adam.state(),
      pos,
    );
    hooks.onCheckpoint?.({ kind, path, epoch, step: pos.step, metric });
  }

  const samplesPerEpoch =
    cfg.captionsPerEpoch === 'all'
      ? data.train.reduce((n, e) => n + e.captions.length, 0)
      : data.train.length;
  const batchesPerEpoch = Math.ceil(samplesPerEpoch / cfg.batchSize);
  const totalSteps = Math.min(cfg.epochs * batchesPerEpoch, cfg.maxSteps ?? Infinity);
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
        if (hooks.signal?.aborted) {
          status = 'cancelled';
          await checkpoint('last', null);
          break training;
        }
        if (pos.step >= totalSteps) break training;
        const started = performance.now();
        const batch = batches[b];
        const keys = batch.map((s) => s.key);
        const { ids, t } = encodeCaptions(
          vocab,
          batch.map((s) => s.caption),
          maxLength,
        );
        const tokens = tf.tensor2d(ids, [batch.length, t], 'int32'); // [B, T]
        const frozen = encoderFrozen();
        const input = frozen ? await cachedFeatures(keys) : await imagesTensor(keys);
        const params = trainable();
        const lossOpts = {
          training: true,
          teacherForcing: teacherForcingAt(cfg, pos.step, totalSteps),
          seed: mixSeed(cfg.seed, pos.step, 0x5eed),
        };
        const lr = learningRate(cfg, pos.step, totalSteps);
        const r = await trainStep(
          model,
          adam,
          { input, tokens, frozen },
          { params, loss: lossOpts, lr, clipNorm: cfg.clipNorm },
        );
        tf.dispose([tokens, input]);
        const xentValue = r.xent;
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
          pos.epochLoss.sum += xentValue;
          pos.epochLoss.count++;
        }
        pos.step++;
        pos.batch = b + 1;
        stepSeconds += (performance.now() - started) / 1000;
        stepImages += batch.length;
        const rate = stepImages / Math.max(1e-9, stepSeconds);
        hooks.onStep?.({
          step: pos.step,
          totalSteps,
          epoch,
          epochs: cfg.epochs,
          batch: b + 1,
          batches: batches.length,
          loss: xentValue,
          lr,
          imagesPerSec: rate,
          etaSeconds: ((totalSteps - pos.step) * stepSeconds) / Math.max(1, stepImages / cfg.batchSize),
        });
        if (cfg.checkpointEverySteps > 0 && pos.step % cfg.checkpointEverySteps === 0)
          await checkpoint('last', null);
      }
      if (pos.batch < batches.length) break; // stopped by maxSteps mid-epoch

      hooks.onPhase?.(`epoch ${epoch}: validating`);
      const valLoss = await evalLoss(data.val);
      const cands = await decodeAll(valSet);
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
      const record: EpochRecord = {
        epoch,
        step: pos.step,
        trainLoss: pos.epochLoss.sum / Math.max(1, pos.epochLoss.count),
        valLoss,
        val,
        seconds: (Date.now() - t0) / 1000,
      };
      pos.history.push(record);
      const metric = cfg.earlyStopping.metric === 'valLoss' ? valLoss : val[cfg.earlyStopping.metric];
      const improved = pos.best === null || better(metric, pos.best.value);
      if (improved) {
        pos.best = { value: metric, epoch };
        pos.badEpochs = 0;
      } else pos.badEpochs++;
      pos.epoch = epoch + 1;
      pos.batch = 0;
      pos.epochLoss = { sum: 0, count: 0 };
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
        const best = readTrainerCheckpoint(opts.checkpointDir, 'best').model;
        const file = readSafetensors(best);
        model.params.load(
          new Map(file.names.map((n) => [n, { shape: file.info(n).shape, data: file.float32(n) }])),
        );
        fingerprint = null;
      }
      const loss = await evalLoss(data.test);
      const captions = await decodeAll(data.test);
      test = {
        images: data.test.length,
        loss,
        perplexity: Math.exp(loss),
        metrics: scores(data.test, captions),
        captions,
      };
    }
    return { status, error, position: pos, test, vocabulary: vocab, warnings: pos.warnings };
  } finally {
    adam.dispose();
    model.dispose();
  }
}
