// One trainer for every captioning model: `train(config, data, hooks)`. Seeded and exactly resumable
// (data order, crops, dropout and sampling draws depend only on seed, epoch and step), padding masked,
// teacher forcing / scheduled sampling, Adam(W) with warm-up, decay and clipping, per-epoch validation
// (loss + greedy BLEU-4/ROUGE-L/CIDEr-D), early stopping, best/last checkpoints, guardrails, and the
// test split at the end. This file is the loop; the rest lives beside it: the run's state and setup
// (run.ts), how a run starts or resumes (resume.ts), its inputs (features.ts: crops and the feature
// cache), one step (step.ts), the end of an epoch and the test (epoch.ts) and evaluation
// (evaluate.ts). It knows nothing of IPC or SQLite: it reports through hooks and writes only its
// checkpoint files.
import type { TrainConfig, TrainPartial } from './config';
import { chunks, epochSamples, type TrainData } from './data';
import { endEpoch, testBest } from './epoch';
import { closeRun, openRun, reportStep, saveCheckpoint, unfreezeWhenDue } from './run';
import { batchStep, countLoss } from './step';
import type { TestResult, TrainHooks, TrainOptions, TrainResult } from './types';

export type { StepProgress, TestResult, TrainHooks, TrainOptions, TrainResult } from './types';

export async function train(
  partial: TrainPartial | Readonly<TrainConfig>,
  data: TrainData,
  hooks: TrainHooks = {},
  opts: TrainOptions,
): Promise<TrainResult> {
  const run = openRun(partial, data, hooks, opts);
  const { cfg, pos } = run;
  let status: TrainResult['status'] = 'completed';
  let error: string | null = null;
  try {
    training: for (; pos.epoch <= cfg.epochs;) {
      const epoch = pos.epoch;
      unfreezeWhenDue(run, epoch);
      const t0 = Date.now();
      const batches = chunks(epochSamples(data.train, cfg.captionsPerEpoch, cfg.seed, epoch), cfg.batchSize);
      for (let b = pos.batch; b < batches.length; b++) {
        // Let the event loop run between steps: tensor work on the CPU backends never yields by itself,
        // so without this a cancel message (or the parent's exit) is never even read.
        await new Promise((resolve) => setImmediate(resolve));
        if (hooks.signal?.aborted) {
          status = 'cancelled';
          await saveCheckpoint(run, 'last', null);
          break training;
        }
        if (pos.step >= run.totalSteps) break training;
        const started = performance.now();
        const r = await batchStep(run, batches[b], epoch);
        error = countLoss(run, r, epoch);
        if (error !== null) {
          status = 'failed';
          break training;
        }
        pos.step++;
        pos.batch = b + 1;
        reportStep(run, {
          epoch,
          batch: b + 1,
          batches: batches.length,
          images: batches[b].length,
          seconds: (performance.now() - started) / 1000,
          loss: r.xent,
          lr: r.lr,
        });
        if (cfg.checkpointEverySteps > 0 && pos.step % cfg.checkpointEverySteps === 0)
          await saveCheckpoint(run, 'last', null);
      }
      if (pos.batch < batches.length) break; // stopped by maxSteps mid-epoch
      if (await endEpoch(run, epoch, t0)) {
        status = 'early-stopped';
        break;
      }
    }
    let test: TestResult | null = null;
    if (status !== 'cancelled' && status !== 'failed' && !opts.skipTest && data.test.length > 0)
      test = await testBest(run);
    return { status, error, position: pos, test, tokenizer: run.model.tokenizer, warnings: pos.warnings };
  } finally {
    closeRun(run);
  }
}
