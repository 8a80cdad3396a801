// Imports a dataset file (Flickr8k, Karpathy, COCO, kohya metadata, JSONL, CSV, or a folder with
// split subfolders) with the folder import's rules: every image checked in full before anything is
// written, committed in batches of one transaction each, idempotent by content hash and caption
// text, every failure reported with a reason, progress, and cancellation. A dataset file that
// cannot be read at all (cut short, not UTF-8, not the format) is reported and nothing is imported.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { READ_CAPS, readBounded } from '../../files/bounded';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { AppError } from '../../../shared/result';
import type { DatasetImportArgs, ImportReport, ImportWarning, Split } from '../../../shared/types';
import type { Store } from '../../db/index';
import { flushOrStop, readSidecars } from '../folder';
import { decodeSidecar } from '../sidecar';
import {
  checkImageFile,
  cleanCaptions,
  commitItems,
  countOutcomes,
  failureOf,
  isDiskFull,
  newReport,
  type IngestItem,
} from '../ingest';
import { walkFolder } from '../walk';
import { parseCoco } from './coco';
import { parseFlickr8k, parseSplitLists, SPLIT_FILES } from './flickr8k';
import { countTopLevelKeys, readJson } from './json';
import { parseKarpathy } from './karpathy';
import { MAX_KOHYA_KEYS, parseKohya } from './kohya';
import { parseCsvDataset, parseJsonl } from './tabular';
import { splitOf, type DatasetEntry, type ParsedDataset } from './types';

export interface DatasetImportOptions extends Omit<DatasetImportArgs, 'jobId'> {
  thumbsDir: string;
  maxPixels?: number;
  signal?: AbortSignal;
  jobId?: string;
  batchSize?: number;
  onProgress?: (done: number, total: number, path: string) => void;
}

/**
 * Reads a dataset text file the way sidecars are read (UTF-8 with or without BOM, UTF-16 with a
 * BOM, else Latin-1 with a warning); a file that is binary or cannot be read is an error.
 */
async function readText(path: string, warnings: ImportWarning[]): Promise<string> {
  const bytes = await readBounded(path, READ_CAPS.dataset, 'dataset file');
  const dec = decodeSidecar(bytes);
  if (!dec.ok) throw new AppError('invalid_argument', `${path}: ${dec.message}`);
  if (dec.warning) warnings.push({ path, message: dec.warning });
  return dec.text;
}

/** Entries of a folder: every image under it, its split from the first subfolder (train/val|dev/test). */
async function parseFolder(
  root: string,
  signal?: AbortSignal,
): Promise<ParsedDataset & { entries: FolderEntry[] }> {
  const walked = await walkFolder(root, signal);
  const entries: FolderEntry[] = walked.images.map((path) => {
    const rel = relative(root, path);
    const first = rel.split(sep)[0];
    const split: Split | null = rel.includes(sep) ? splitOf(first) : null;
    return { ref: rel.split(sep).join('/'), candidates: [path], captions: [], split, sidecars: true };
  });
  return {
    entries,
    failed: walked.unreadable.map((u) => ({
      path: u.path,
      reason: 'unreadable' as const,
      message: `Could not read the folder: ${u.message}`,
    })),
    warnings: [],
    ignored: walked.ignored.length,
  };
}

interface FolderEntry extends DatasetEntry {
  /** Captions are in sidecars beside the image, read with the image. */
  sidecars?: boolean;
}

/** Reads and parses the dataset file; throws for a file that cannot be read at all. */
async function parseDataset(opts: DatasetImportOptions, file: string): Promise<ParsedDataset> {
  const f = opts.format;
  if (f === 'folder') return parseFolder(file, opts.signal);
  const read: ImportWarning[] = [];
  const parsed = await parseText(opts, file, await readText(file, read), read);
  parsed.warnings.unshift(...read);
  return parsed;
}

async function parseText(
  opts: DatasetImportOptions,
  file: string,
  text: string,
  read: ImportWarning[],
): Promise<ParsedDataset> {
  const f = opts.format;
  if (f === 'flickr8k') {
    const dir = dirname(file);
    const lists = [];
    for (const s of SPLIT_FILES) {
      const p = join(dir, s.name);
      if (existsSync(p)) lists.push({ ...s, text: await readText(p, read) });
    }
    const { splits, warnings } = parseSplitLists(lists);
    const parsed = parseFlickr8k(text, file, splits);
    parsed.warnings.unshift(...warnings);
    return parsed;
  }
  if (f === 'jsonl') return parseJsonl(text, file, opts);
  if (f === 'csv') return parseCsvDataset(text, file, opts);
  if (f === 'kohya' && countTopLevelKeys(text, MAX_KOHYA_KEYS) > MAX_KOHYA_KEYS)
    return {
      entries: [],
      failed: [
        {
          path: file,
          reason: 'malformed',
          message:
            `The metadata file has more than ${MAX_KOHYA_KEYS.toLocaleString('en')} image keys; nothing was ` +
            'imported from it. Split it into smaller files (or import the folder with its .txt sidecars).',
        },
      ],
      warnings: [],
    };
  const json = readJson(text);
  if (!json.ok)
    return {
      entries: [],
      failed: [
        {
          path: file,
          reason: json.truncated ? 'truncated' : 'malformed',
          message: json.truncated
            ? `The file is cut short (${json.message}); nothing was imported from it. Download or copy it again.`
            : `The file is not valid JSON (${json.message}); nothing was imported from it.`,
        },
      ],
      warnings: [],
    };
  if (f === 'karpathy') return parseKarpathy(json.value, file);
  if (f === 'coco') return parseCoco(json.value, file);
  return parseKohya(json.value, file);
}

/**
 * Where the images are when --images is not given: the file's folder, or a usual images folder
 * beside it or one level up (Flickr8k ships Flickr8k_text/ beside Flicker8k_Dataset/), whichever
 * holds the most of the first entries.
 */
export function guessImagesDir(file: string, entries: readonly DatasetEntry[]): string {
  const dir = dirname(file);
  const names = ['images', 'Images', 'Flicker8k_Dataset', 'Flickr8k_Dataset', 'Flickr30k_Dataset'];
  const options = [dir, ...names.map((n) => join(dir, n)), ...names.map((n) => join(dir, '..', n))];
  const sample = entries.slice(0, 20);
  let best = dir;
  let bestHits = 0;
  for (const d of options) {
    if (!existsSync(d)) continue;
    const hits = sample.filter((e) => locate(e, d) !== null).length;
    if (hits > bestHits) [best, bestHits] = [d, hits];
  }
  return resolve(best);
}

function locate(e: DatasetEntry, imagesDir: string): string | null {
  for (const c of e.candidates) {
    const p = isAbsolute(c) ? c : join(imagesDir, c);
    if (existsSync(p)) return p;
  }
  return null;
}

export async function importDataset(store: Store, opts: DatasetImportOptions): Promise<ImportReport> {
  const file = resolve(opts.path);
  const st = await stat(file).catch(() => null);
  if (!st) throw new AppError('not_found', `There is no ${file}; check the path.`);
  if (!st.isDirectory() && !st.isFile())
    throw new AppError(
      'invalid_argument',
      `${file} is not a regular file or a folder; give the dataset file.`,
    );
  if (opts.format === 'folder' ? !st.isDirectory() : !st.isFile())
    throw new AppError(
      'invalid_argument',
      opts.format === 'folder'
        ? `${file} is a file; give the folder that holds the images.`
        : `${file} is a folder; give the ${opts.format} annotation file.`,
    );
  const report = newReport(opts.jobId ?? `import-${Date.now().toString(36)}`, file);
  const aborted = () => opts.signal?.aborted ?? false;

  let parsed: ParsedDataset;
  try {
    parsed = await parseDataset(opts, file);
  } catch (e) {
    if (!aborted()) throw e;
    report.cancelled = true;
    return report;
  }
  const imagesDir =
    opts.images !== undefined
      ? resolve(opts.images)
      : opts.format === 'folder'
        ? file
        : guessImagesDir(file, parsed.entries);
  report.failed.push(...parsed.failed);
  report.warnings.push(...parsed.warnings);
  report.scanned = parsed.entries.length;
  report.ignored = parsed.ignored ?? 0;
  const status = opts.status ?? 'approved';
  const batchSize = opts.batchSize ?? 64;
  let pending: IngestItem[] = [];
  const flush = () => {
    countOutcomes(report, commitItems(store, pending, opts.collection ?? null));
    pending = [];
  };
  const total = parsed.entries.length;
  for (let i = 0; i < total; i++) {
    if (aborted()) {
      report.cancelled = true;
      break;
    }
    const e: FolderEntry = parsed.entries[i];
    const path = locate(e, imagesDir);
    if (!path) {
      report.failed.push({
        path: e.ref,
        reason: 'missing',
        message: `The image ${e.ref} is not in ${imagesDir}; give the images folder with --images.`,
      });
    } else {
      try {
        const img = await checkImageFile(path, { thumbsDir: opts.thumbsDir, maxPixels: opts.maxPixels });
        let captions = e.captions;
        if (e.sidecars) {
          const sc = await readSidecars(path);
          report.warnings.push(...sc.warnings);
          report.failed.push(...sc.failed);
          captions = sc.captions;
        }
        captions = cleanCaptions(captions, path, report);
        pending.push({
          path,
          hash: img.hash,
          width: img.width,
          height: img.height,
          split: e.split ?? opts.split ?? null,
          captions,
          status,
        });
      } catch (err) {
        report.failed.push(failureOf(path, err));
        if (isDiskFull(err)) break;
      }
    }
    if (pending.length >= batchSize && !flushOrStop(flush, report, e.ref)) return report;
    opts.onProgress?.(i + 1, total, e.ref);
  }
  flushOrStop(flush, report, file);
  return report;
}
