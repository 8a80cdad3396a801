// Import services: folder import and the shapes dataset as cancellable jobs that report progress
// on the event bus, and `jobs.cancel`.
import { randomUUID } from 'node:crypto';
import type { ApiMethods } from '../../shared/api';
import { AppError } from '../../shared/result';
import type { Store } from '../db/index';
import { importFolder } from '../datasets/folder';
import { generateShapesDataset } from '../datasets/shapes/generate';
import { thumbsDirFor } from '../images/thumbs';
import type { EventBus } from './events';
import { resolve, sep } from 'node:path';
import { tidyDropReport } from './dropped';
import { uploadsDirFor } from './uploads';

type Handlers<M extends keyof ApiMethods> = {
  [K in M]: (args: ApiMethods[K]['args']) => Promise<ApiMethods[K]['result']> | ApiMethods[K]['result'];
};

/** Running jobs by id, each with the AbortController that cancels it. */
export class Jobs {
  private readonly running = new Map<string, AbortController>();

  start(jobId: string = randomUUID()): { jobId: string; signal: AbortSignal; end(): void } {
    if (this.running.has(jobId)) throw new AppError('conflict', `A job with id ${jobId} is running already.`);
    const ctl = new AbortController();
    this.running.set(jobId, ctl);
    return { jobId, signal: ctl.signal, end: () => this.running.delete(jobId) };
  }

  cancel(jobId: string): boolean {
    const ctl = this.running.get(jobId);
    if (!ctl) return false;
    ctl.abort();
    return true;
  }
}

export function importsService(
  store: Store,
  bus: EventBus,
  jobs: Jobs,
): Handlers<'import.folder' | 'datasets.shapes' | 'jobs.cancel'> {
  const thumbsDir = thumbsDirFor(store.path);
  const uploads = uploadsDirFor(store.path);
  const progress = (jobId: string, kind: string) => (done: number, total: number, message: string) =>
    bus.emit('job.progress', { jobId, kind, done, total, message });
  return {
    'import.folder': async ({ path, collection, status, jobId }) => {
      const job = jobs.start(jobId);
      try {
        const report = await importFolder(store, path, {
          thumbsDir,
          collection: collection ?? null,
          status,
          signal: job.signal,
          jobId: job.jobId,
          onProgress: progress(job.jobId, 'import'),
        });
        bus.emit('library.changed', { imageIds: null });
        // A batch of dropped files: reported by the names dropped, what was not imported removed.
        const batch = resolve(path);
        return batch.startsWith(uploads + sep) ? tidyDropReport(batch, report) : report;
      } finally {
        job.end();
      }
    },
    'datasets.shapes': async ({ count, seed, size }) => {
      const job = jobs.start();
      try {
        const report = await generateShapesDataset(store, {
          count,
          seed,
          size,
          thumbsDir,
          signal: job.signal,
          jobId: job.jobId,
          onProgress: progress(job.jobId, 'shapes'),
        });
        bus.emit('library.changed', { imageIds: null });
        return report;
      } catch (e) {
        if (job.signal.aborted)
          throw new AppError('cancelled', 'The shapes dataset was cancelled; run it again to finish.');
        throw e;
      } finally {
        job.end();
      }
    },
    'jobs.cancel': ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
  };
}
