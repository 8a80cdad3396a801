// Runs a user's regular expression over caption texts in a worker thread with a time budget, so a
// catastrophic pattern (nested repetition such as `^(a|a)+$` backtracks exponentially in
// JavaScript's engine) can neither freeze the server nor Electron's main process: the thread is
// terminated when the budget runs out or the job is cancelled, and the caller gets a clear error.
// The worker's code is a self-contained string (no bundling needed in Electron or the CLI).
import { Worker } from 'node:worker_threads';
import { AppError } from '../../shared/result';

/** How long one find & replace may match before it is stopped. */
export const REGEX_BUDGET_MS = 3000;

export interface RegexJob {
  source: string;
  flags: string;
  replacement: string;
  /** true: `$1`-style replacement patterns; false: the replacement taken literally. */
  patterns: boolean;
  texts: readonly string[];
}

const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { source, flags, replacement, patterns, texts } = workerData;
const re = new RegExp(source, flags);
const out = texts.map((t) => {
  re.lastIndex = 0;
  return patterns ? t.replace(re, replacement) : t.replace(re, () => replacement);
});
parentPort.postMessage(out);
`;

/** Every text after the replacement, in order; rejects after `budgetMs` or on `signal`. */
export function replaceInWorker(
  job: RegexJob,
  opts: { budgetMs?: number; signal?: AbortSignal } = {},
): Promise<string[]> {
  const budget = opts.budgetMs ?? REGEX_BUDGET_MS;
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted)
      return reject(new AppError('cancelled', 'Find & replace was cancelled; nothing was changed.'));
    const worker = new Worker(WORKER_CODE, {
      eval: true,
      workerData: { ...job, texts: [...job.texts] },
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      fn();
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new AppError(
              'invalid_argument',
              `The regular expression /${job.source}/ took more than ${budget / 1000} s over ` +
                `${job.texts.length} captions and was stopped: it backtracks without end on some text ` +
                '(nested repetition such as (a|a)+ or (a+)+). Simplify it; nothing was changed.',
            ),
          ),
        ),
      budget,
    );
    const onAbort = () =>
      finish(() => reject(new AppError('cancelled', 'Find & replace was cancelled; nothing was changed.')));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (out: string[]) => finish(() => resolve(out)));
    worker.once('error', (e) =>
      finish(() =>
        reject(new AppError('invalid_argument', `The regular expression failed: ${(e as Error).message}`)),
      ),
    );
    worker.once('exit', (code) =>
      finish(() =>
        reject(new AppError('internal', `The find & replace worker stopped (exit code ${code}).`)),
      ),
    );
  });
}
