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
import type { CaptionStatus, ImportFailure, ImportReport, ImportWarning } from '../../shared/types';
import type { Store } from '../db/index';
import { BoundedReadError, READ_CAPS, readBounded } from '../files/bounded';
import { decodeCaptionLine } from './formats/lines';
import {
  checkImageFile,
  cleanCaptions,
  commitItems,
  countOutcomes,
  diskFullFailure,
  failureOf,
  isDiskFull,
  newReport,
  type IngestItem,
} from './ingest';
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

/**
 * Reads the sidecars of an image: captions (one per line, the line escape decoded, in file order,
 * not yet trimmed: the import's caption rule does that and counts it), warnings, and sidecars that
 * could not be read (binary, a device or FIFO, too large). A bad sidecar never keeps its image out
 * of the library: the image is imported and the sidecar reported.
 */
export async function readSidecars(
  imagePath: string,
): Promise<{ captions: string[]; warnings: ImportWarning[]; failed: ImportFailure[] }> {
  const captions: string[] = [];
  const warnings: ImportWarning[] = [];
  const failed: ImportFailure[] = [];
  const without = 'The image was imported without the captions of this file.';
  for (const path of sidecarCandidates(imagePath)) {
    if (!existsSync(path)) continue;
    let bytes: Uint8Array;
    try {
      bytes = await readBounded(path, READ_CAPS.sidecar, 'caption file');
    } catch (e) {
      const reason = e instanceof BoundedReadError && e.reason === 'too-large' ? 'too-large' : 'unreadable';
      failed.push({ path, reason, message: `${(e as Error).message} ${without}` });
      continue;
    }
    const dec = decodeSidecar(bytes);
    if (!dec.ok) {
      failed.push({ path, reason: 'encoding', message: `Caption file ${path}: ${dec.message} ${without}` });
      continue;
    }
    if (dec.warning) warnings.push({ path, message: dec.warning });
    for (const line of splitCaptions(dec.text)) {
      const c = decodeCaptionLine(line);
      if (!captions.includes(c)) captions.push(c);
    }
  }
  return { captions, warnings, failed };
}

/**
 * Commits the pending items; when the disk (or the database) is full, the failure goes into the
 * report and false is returned so the import stops, rather than an error that hides the report.
 */
export function flushOrStop(flush: () => void, report: ImportReport, path: string): boolean {
  try {
    flush();
    return true;
  } catch (e) {
    if (!isDiskFull(e)) throw e;
    report.failed.push(diskFullFailure(path, e));
    return false;
  }
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
      const sc = await readSidecars(path);
      report.warnings.push(...sc.warnings);
      report.failed.push(...sc.failed);
      const captions = cleanCaptions(sc.captions, path, report);
      pending.push({ path, hash: img.hash, width: img.width, height: img.height, captions, status });
    } catch (e) {
      report.failed.push(failureOf(path, e));
      if (isDiskFull(e)) break;
    }
    if (pending.length >= batchSize && !flushOrStop(flush, report, path)) return report;
    opts.onProgress?.(i + 1, total, path);
  }
  flushOrStop(flush, report, root);
  return report;
}
