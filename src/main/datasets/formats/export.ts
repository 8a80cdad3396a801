// Exports library images with their chosen captions to a dataset folder in one of the formats.
// Atomic: everything is written into a temporary folder beside the output and renamed into place
// at the end, so a failed or cancelled export leaves no half-written output, and an existing
// non-empty output is replaced only with `force`.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
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

const WRITERS: Record<ExportFormat, (images: readonly ExportImage[]) => ExportFile[]> = {
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

/** Fails unless `out` is absent, an empty folder, or `force` is given. */
async function checkOut(out: string, force: boolean): Promise<'absent' | 'empty' | 'replace'> {
  const st = await stat(out).catch(() => null);
  if (!st) return 'absent';
  if (st.isDirectory() && (await readdir(out)).length === 0) return 'empty';
  if (!force)
    throw new AppError(
      'conflict',
      `${out} exists and is not empty; choose another --out, or pass --force to replace it.`,
    );
  return 'replace';
}

export async function exportDataset(store: Store, opts: DatasetExportOptions): Promise<ExportReport> {
  const out = resolve(opts.out);
  const state = await checkOut(out, opts.force === true);
  const { rows, skipped } = select(store, opts);
  const files = WRITERS[opts.format](rows);
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
  };
  await mkdir(dirname(out), { recursive: true });
  const tmp = join(dirname(out), `.${basename(out)}.tmp-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(tmp);
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
    await swapInto(tmp, out, state);
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

/** Renames the finished folder into place; an old output is moved aside first and removed after. */
async function swapInto(tmp: string, out: string, state: 'absent' | 'empty' | 'replace'): Promise<void> {
  if (state === 'empty') await rmdir(out);
  if (state !== 'replace') return rename(tmp, out);
  const old = `${tmp}.old`;
  await rename(out, old);
  try {
    await rename(tmp, out);
  } catch (e) {
    await rename(old, out);
    throw e;
  }
  await rm(old, { recursive: true, force: true });
}
