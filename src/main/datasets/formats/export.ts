// Exports library images with their chosen captions to a dataset folder in one of the formats.
// Atomic: everything is written into a temporary folder beside the output and renamed into place
// at the end, so a failed or cancelled export leaves no half-written output.
//
// Nothing the user made is deleted: every export writes a marker file (EXPORT_MARKER), and with
// `force` only a folder holding that marker (an earlier export) is replaced, by moving it to a
// dated backup beside it (`<out>.replaced-YYYYMMDD-HHMMSS`), never by deleting it. An output that is
// `/`, the home folder, or that is or holds the library's folder or an imported image is refused.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  copyFile,
  link,
  mkdir,
  readdir,
  realpath,
  rename,
  rm,
  rmdir,
  stat,
  writeFile,
} from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, extname, join, parse as parsePath, relative, resolve, sep } from 'node:path';
import { AppError } from '../../../shared/result';
import type { Caption, DatasetExportArgs, ExportFormat, ExportReport } from '../../../shared/types';
import type { Store } from '../../db/index';
import { writeCoco, writeCocoResults } from './coco';
import { writeFlickr8k } from './flickr8k';
import { writeKarpathy } from './karpathy';
import { writeKohya } from './kohya';
import { encodeCaptionLine } from './lines';
import { safeName, uniqueNames } from './names';
import { writeCsvDataset, writeJsonl } from './tabular';
import type { ExportFile, ExportImage } from './types';

export interface DatasetExportOptions extends Omit<DatasetExportArgs, 'jobId'> {
  signal?: AbortSignal;
  jobId?: string;
  onProgress?: (done: number, total: number, path: string) => void;
}

/** Folder format: images under `<split>/` (unsplit at the top), a `.txt` sidecar with one caption per line. */
function imagePathIn(format: ExportFormat, img: ExportImage): string {
  return format === 'folder' && img.split ? `${img.split}/${img.name}` : img.name;
}

function writeFolder(images: readonly ExportImage[]): ExportFile[] {
  return images
    .filter((i) => i.captions.length > 0)
    .map((i) => {
      const path = imagePathIn('folder', i);
      return {
        name: path.slice(0, path.length - extname(path).length) + '.txt',
        text: i.captions.map((c) => encodeCaptionLine(c) + '\n').join(''),
      };
    });
}

const WRITERS: Record<
  ExportFormat,
  (images: readonly ExportImage[], opts: { raw?: boolean }) => ExportFile[]
> = {
  folder: writeFolder,
  flickr8k: writeFlickr8k,
  karpathy: writeKarpathy,
  coco: writeCoco,
  'coco-results': writeCocoResults,
  kohya: writeKohya,
  jsonl: writeJsonl,
  csv: writeCsvDataset,
};

const keep = (c: Caption, which: DatasetExportArgs['captions']) =>
  (which ?? 'approved') === 'all' || c.status === (which ?? 'approved');

/** The library images an export covers, with their chosen captions and export names, in name order. */
function select(
  store: Store,
  opts: DatasetExportOptions,
): { rows: Array<ExportImage & { path: string; hash: string }>; skipped: ExportReport['skipped'] } {
  const rows: Array<ExportImage & { path: string; hash: string }> = [];
  const skipped: ExportReport['skipped'] = [];
  const withEmpty = opts.includeUncaptioned === true && opts.format !== 'coco-results';
  for (let offset = 0; ;) {
    const page = store.images.list({
      split: opts.split,
      collectionId: opts.collectionId,
      offset,
      limit: 1000,
    });
    const caps = store.captions.ofImages(page.ids);
    for (const img of page.images) {
      const captions = (caps.get(img.id) ?? []).filter((c) => keep(c, opts.captions)).map((c) => c.text);
      if (captions.length === 0 && !withEmpty) continue;
      if (!existsSync(img.path)) {
        skipped.push({
          path: img.path,
          message: `The file of image ${img.id} is gone; relink it by importing its folder again.`,
        });
        continue;
      }
      rows.push({ ...img, name: '', captions });
    }
    offset += page.images.length;
    if (page.images.length === 0 || offset >= page.total) break;
  }
  // Names and order depend only on file names and content, not on library ids: a clash is won by
  // the smaller hash, and rows are written in name order, so exporting an imported export again
  // gives the same files.
  const key = (r: { path: string; hash: string }) => `${safeName(r.path)}\u0000${r.hash}`;
  rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const names = uniqueNames(rows);
  rows.forEach((r, i) => (r.name = names[i]));
  rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { rows, skipped };
}

/** The file every export writes at the top of its folder; only a folder holding it is ever replaced. */
export const EXPORT_MARKER = '.caption-studio-export';

/** `inner` is `outer` or inside it. */
const within = (outer: string, inner: string): boolean => {
  const r = relative(outer, inner);
  return r === '' || (!r.startsWith('..') && !r.startsWith(sep) && !parsePath(r).root);
};

/** The path with symbolic links resolved as far as it exists (the rest appended). */
async function realish(p: string): Promise<string> {
  const real = await realpath(p).catch(() => null);
  if (real) return real;
  const parent = dirname(p);
  return parent === p ? p : join(await realish(parent), basename(p));
}

/**
 * Refuses an output that would put the user's own files at risk, whatever `force` says: `/`, the
 * home folder, a folder that is or holds the library (database, thumbnails, runs), or one that
 * holds an imported image.
 */
async function refuseUnsafeOut(store: Store, out: string): Promise<void> {
  const outs = [...new Set([out, await realish(out)])];
  const refuse = (why: string) =>
    new AppError(
      'invalid_argument',
      `Refusing to export into ${out}: ${why}. Choose a new or empty folder, or one an earlier export made.`,
    );
  const homes = [...new Set([homedir(), await realish(homedir())])];
  for (const o of outs) {
    if (parsePath(o).root === o) throw refuse('it is the root of the file system');
    for (const h of homes) if (within(o, h)) throw refuse(`it ${o === h ? 'is' : 'holds'} your home folder`);
  }
  if (store.path !== ':memory:') {
    const lib = dirname(resolve(store.path));
    for (const l of new Set([lib, await realish(lib)]))
      for (const o of outs)
        if (within(o, l)) throw refuse(`it ${o === l ? 'is' : 'holds'} the library's folder ${l}`);
  }
  for (const o of outs) {
    const img = store.images.pathUnder(o, sep);
    if (img) throw refuse(`it holds ${img}, a photo in the library`);
  }
}

/**
 * What to do with the output: write it (absent), write into it (an empty folder), or replace an
 * earlier export (with `force`). Anything else is refused and left as it is.
 */
async function checkOut(store: Store, out: string, force: boolean): Promise<'absent' | 'empty' | 'replace'> {
  await refuseUnsafeOut(store, out);
  const st = await stat(out).catch(() => null);
  if (!st) return 'absent';
  if (!st.isDirectory())
    throw new AppError('conflict', `${out} is a file, not a folder; choose another --out.`);
  if ((await readdir(out)).length === 0) return 'empty';
  const fromExport = existsSync(join(out, EXPORT_MARKER));
  if (!fromExport)
    throw new AppError(
      'conflict',
      `${out} is not empty and was not made by an export (it has no ${EXPORT_MARKER}), so it is never ` +
        'replaced, even with --force; choose a new or empty folder.',
    );
  if (!force)
    throw new AppError(
      'conflict',
      `${out} holds an earlier export; choose another --out, or pass --force to replace it ` +
        '(the earlier export is moved to a dated backup beside it, not deleted).',
    );
  return 'replace';
}

export async function exportDataset(store: Store, opts: DatasetExportOptions): Promise<ExportReport> {
  const out = resolve(opts.out);
  const state = await checkOut(store, out, opts.force === true);
  const { rows, skipped } = select(store, opts);
  const files = WRITERS[opts.format](rows, { raw: opts.csvRaw === true });
  const report: ExportReport = {
    jobId: opts.jobId ?? `export-${Date.now().toString(36)}`,
    format: opts.format,
    out,
    images: rows.length,
    captions: rows.reduce(
      (n, r) => n + (opts.format === 'coco-results' ? Math.min(1, r.captions.length) : r.captions.length),
      0,
    ),
    files: files.map((f) => f.name),
    skipped,
    replacedTo: null,
  };
  await mkdir(dirname(out), { recursive: true });
  const tmp = join(dirname(out), `.${basename(out)}.tmp-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(tmp);
    const marker = { tool: 'caption-studio', format: opts.format, exportedAt: new Date().toISOString() };
    await writeFile(join(tmp, EXPORT_MARKER), JSON.stringify(marker) + '\n');
    for (const f of files) {
      await mkdir(dirname(join(tmp, f.name)), { recursive: true });
      await writeFile(join(tmp, f.name), f.text);
    }
    if (opts.format !== 'coco-results') {
      for (let i = 0; i < rows.length; i++) {
        if (opts.signal?.aborted)
          throw new AppError('cancelled', 'The export was cancelled; nothing was written.');
        const rel = imagePathIn(opts.format, rows[i]);
        const dest = join(tmp, rel);
        await mkdir(dirname(dest), { recursive: true });
        await placeImage(rows[i].path, dest, opts.images ?? 'copy');
        report.files.push(rel);
        opts.onProgress?.(i + 1, rows.length, rel);
      }
    }
    if (opts.signal?.aborted)
      throw new AppError('cancelled', 'The export was cancelled; nothing was written.');
    report.replacedTo = await swapInto(tmp, out, state);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return report;
}

/** Hard link where the file system allows it (same volume), else a copy. */
async function placeImage(src: string, dest: string, mode: 'copy' | 'link'): Promise<void> {
  if (mode === 'link') {
    try {
      await link(src, dest);
      return;
    } catch {
      // EXDEV (another volume) or a file system without hard links: copy instead.
    }
  }
  await copyFile(src, dest);
}

/** `<out>.replaced-YYYYMMDD-HHMMSS` (with `-2`, `-3`… when taken): where a replaced export goes. */
async function backupPath(out: string, now = new Date()): Promise<string> {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp =
    `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-` +
    `${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  for (let n = 1; ; n++) {
    const candidate = `${out}.replaced-${stamp}${n > 1 ? `-${n}` : ''}`;
    if (!(await stat(candidate).catch(() => null))) return candidate;
  }
}

/**
 * Renames the finished folder into place. An earlier export being replaced is first moved to a
 * dated backup beside it, and kept; returns that backup's path (null when nothing was replaced).
 */
async function swapInto(
  tmp: string,
  out: string,
  state: 'absent' | 'empty' | 'replace',
): Promise<string | null> {
  if (state === 'empty') await rmdir(out);
  if (state !== 'replace') {
    await rename(tmp, out);
    return null;
  }
  const backup = await backupPath(out);
  await rename(out, backup);
  try {
    await rename(tmp, out);
  } catch (e) {
    await rename(backup, out);
    throw e;
  }
  return backup;
}
