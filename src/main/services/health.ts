// `library.health`: the dataset health report for the app's panel and the CLI, with the
// perceptual-hash pass as a cancellable job reporting progress.
import type { ApiMethods } from '../../shared/api';
import { AppError } from '../../shared/result';
import type { Store } from '../db/index';
import { jsonSyntaxMessage } from '../datasets/formats/json';
import { libraryHealth } from '../datasets/health';
import { READ_CAPS, readBounded } from '../files/bounded';
import { thumbsDirFor } from '../images/thumbs';
import { WordVocab } from '../text/vocab';
import type { EventBus } from './events';
import type { Jobs } from './imports';

/** A WordVocab from a JSON value or a file; a clear error when it is neither. */
export async function loadVocab(vocab: unknown, path: string | undefined): Promise<WordVocab | null> {
  let json = vocab;
  if (json === undefined && path !== undefined) {
    const text = (await readBounded(path, READ_CAPS.vocabulary, 'vocabulary')).toString('utf8');
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new AppError(
        'invalid_argument',
        `${path} is not JSON (${jsonSyntaxMessage(e, text)}); give a vocab.json saved with a model.`,
      );
    }
  }
  if (json === undefined) return null;
  try {
    return WordVocab.fromJSON(json);
  } catch (e) {
    throw new AppError(
      'invalid_argument',
      `${(e as Error).message}${path ? ` (${path})` : ''}; give the vocab.json of a CNN+LSTM model.`,
    );
  }
}

export function healthService(
  store: Store,
  bus: EventBus,
  jobs: Jobs,
): {
  'library.health': (
    args: ApiMethods['library.health']['args'],
  ) => Promise<ApiMethods['library.health']['result']>;
} {
  return {
    'library.health': async ({ vocab, vocabPath, threshold, jobId }) => {
      const words = await loadVocab(vocab, vocabPath);
      const job = jobs.start(jobId);
      try {
        return await libraryHealth(store, {
          thumbsDir: thumbsDirFor(store.path),
          vocab: words,
          threshold,
          signal: job.signal,
          onProgress: (done, total, message) =>
            bus.emit('job.progress', { jobId: job.jobId, kind: 'health', done, total, message }),
        });
      } catch (e) {
        if (job.signal.aborted)
          throw new AppError('cancelled', 'The health check was cancelled; hashes computed so far are kept.');
        throw e;
      } finally {
        job.end();
      }
    },
  };
}
