// The end of an epoch and of a run. Each epoch: validation (loss over every reference, greedy captions
// and their BLEU-4/ROUGE-L/CIDEr-D), the guardrails on those captions, the epoch's record, the best
// and last checkpoints, and early stopping. At the end: the test split, scored with the best weights.
import { readSafetensors } from '../weights/safetensors';
import { readTrainerCheckpoint, type EpochRecord } from './checkpoint';
import type { TrainConfig } from './config';
import { validate } from './evaluate';
import { recurringProblems } from './guardrails';
import { evalContext, saveCheckpoint, warn, type Run } from './run';
import type { TestResult } from './types';

/** Whether score `a` is better than `b` for the early-stopping metric (a loss falls, the rest rise). */
function better(cfg: Readonly<TrainConfig>, a: number, b: number): boolean {
  return cfg.earlyStopping.metric === 'valLoss' ? a < b : a > b;
}

/**
 * Validates the epoch just trained (begun at `t0`, ms), records it, moves the position to the next
 * epoch and saves the checkpoints. Returns true when early stopping ends the run.
 */
export async function endEpoch(run: Run, epoch: number, t0: number): Promise<boolean> {
  const { cfg, data, pos, hooks } = run;
  hooks.onPhase?.(`epoch ${epoch}: validating`);
  const valSet = cfg.valImages > 0 ? data.val.slice(0, cfg.valImages) : data.val;
  const { loss: valLoss, captions, metrics: val } = await validate(evalContext(run), data.val, valSet);
  const now = { step: pos.step, epoch };
  pos.suspect = recurringProblems(Object.values(captions), pos.suspect, now, (w) => warn(run, w));
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
  const improved = pos.best === null || better(cfg, metric, pos.best.value);
  if (improved) pos.best = { value: metric, epoch };
  pos.badEpochs = improved ? 0 : pos.badEpochs + 1;
  Object.assign(pos, { epoch: epoch + 1, batch: 0, epochLoss: { sum: 0, count: 0 } });
  if (improved) await saveCheckpoint(run, 'best', metric, epoch);
  await saveCheckpoint(run, 'last', metric, epoch);
  hooks.onEpoch?.(record);
  return cfg.earlyStopping.patience > 0 && pos.badEpochs >= cfg.earlyStopping.patience;
}

/** Loss, perplexity, metrics and greedy captions of the test split, with the best checkpoint's weights. */
export async function testBest(run: Run): Promise<TestResult> {
  const { data, model } = run;
  run.hooks.onPhase?.('testing the best checkpoint');
  if (run.pos.best) {
    const file = readSafetensors(readTrainerCheckpoint(run.opts.checkpointDir, 'best').model);
    model.params.load(
      new Map(file.names.map((n) => [n, { shape: file.info(n).shape, data: file.float32(n) }])),
    );
    run.inputs.encoderChanged();
  }
  const { loss, metrics, captions } = await validate(evalContext(run), data.test, data.test);
  return { images: data.test.length, loss, perplexity: Math.exp(loss), metrics, captions };
}
