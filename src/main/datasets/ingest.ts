// The pieces every importer shares (folder import, and later Flickr8k/Karpathy/COCO/CSV): hash a
// file, check it is an image we can read (making its thumbnail), add it with its captions
// idempotently, and keep the report with a reason category for every failure.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { AppError } from '../../shared/result';
import type {
  CaptionStatus,
  ImportFailure,
  ImportFailureReason,
  ImportReport,
  Split,
} from '../../shared/types';
import type { Store } from '../db/index';
import { ImageError } from '../images/errors';
import { probeImage, readBytes, type DecodeOptions } from '../images/decode';
import { ensureThumbnail } from '../images/thumbs';
import type { SniffedFormat } from '../images/sniff';

/** Content hash of a file: SHA-256, hex. The identity of an image in the library. */
export const hashBytes = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export interface CheckedImage {
  path: string;
  hash: string;
  format: SniffedFormat;
  /** As displayed (after EXIF orientation). */
  width: number;
  height: number;
}

export interface CheckOptions extends DecodeOptions {
  /** Where thumbnails go; making one decodes the whole file, which is the integrity check. */
  thumbsDir: string;
}

/**
 * Reads, hashes and validates an image file and makes its thumbnail. Throws ImageError (with a
 * reason category) for anything we would not import.
 */
export async function checkImageFile(path: string, opts: CheckOptions): Promise<CheckedImage> {
  const bytes = await readBytes(path);
  const info = await probeImage(bytes, opts);
  const hash = hashBytes(bytes);
  await ensureThumbnail(opts.thumbsDir, hash, bytes, opts);
  return { path, hash, ...info };
}

/** One image to add, with the captions that come with it. */
export interface IngestItem {
  path: string;
  hash: string;
  width: number;
  height: number;
  /** A split given by the dataset; kept when the image has none yet. */
  split?: Split | null;
  captions: string[];
  status: CaptionStatus;
}

export type IngestKind = 'added' | 'relinked' | 'unchanged';

export interface IngestOutcome {
  imageId: number;
  kind: IngestKind;
  captionsAdded: number;
}

/**
 * Adds one image and its captions; synchronous, meant to run inside the caller's transaction.
 * Idempotent: an image is matched by content hash; a caption is added only if the image has no
 * caption with exactly that text. A known image found at a new path is relinked when its old file
 * is gone, and left alone when the old file still exists (this is a second copy).
 */
export function ingestItem(
  store: Store,
  item: IngestItem,
  collectionId: number | null,
  pathExists: (p: string) => boolean = existsSync,
): IngestOutcome {
  const { image, created } = store.images.upsert({
    hash: item.hash,
    path: item.path,
    width: item.width,
    height: item.height,
    split: item.split ?? null,
  });
  let kind: IngestKind = created ? 'added' : 'unchanged';
  if (!created && image.path !== item.path && !pathExists(image.path)) {
    store.images.relink(image.id, item.path);
    kind = 'relinked';
  }
  if (!created && image.split === null && item.split) store.images.setSplit(image.id, item.split);
  const have = new Set(store.captions.ofImage(image.id).map((c) => c.text));
  let captionsAdded = 0;
  for (const text of item.captions) {
    if (have.has(text)) continue;
    have.add(text);
    store.captions.add({ imageId: image.id, text, status: item.status, source: 'human' }, null);
    captionsAdded++;
  }
  if (collectionId !== null) store.collections.addImages(collectionId, [image.id]);
  return { imageId: image.id, kind, captionsAdded };
}

/**
 * Commits items in one transaction: all of them or none. The collection (by name) is created in
 * the same transaction, so a failed import does not leave an empty collection behind.
 */
export function commitItems(store: Store, items: IngestItem[], collection: string | null): IngestOutcome[] {
  if (items.length === 0) return [];
  return store.transaction(
    () => {
      const collectionId = collection ? store.collections.ensure(collection) : null;
      return items.map((it) => ingestItem(store, it, collectionId));
    },
    { immediate: true },
  );
}

export function newReport(jobId: string, root: string): ImportReport {
  return {
    jobId,
    root,
    scanned: 0,
    added: 0,
    relinked: 0,
    unchanged: 0,
    captionsAdded: 0,
    failed: [],
    warnings: [],
    ignored: 0,
    cancelled: false,
    imageIds: [],
  };
}

/** Adds committed outcomes to a report. */
export function countOutcomes(report: ImportReport, outcomes: IngestOutcome[]): void {
  for (const o of outcomes) {
    report[o.kind]++;
    report.captionsAdded += o.captionsAdded;
    report.imageIds.push(o.imageId);
  }
}

/** A failure entry for a report from anything thrown while reading one item. */
export function failureOf(path: string, e: unknown): ImportFailure {
  if (e instanceof ImageError) return { path, reason: e.reason, message: e.message };
  const reason: ImportFailureReason = e instanceof AppError && e.code === 'io' ? 'unreadable' : 'corrupt';
  return { path, reason, message: e instanceof Error ? e.message : String(e) };
}
