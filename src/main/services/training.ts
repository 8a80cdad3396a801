// Training services: runs (list, detail with metric history), start/cancel/resume training,
// caption images with a run's checkpoint, and save those captions as drafts for review. Every job
// runs in its own worker process, one at a time; progress goes out as job.progress events (jobId
// `run-<id>`). Runs whose worker is gone are marked interrupted when the services start and when a
// worker dies.
import { existsSync } from 'node:fs';
import type { ApiMethods } from '../../shared/api';
import { AppError } from '../../shared/result';
import type { RunDetail } from '../../shared/types';
import type { Store } from '../db/index';
import { checkEncoderWeights, resolveTrainConfig, type TrainPartial } from '../ml/train/config';
import { JobQueue, startWorker, type WorkerHandle } from '../ml/worker/host';
import type { EventBus } from './events';

type M =
  | 'runs.list'
  | 'runs.get'
  | 'train.start'
  | 'train.cancel'
  | 'train.resume'
  | 'caption.generate'
  | 'caption.draft';
type Handlers = {
  [K in M]: (args: ApiMethods[K]['args']) => Promise<ApiMethods[K]['result']> | ApiMethods[K]['result'];
};

export interface TrainingService {
  handlers: Handlers;
  /** Resolves when the run's current job has ended. */
  settled(runId: number): Promise<void>;
  /**
   * Stops writing to the store. Running workers are left alone: when this process exits they see
   * the IPC channel close, save a checkpoint and mark their run interrupted (resumable).
   */
  close(): void;
}

export function trainingService(store: Store, bus: EventBus, queue = new JobQueue()): TrainingService {
  const runs = store.runs;
  runs.markOrphans();
  const workers = new Map<number, WorkerHandle>();
  const jobs = new Map<number, Promise<void>>();
  const jobId = (runId: number) => `run-${runId}`;
  let closed = false;

  const detail = (runId: number): RunDetail => {
    const r = runs.get(runId);
    if (!r) throw new AppError('not_found', `There is no run ${runId}; \`caption-studio runs\` lists them.`);
    return r;
  };

  function schedule(runId: number, resume: boolean): Promise<void> {
    const p = queue
      .enqueue(jobId(runId), async () => {
        const w = startWorker({ type: 'train', dbPath: store.path, runId, resume }, (m) => {
          if (m.type === 'progress')
            bus.emit('job.progress', {
              jobId: jobId(runId),
              kind: 'train',
              done: m.step,
              total: m.totalSteps,
              message: m.message,
            });
        });
        workers.set(runId, w);
        const exit = await w.exited;
        workers.delete(runId);
        if (closed) return;
        const row = runs.row(runId);
        if (row && (row.status === 'running' || row.status === 'queued')) {
          const how = exit.signal ? `was killed (${exit.signal})` : `exited with code ${exit.code}`;
          runs.setStatus(
            runId,
            'interrupted',
            `The worker ${how} before the run ended; resume it to continue.`,
          );
        }
      })
      .catch((e: unknown) => {
        if (closed) return;
        if (e instanceof AppError && e.code === 'cancelled') runs.setStatus(runId, 'cancelled');
        else runs.setStatus(runId, 'failed', e instanceof Error ? e.message : String(e));
      })
      .finally(() => jobs.delete(runId));
    jobs.set(runId, p);
    return p;
  }

  const handlers: Handlers = {
    'runs.list': () => runs.list(),
    'runs.get': ({ runId }) => detail(runId),
    'train.start': async ({ model, preset, config, collectionId, wait }) => {
      const cfg = resolveTrainConfig({ ...(config ?? {}), model, preset: preset ?? 'tiny' } as TrainPartial);
      checkEncoderWeights(cfg);
      // Said now rather than when the worker starts: a wrong path is the likely mistake.
      if (cfg.encoderWeights && !existsSync(cfg.encoderWeights))
        throw new AppError(
          'not_found',
          `There is no encoder weights file ${cfg.encoderWeights}: give a local .safetensors file ` +
            '(ImageNet Inception v3 in torchvision naming).',
        );
      const images = { train: new Set<number>(), val: new Set<number>(), test: new Set<number>() };
      for (const c of store.captions.approvedOfSplits(collectionId ?? null)) images[c.split].add(c.id);
      const n = (s: 'train' | 'val') => images[s].size;
      if (n('train') === 0 || n('val') === 0)
        throw new AppError(
          'invalid_argument',
          `Training needs images with approved captions in the train and val splits (found ${n('train')} and ${n('val')}). ` +
            'Import captioned images or run `caption-studio dataset shapes --count 500`.',
        );
      const runId = runs.create(cfg.model, cfg.preset, cfg, { collectionId: collectionId ?? null });
      const done = schedule(runId, false);
      if (wait) await done;
      return detail(runId);
    },
    'train.cancel': ({ runId }) => {
      detail(runId);
      if (queue.drop(jobId(runId))) return { cancelled: true };
      const w = workers.get(runId);
      if (!w) return { cancelled: false };
      w.cancel();
      return { cancelled: true };
    },
    'train.resume': async ({ runId, wait }) => {
      const r = detail(runId);
      if (!['interrupted', 'cancelled', 'failed'].includes(r.status))
        throw new AppError(
          'conflict',
          `Run ${runId} is ${r.status}; only interrupted, cancelled or failed runs resume.`,
        );
      const hasLast = r.checkpoints.some((c) => c.kind === 'last');
      runs.requeue(runId);
      const done = schedule(runId, hasLast);
      if (wait) await done;
      return detail(runId);
    },
    'caption.generate': async (args) => {
      detail(args.runId);
      if (!args.paths?.length && !args.imageIds?.length)
        throw new AppError('invalid_argument', 'Give at least one image (paths or imageIds).');
      return queue.enqueue(`caption-${Date.now()}-${Math.random()}`, async () => {
        const w = startWorker({ type: 'caption', dbPath: store.path, args });
        const exit = await w.exited;
        if (exit.final?.type === 'done') return exit.final.captions ?? [];
        if (exit.final?.type === 'error')
          throw new AppError(exit.final.error.code, exit.final.error.message, exit.final.error.details);
        throw new AppError(
          'internal',
          `The caption worker stopped (${exit.signal ?? exit.code}) without an answer.`,
        );
      });
    },
    'caption.draft': async ({ runId, imageIds, beam }) => {
      const generated = await handlers['caption.generate']({ runId, imageIds, beam });
      // The same text already on the image (a draft from an earlier pass, or a human caption) is
      // not added twice.
      const have = store.captions.ofImages(imageIds);
      const fresh = generated
        .map((g) => ({ imageId: Number(g.source.slice('image:'.length)), text: g.caption.trim() }))
        .filter((d) => d.text && !(have.get(d.imageId) ?? []).some((c) => c.text === d.text));
      if (fresh.length === 0) return { added: 0, skipped: generated.length, opId: null };
      const opId = store.captions.action(`Model drafts from run ${runId} (${fresh.length})`, (op) => {
        for (const d of fresh) store.captions.add({ ...d, source: 'run', runId, status: 'draft' }, op);
        return op;
      });
      bus.emit('library.changed', { imageIds: [...new Set(fresh.map((d) => d.imageId))] });
      return { added: fresh.length, skipped: generated.length - fresh.length, opId };
    },
  };

  return {
    handlers,
    settled: (runId) => jobs.get(runId) ?? Promise.resolve(),
    close() {
      closed = true;
    },
  };
}
