// `caption-studio import DIR`: imports a folder of images with their caption sidecars, with a
// progress bar; Ctrl+C cancels cleanly (what was committed stays; re-running continues).
// `import --format F FILE [--images DIR]` imports a dataset file (Flickr8k, Karpathy, COCO, ...).
import type { Command } from '../command';
import { parse, UsageError } from '../command';
import { dbOption, openCore, progressBar } from '../common';
import type { CaptionStatus, DatasetFormat, ImportReport, Split } from '../../shared/types';

const STATUSES = ['draft', 'approved', 'rejected'];
const FORMATS: DatasetFormat[] = ['folder', 'flickr8k', 'karpathy', 'coco', 'kohya', 'jsonl', 'csv'];

export function printReport(r: ImportReport, out: (line: string) => void = console.log): void {
  out(
    `${r.cancelled ? 'Cancelled: ' : ''}${r.scanned} image files: ${r.added} added, ${r.relinked} relinked, ` +
      `${r.unchanged} already in the library, ${r.failed.length} failed; ${r.captionsAdded} captions added` +
      (r.captionsTrimmed ? `; ${r.captionsTrimmed} captions trimmed of spaces at either end` : '') +
      (r.ignored ? `; ${r.ignored} other files ignored` : '') +
      '.',
  );
  for (const w of r.warnings) out(`  warning: ${w.path}: ${w.message}`);
  for (const f of r.failed) out(`  failed (${f.reason}): ${f.path}: ${f.message}`);
}

export const importCmd: Command = {
  name: 'import',
  summary: 'Import a folder of images with sidecar captions, or a dataset file (--format)',
  usage:
    'import DIR [--db FILE] [--collection NAME] [--status approved|draft|rejected] [--json]\n' +
    '       import --format folder|flickr8k|karpathy|coco|kohya|jsonl|csv FILE [--images DIR] [--split train|val|test]\n' +
    '              [--file-field NAME] [--caption-field NAME] [--db FILE] [--collection NAME] [--status S] [--json]\n' +
    '  FILE: Flickr8k.token.txt (split lists beside it), dataset_*.json, captions_*.json, metadata.json, *.jsonl, *.csv;\n' +
    '  for folder, a folder whose train/ val/ test/ subfolders give the split. Images are looked up in --images\n' +
    "  (default: the file's folder, or an images/Flicker8k_Dataset folder beside or above it). Karpathy's\n" +
    '  restval split is read as train; Flickr8k dev as val; an image in two Flickr8k lists goes to the first of\n' +
    '  test, val, train (reported). A sidecar or token line holding a JSON string literal is that string.',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      ...dbOption,
      collection: { type: 'string' },
      status: { type: 'string', default: 'approved' },
      json: { type: 'boolean' },
      format: { type: 'string' },
      images: { type: 'string' },
      split: { type: 'string' },
      'file-field': { type: 'string' },
      'caption-field': { type: 'string' },
    });
    if (positionals.length !== 1)
      throw new UsageError(
        values.format ? 'Give exactly one dataset file to import.' : 'Give exactly one folder to import.',
      );
    if (values.format !== undefined && !FORMATS.includes(values.format as DatasetFormat))
      throw new UsageError(`--format is one of ${FORMATS.join(', ')} (got '${values.format}').`);
    if (values.split !== undefined && !['train', 'val', 'test'].includes(values.split))
      throw new UsageError(`--split is train, val or test (got '${values.split}').`);
    if (!values.format && (values.images || values.split || values['file-field'] || values['caption-field']))
      throw new UsageError('--images, --split, --file-field and --caption-field go with --format.');
    if (!STATUSES.includes(values.status!))
      throw new UsageError(`--status is one of ${STATUSES.join(', ')} (got '${values.status}').`);
    const core = openCore(values.db);
    const bar = progressBar('import');
    const jobId = `cli-import-${process.pid}`;
    const off = core.bus.on('job.progress', (p) => p.jobId === jobId && bar.update(p.done, p.total));
    const onSigint = () => void core.dispatch('jobs.cancel', { jobId });
    process.once('SIGINT', onSigint);
    try {
      const common = {
        path: positionals[0],
        collection: values.collection,
        status: values.status as CaptionStatus,
        jobId,
      };
      const r = values.format
        ? await core.dispatch('import.dataset', {
            ...common,
            format: values.format as DatasetFormat,
            images: values.images,
            split: values.split as Split | undefined,
            fileField: values['file-field'],
            captionField: values['caption-field'],
          })
        : await core.dispatch('import.folder', common);
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
