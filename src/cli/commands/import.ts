// `caption-studio import DIR`: imports a folder of images with their caption sidecars, with a
// progress bar; Ctrl+C cancels cleanly (what was committed stays; re-running continues).
import type { Command } from '../command';
import { parse, UsageError } from '../command';
import { dbOption, openCore, progressBar } from '../common';
import type { CaptionStatus, ImportReport } from '../../shared/types';

const STATUSES = ['draft', 'approved', 'rejected'];

export function printReport(r: ImportReport, out: (line: string) => void = console.log): void {
  out(
    `${r.cancelled ? 'Cancelled: ' : ''}${r.scanned} image files: ${r.added} added, ${r.relinked} relinked, ` +
      `${r.unchanged} already in the library, ${r.failed.length} failed; ${r.captionsAdded} captions added` +
      (r.ignored ? `; ${r.ignored} other files ignored` : '') +
      '.',
  );
  for (const w of r.warnings) out(`  warning: ${w.path}: ${w.message}`);
  for (const f of r.failed) out(`  failed (${f.reason}): ${f.path}: ${f.message}`);
}

export const importCmd: Command = {
  name: 'import',
  summary: 'Import a folder of images (recursive) with .txt/.caption sidecar captions',
  usage: 'import DIR [--db FILE] [--collection NAME] [--status approved|draft|rejected] [--json]',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      ...dbOption,
      collection: { type: 'string' },
      status: { type: 'string', default: 'approved' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError('Give exactly one folder to import.');
    if (!STATUSES.includes(values.status!))
      throw new UsageError(`--status is one of ${STATUSES.join(', ')} (got '${values.status}').`);
    const core = openCore(values.db);
    const bar = progressBar('import');
    const jobId = `cli-import-${process.pid}`;
    const off = core.bus.on('job.progress', (p) => p.jobId === jobId && bar.update(p.done, p.total));
    const onSigint = () => void core.dispatch('jobs.cancel', { jobId });
    process.once('SIGINT', onSigint);
    try {
      const r = await core.dispatch('import.folder', {
        path: positionals[0],
        collection: values.collection,
        status: values.status as CaptionStatus,
        jobId,
      });
      bar.end();
      if (!r.ok) {
        console.error(`error (${r.error.code}): ${r.error.message}`);
        return 1;
      }
      if (values.json) console.log(JSON.stringify(r.value, null, 2));
      else printReport(r.value);
      return r.value.cancelled ? 130 : r.value.failed.length ? 3 : 0;
    } finally {
      process.off('SIGINT', onSigint);
      off();
      core.close();
    }
  },
};
