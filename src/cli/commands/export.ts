// `caption-studio export --format F --out DIR`: writes library images and their chosen captions as
// a dataset folder (sidecars, Flickr8k, Karpathy, COCO, COCO results, kohya, JSONL, CSV).
import type { Command } from '../command';
import { parse, UsageError } from '../command';
import { dbOption, openCore, progressBar } from '../common';
import type { DatasetExportArgs, ExportFormat, ExportReport, Split } from '../../shared/types';

const FORMATS: ExportFormat[] = [
  'folder',
  'flickr8k',
  'karpathy',
  'coco',
  'coco-results',
  'kohya',
  'jsonl',
  'csv',
];
const CAPTIONS = ['approved', 'all', 'draft', 'rejected'];

export function printExport(r: ExportReport, out: (line: string) => void = console.log): void {
  out(`Wrote ${r.images} images and ${r.captions} captions as ${r.format} to ${r.out}.`);
  if (r.replacedTo) out(`The earlier export there was moved to ${r.replacedTo}.`);
  for (const s of r.skipped) out(`  skipped: ${s.path}: ${s.message}`);
}

export const exportCmd: Command = {
  name: 'export',
  summary: 'Export images and captions as a dataset folder in a standard format',
  usage:
    'export --format folder|flickr8k|karpathy|coco|coco-results|kohya|jsonl|csv --out DIR [--db FILE]\n' +
    '       [--captions approved|all|draft|rejected] [--split train|val|test] [--collection NAME] [--link]\n' +
    '       [--include-uncaptioned] [--force] [--csv-raw] [--json]\n' +
    '  Approved captions only by default. Images are copied (--link: hard-linked where possible). The folder\n' +
    '  is written beside DIR and renamed into place, with a .caption-studio-export marker. --force\n' +
    '  replaces only an earlier export (one with the marker), moving it to DIR.replaced-YYYYMMDD-HHMMSS;\n' +
    '  DIR may not be /, your home folder, the library folder or a folder holding a library photo.\n' +
    "  CSV cells starting with = + - @ TAB or CR are written with a leading ' (spreadsheets then show them\n" +
    '  as text; import takes it off); --csv-raw writes them as they are.\n' +
    '  Sidecar and Flickr8k lines hold one caption each: a caption with a line break, edge spaces, or wrapped\n' +
    '  in double quotes is written as a JSON string literal, which `import --format` reads back exactly.',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      ...dbOption,
      format: { type: 'string' },
      out: { type: 'string' },
      captions: { type: 'string', default: 'approved' },
      split: { type: 'string' },
      collection: { type: 'string' },
      link: { type: 'boolean' },
      'include-uncaptioned': { type: 'boolean' },
      force: { type: 'boolean' },
      'csv-raw': { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (positionals.length)
      throw new UsageError(`Unexpected argument '${positionals[0]}'; give the folder with --out.`);
    if (!values.format || !FORMATS.includes(values.format as ExportFormat))
      throw new UsageError(
        `--format is one of ${FORMATS.join(', ')}${values.format ? ` (got '${values.format}')` : ''}.`,
      );
    if (!values.out) throw new UsageError('Give the output folder with --out DIR.');
    if (!CAPTIONS.includes(values.captions!))
      throw new UsageError(`--captions is one of ${CAPTIONS.join(', ')} (got '${values.captions}').`);
    if (values.split !== undefined && !['train', 'val', 'test'].includes(values.split))
      throw new UsageError(`--split is train, val or test (got '${values.split}').`);
    const core = openCore(values.db);
    const bar = progressBar('export');
    const jobId = `cli-export-${process.pid}`;
    const off = core.bus.on('job.progress', (p) => p.jobId === jobId && bar.update(p.done, p.total));
    const onSigint = () => void core.dispatch('jobs.cancel', { jobId });
    process.once('SIGINT', onSigint);
    try {
      let collectionId: number | undefined;
      if (values.collection !== undefined) {
        const c = core.store.collections.list().find((x) => x.name === values.collection);
        if (!c) {
          console.error(`error (not_found): There is no collection '${values.collection}'.`);
          return 1;
        }
        collectionId = c.id;
      }
      const args: DatasetExportArgs = {
        format: values.format as ExportFormat,
        out: values.out,
        captions: values.captions as DatasetExportArgs['captions'],
        split: values.split as Split | undefined,
        collectionId,
        images: values.link ? 'link' : 'copy',
        includeUncaptioned: values['include-uncaptioned'] ?? false,
        force: values.force ?? false,
        csvRaw: values['csv-raw'] ?? false,
        jobId,
      };
      const r = await core.dispatch('export.dataset', args);
      bar.end();
      if (!r.ok) {
        console.error(`error (${r.error.code}): ${r.error.message}`);
        return r.error.code === 'cancelled' ? 130 : 1;
      }
      if (values.json) console.log(JSON.stringify(r.value, null, 2));
      else printExport(r.value);
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
      off();
      core.close();
    }
  },
};
