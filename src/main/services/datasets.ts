// Dataset format services: `import.dataset` and `export.dataset` as cancellable jobs with progress
// on the event bus (cancelled through `jobs.cancel`, shared with the folder import).
import type { ApiMethods } from '../../shared/api';
import { AppError } from '../../shared/result';
import type { Store } from '../db/index';
import { exportDataset } from '../datasets/formats/export';
import { importDataset } from '../datasets/formats/import';
import { thumbsDirFor } from '../images/thumbs';
import type { EventBus } from './events';
import type { Jobs } from './imports';

type Handlers<M extends keyof ApiMethods> = {
  [K in M]: (args: ApiMethods[K]['args']) => Promise<ApiMethods[K]['result']>;
};

export function datasetsService(
  store: Store,
  bus: EventBus,
  jobs: Jobs,
): Handlers<'import.dataset' | 'export.dataset'> {
  const progress = (jobId: string, kind: string) => (done: number, total: number, message: string) =>
    bus.emit('job.progress', { jobId, kind, done, total, message });
  return {
    'import.dataset': async (args) => {
      const job = jobs.start(args.jobId);
      try {
        const report = await importDataset(store, {
          ...args,
          thumbsDir: thumbsDirFor(store.path),
          signal: job.signal,
          jobId: job.jobId,
          onProgress: progress(job.jobId, 'import'),
        });
        bus.emit('library.changed', { imageIds: null });
        return report;
      } finally {
        job.end();
      }
    },
    'export.dataset': async (args) => {
      if (
        args.collectionId !== undefined &&
        !store.collections.list().some((c) => c.id === args.collectionId)
      )
        throw new AppError('not_found', `There is no collection ${args.collectionId}; see collections.list.`);
      const job = jobs.start(args.jobId);
      try {
        return await exportDataset(store, {
          ...args,
          signal: job.signal,
          jobId: job.jobId,
          onProgress: progress(job.jobId, 'export'),
        });
      } finally {
        job.end();
      }
    },
  };
}
