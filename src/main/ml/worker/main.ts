// The ML worker process: runs one job (a training run) and exits, because the wasm heap never
// shrinks; or, as the inference worker, answers caption requests with one model kept loaded until
// its parent stops it (infer.ts). Talks to its parent over the typed protocol and writes runs, metrics
// and checkpoints through its own SQLite connection. Free of Electron: forked by the CLI and server
// (child_process.fork) and by the app (Electron's utilityProcess); see channel.ts.
import { dirname, join } from 'node:path';
import { AppError, toErrorData } from '../../../shared/result';
import type { RunWarningInfo } from '../../../shared/types';
import { openStore, type Store } from '../../db/index';
import { nodeLoader, selectBackend } from '../backend';
import { modelSpec } from '../models/registry';
import { train, type TrainConfig } from '../train/index';
import { libraryData } from './dataset';
import { handleInference } from './infer';
import { sequencer, type FromWorker, type Job, type ToWorker } from './protocol';
import { parentChannel } from './channel';

const channel = parentChannel();
// Resolves once the message is handed to the channel, so the process can exit after its last one.
const send = sequencer<FromWorker, Promise<void>>((m) => channel.send(m));
const ctl = new AbortController();
let parentGone = false;

export const runDirFor = (dbPath: string, runId: number) => join(dirname(dbPath), 'runs', String(runId));
export const featureCacheFor = (dbPath: string) => join(dirname(dbPath), 'cache', 'features');

async function trainJob(store: Store, runId: number, resume: boolean): Promise<string> {
  const runs = store.runs;
  const row = runs.row(runId);
  if (!row) throw new AppError('not_found', `There is no run ${runId}.`);
  const cfg = JSON.parse(row.config) as TrainConfig;
  const snapshot = (row.data_snapshot ? JSON.parse(row.data_snapshot) : {}) as {
    collectionId?: number | null;
  };
  const backend = await selectBackend(nodeLoader(), 'train');
  const dir = runDirFor(store.path, runId);
  runs.markStarted(runId, process.pid, backend.chosen, dir);
  runs.heartbeat(runId);
  const beat = setInterval(() => runs.heartbeat(runId), 5000);
  const data = libraryData(store, {
    collectionId: snapshot.collectionId ?? null,
    size: modelSpec(cfg.model).imageSize(cfg.preset, cfg.modelOverrides),
  });
  let lastSent = 0;
  /** Writes metric points and tells the parent, which pushes them to the Runs page. */
  const record = (
    epoch: number | null,
    step: number | null,
    split: string,
    values: Record<string, number>,
  ) => {
    runs.addMetrics(runId, epoch, step, split, values);
    const points = Object.entries(values)
      .filter(([, v]) => Number.isFinite(v))
      .map(([name, value]) => ({ epoch, step, split, name, value }));
    if (points.length) void send({ type: 'metrics', runId, points });
  };
  const warnings: RunWarningInfo[] = [];
  try {
    const result = await train(
      cfg,
      data,
      {
        signal: ctl.signal,
        onStep(p) {
          // The training loss of every step, thinned to about 2000 points on long runs.
          if (p.step % Math.max(1, Math.ceil(p.totalSteps / 2000)) === 0)
            record(p.epoch, p.step, 'train', { stepLoss: p.loss, lr: p.lr });
          const now = Date.now();
          if (now - lastSent < 250 && p.step !== p.totalSteps) return;
          lastSent = now;
          const eta =
            p.etaSeconds > 90 ? `${Math.round(p.etaSeconds / 60)} min` : `${Math.round(p.etaSeconds)} s`;
          send({
            type: 'progress',
            runId,
            ...p,
            message: `epoch ${p.epoch}/${p.epochs} · loss ${p.loss.toFixed(3)} · ${p.imagesPerSec.toFixed(1)} img/s · ETA ${eta}`,
          });
        },
        onEpoch(r) {
          record(r.epoch, r.step, 'train', { loss: r.trainLoss, seconds: r.seconds });
          record(r.epoch, r.step, 'val', { loss: r.valLoss, ...r.val });
        },
        onCheckpoint(c) {
          runs.setCheckpoint(
            runId,
            c.kind,
            c.path,
            c.epoch,
            c.step,
            c.metric === null ? null : String(c.metric),
          );
        },
        onWarning(w) {
          warnings.push(w);
          runs.setWarnings(runId, warnings);
          send({ type: 'warning', runId, warning: w });
        },
        onPhase(message) {
          send({
            type: 'progress',
            runId,
            step: 0,
            totalSteps: 0,
            epoch: 0,
            epochs: 0,
            loss: 0,
            imagesPerSec: 0,
            etaSeconds: 0,
            message,
          });
        },
      },
      { checkpointDir: dir, cacheDir: featureCacheFor(store.path), resume },
    );
    runs.setWarnings(runId, result.warnings);
    if (result.test) {
      const last = result.position.history.at(-1);
      // Each test image's caption with the references it was scored against (the per-image view).
      const refs = new Map(data.test.map((e) => [e.key, e.captions]));
      runs.setTestCaptions(
        runId,
        Object.entries(result.test.captions).flatMap(([key, caption]) => {
          const imageId = data.imageIds.get(key);
          return imageId === undefined ? [] : [{ imageId, caption, refs: refs.get(key) ?? [] }];
        }),
      );
      record(last?.epoch ?? null, result.position.step, 'test', {
        loss: result.test.loss,
        perplexity: result.test.perplexity,
        ...result.test.metrics,
      });
    }
    const status =
      result.status === 'cancelled'
        ? parentGone
          ? 'interrupted'
          : 'cancelled'
        : result.status === 'failed'
          ? 'failed'
          : 'completed';
    runs.setStatus(
      runId,
      status,
      result.error ??
        (status === 'interrupted' ? 'The app closed during training; resume the run to continue.' : null),
    );
    return status;
  } catch (e) {
    runs.setStatus(runId, 'failed', e instanceof Error ? e.message : String(e));
    throw e;
  } finally {
    clearInterval(beat);
  }
}

async function run(job: Job): Promise<void> {
  const store = openStore(job.dbPath);
  try {
    await send({ type: 'done', status: await trainJob(store, job.runId, job.resume) });
  } catch (e) {
    await send({ type: 'error', error: toErrorData(e) });
  } finally {
    store.close();
  }
}

channel.onMessage((message) => {
  const m = message as ToWorker;
  if (m.type === 'start') void run(m.job).finally(() => process.exit(0));
  else if (m.type === 'cancel') ctl.abort();
  else handleInference(m, send, channel);
});
// The parent went away (the app quit): stop at the next step, save, and leave the run resumable.
channel.onParentGone(() => {
  parentGone = true;
  ctl.abort();
  // The run stops at its next step with a checkpoint; should a job never get there, do not linger.
  setTimeout(() => process.exit(1), 5 * 60_000).unref();
});
void send({ type: 'ready', pid: process.pid });
