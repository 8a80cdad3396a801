// Training services: runs (list, detail with metric history), start/cancel/resume training,
// caption images with a run's checkpoint, and save those captions as drafts for review. Every
// training job runs in its own worker process, one at a time; progress goes out as job.progress
// events (jobId `run-<id>`), and each metric point the worker records and each change of a run's
// status as run.changed events (the Runs page follows them; it does not poll). Captions come from
// the long-lived inference worker, beside training. Runs whose worker is gone are marked
// interrupted when the services start and when a worker dies.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { ApiMethods } from '../../shared/api';
import { AppError, toErrorData } from '../../shared/result';
import type { RunDetail, RunSummary } from '../../shared/types';
import type { Store } from '../db/index';
import { checkEncoderWeights, resolveTrainConfig, type TrainPartial } from '../ml/train/config';
import { JobQueue, startWorker, type WorkerHandle } from '../ml/worker/host';
import { InferenceHost } from '../ml/worker/inference';
import type { EventBus } from './events';

type M =
  | 'runs.list'
  | 'runs.get'
  | 'train.start'
  | 'train.cancel'
  | 'train.resume'
  | 'caption.generate'
  | 'caption.compare'
  | 'caption.draft';
type Handlers = {
  [K in M]: (args: ApiMethods[K]['args']) => Promise<ApiMethods[K]['result']> | ApiMethods[K]['result'];
};

export interface TrainingService {
  handlers: Handlers;
  /** True while the run is queued or trains in this process (it cannot be deleted then). */
  active(runId: number): boolean;
  /** Resolves when the run's current job has ended. */
  settled(runId: number): Promise<void>;
  /** The inference worker that answers caption requests. */
  inference: InferenceHost;
  /**
   * Stops writing to the store and stops the inference worker. Running training workers are left
   * alone: when this process exits they see the IPC channel close, save a checkpoint and mark
   * their run interrupted (resumable).
   */
  close(): void;
}

export function trainingService(
  store: Store,
  bus: EventBus,
  queue = new JobQueue(),
  inference = new InferenceHost(),
): TrainingService {
  const runs = store.runs;
  runs.markOrphans();
  const workers = new Map<number, WorkerHandle>();
  const jobs = new Map<number, Promise<void>>();
  const jobId = (runId: number) => `run-${runId}`;
  let closed = false;
  /** Tells the Runs page that a run's status changed (it reloads the list on this, never on a timer). */
  const changed = (runId: number) => {
    if (!closed) bus.emit('run.changed', { runId, status: runs.row(runId)?.status ?? 'deleted' });
  };

  const detail = (runId: number): RunDetail => {
    const r = runs.get(runId);
    if (!r) throw new AppError('not_found', `There is no run ${runId}; \`caption-studio runs\` lists them.`);
    return r;
  };

  /** A queued run's place in line (1: starts next). */
  const withPosition = <R extends RunSummary>(r: R): R =>
    r.status === 'queued' ? { ...r, queuePosition: queue.position(jobId(r.id)) } : r;

  function schedule(runId: number, resume: boolean): Promise<void> {
    let started = false;
    const p = queue
      .enqueue(jobId(runId), async () => {
        const w = startWorker({ type: 'train', dbPath: store.path, runId, resume }, (m) => {
          // The worker marks the run running before its first message.
          if (!started && (m.type === 'progress' || m.type === 'metrics')) {
            started = true;
            changed(runId);
          }
          if (m.type === 'metrics') bus.emit('run.changed', { runId, metrics: m.points });
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
      .finally(() => {
        jobs.delete(runId);
        changed(runId);
      });
    jobs.set(runId, p);
    changed(runId);
    return p;
  }

  const handlers: Handlers = {
    'runs.list': () => runs.list().map(withPosition),
    'runs.get': ({ runId }) => withPosition(detail(runId)),
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
      // Image ids per split with an approved caption (the one query of approved captions by split).
      const ids = { train: new Set<number>(), val: new Set<number>(), test: new Set<number>() };
      for (const c of store.captions.approvedOfSplits(collectionId ?? null)) ids[c.split].add(c.id);
      const sets = { train: [...ids.train], val: [...ids.val], test: [...ids.test] };
      if (sets.train.length === 0 || sets.val.length === 0)
        throw new AppError(
          'invalid_argument',
          `Training needs images with approved captions in the train and val splits (found ` +
            `${sets.train.length} and ${sets.val.length}). Give the library a split: "Split…" on the Runs ` +
            "page or in the Library's selection bar (or `caption-studio dataset split`).",
        );
      const data = {
        collectionId: collectionId ?? null,
        train: sets.train.length,
        val: sets.val.length,
        test: sets.test.length,
        testSet: createHash('sha256').update(sets.test.join(',')).digest('hex').slice(0, 16),
      };
      const runId = runs.create(cfg.model, cfg.preset, cfg, data);
      const done = schedule(runId, false);
      if (wait) await done;
      return withPosition(detail(runId));
    },
    'train.cancel': ({ runId }) => {
      detail(runId);
      // A queued run leaves the line and is cancelled at once, not when the running job ends.
      if (queue.drop(jobId(runId))) {
        runs.setStatus(runId, 'cancelled');
        changed(runId);
        return { cancelled: true };
      }
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
      return withPosition(detail(runId));
    },
    'caption.generate': async (args) => {
      detail(args.runId);
      if (!args.paths?.length && !args.imageIds?.length)
        throw new AppError('invalid_argument', 'Give at least one image (paths or imageIds).');
      return (await inference.caption(store.path, args)).captions;
    },
    // One request per run, all sent at once: the worker answers them in turn with each run's model
    // kept loaded; a run that fails (no checkpoint yet) does not keep the others from answering.
    'caption.compare': async ({ runIds, paths, beam, maps }) =>
      Promise.all(
        [...new Set(runIds)].map(async (runId) => {
          try {
            detail(runId);
            const r = await inference.caption(store.path, { runId, paths, beam, maps });
            return { runId, captions: r.captions, error: null };
          } catch (e) {
            const { code, message } = toErrorData(e);
            return { runId, captions: null, error: { code, message } };
          }
        }),
      ),
    'caption.draft': async ({ runId, imageIds, beam }) => {
      const generated = await handlers['caption.generate']({ runId, imageIds, beam });
      // An empty caption (the model stopped at once) is reported as such and never saved; the same
      // text already on the image (a draft from an earlier pass, or a human caption) is not added twice.
      const have = store.captions.ofImages(imageIds);
      const all = generated.map((g) => ({
        imageId: Number(g.source.slice('image:'.length)),
        text: g.caption.trim(),
      }));
      const empty = all.filter((d) => !d.text).length;
      const fresh = all.filter((d) => d.text && !(have.get(d.imageId) ?? []).some((c) => c.text === d.text));
      const skipped = all.length - empty - fresh.length;
      if (fresh.length === 0) return { added: 0, skipped, empty, opId: null };
      const opId = store.captions.action(`Model drafts from run ${runId} (${fresh.length})`, (op) => {
        for (const d of fresh) store.captions.add({ ...d, source: 'run', runId, status: 'draft' }, op);
        return op;
      });
      bus.emit('library.changed', { imageIds: [...new Set(fresh.map((d) => d.imageId))] });
      return { added: fresh.length, skipped, empty, opId };
    },
  };

  return {
    handlers,
    active: (runId) => jobs.has(runId) || workers.has(runId),
    settled: (runId) => jobs.get(runId) ?? Promise.resolve(),
    inference,
    close() {
      closed = true;
      void inference.close();
    },
  };
}
