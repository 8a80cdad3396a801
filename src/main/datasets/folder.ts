// Folder import: every image under a folder (recursive) with its caption sidecars, idempotent by
// content hash, a report of every failure, progress, and cancellation.
//
// Atomicity: each image with its captions is one item, read and checked in full before anything
// is written; items are committed in batches, each batch one transaction. A bad file never
// touches the library. On cancel, items read completely before the cancel are committed and the
// rest are not started (a re-run picks up where it stopped: the import is idempotent); no item
// is ever half-written.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { AppError } from '../../shared/result';
import type { CaptionStatus, ImportReport, ImportWarning } from '../../shared/types';
import type { Store } from '../db/index';
import { ImageError } from '../images/errors';
import { readBytes } from '../images/decode';
import { checkImageFile, commitItems, countOutcomes, failureOf, newReport, type IngestItem } from './ingest';
import { decodeSidecar, sidecarCandidates, splitCaptions } from './sidecar';
import { walkFolder } from './walk';

export interface FolderImportOptions {
  thumbsDir: string;
  /** Add every imported image to this collection (created when missing). */
  collection?: string | null;
  /**
   * Status of sidecar captions. Default 'approved': sidecars are usually the curated training
   * captions of a kohya/TagGUI dataset; pass 'draft' to review them first.
   */
  status?: CaptionStatus;
  maxPixels?: number;
  signal?: AbortSignal;
  jobId?: string;
  /** Items per transaction. */
  batchSize?: number;
  onProgress?: (done: number, total: number, path: string) => void;
}

/** Reads the sidecars of an image: captions (deduplicated, in file order) and warnings. */
export async function readSidecars(
  imagePath: string,
): Promise<{ captions: string[]; warnings: ImportWarning[] }> {
  const captions: string[] = [];
  const warnings: ImportWarning[] = [];
  for (const path of sidecarCandidates(imagePath)) {
    if (!existsSync(path)) continue;
    let bytes: Uint8Array;
    try {
      bytes = await readBytes(path);
    } catch (e) {
      throw new ImageError('unreadable', `Could not read the caption file ${path}: ${(e as Error).message}`);
    }
    const dec = decodeSidecar(bytes);
    if (!dec.ok) throw new ImageError('encoding', `Caption file ${path}: ${dec.message}`);
    if (dec.warning) warnings.push({ path, message: dec.warning });
    for (const c of splitCaptions(dec.text)) if (!captions.includes(c)) captions.push(c);
  }
  return { captions, warnings };
}

export async function importFolder(
  store: Store,
  dir: string,
  opts: FolderImportOptions,
): Promise<ImportReport> {
  const root = resolve(dir);
  const report = newReport(opts.jobId ?? `import-${Date.now().toString(36)}`, root);
  const st = await stat(root).catch(() => null);
  if (!st) throw new AppError('not_found', `There is no folder ${root}; check the path.`);
  if (!st.isDirectory())
    throw new AppError('invalid_argument', `${root} is a file; give the folder that holds the images.`);
  const status = opts.status ?? 'approved';
  const batchSize = opts.batchSize ?? 64;
  const aborted = () => opts.signal?.aborted ?? false;

  let walked;
  try {
    walked = await walkFolder(root, opts.signal);
  } catch (e) {
    if (!aborted()) throw e;
    report.cancelled = true;
    return report;
  }
  report.scanned = walked.images.length;
  report.ignored = walked.ignored.length;
  for (const u of walked.unreadable)
    report.failed.push({
      path: u.path,
      reason: 'unreadable',
      message: `Could not read the folder: ${u.message}`,
    });

  let pending: IngestItem[] = [];
  const flush = () => {
    countOutcomes(report, commitItems(store, pending, opts.collection ?? null));
    pending = [];
  };
  const total = walked.images.length;
  for (let i = 0; i < total; i++) {
    if (aborted()) {
      report.cancelled = true;
      break;
    }
    const path = walked.images[i];
    try {
      const img = await checkImageFile(path, { thumbsDir: opts.thumbsDir, maxPixels: opts.maxPixels });
      const { captions, warnings } = await readSidecars(path);
      report.warnings.push(...warnings);
      pending.push({ path, hash: img.hash, width: img.width, height: img.height, captions, status });
    } catch (e) {
      report.failed.push(failureOf(path, e));
    }
    if (pending.length >= batchSize) flush();
    opts.onProgress?.(i + 1, total, path);
  }
  flush();
  return report;
}
