// Dataset health: exact and near-duplicate images, duplicates that leak across train/val/test,
// caption length distribution, vocabulary size, OOV rate against a trained vocabulary, and images
// still without an approved caption. For the `health` command and the app's health panel.
//
// Hashes are computed once per image and stored (image_phash). The dHash is taken from the
// image's 256 px thumbnail (made if missing): decoding a thumbnail costs milliseconds where a
// 12 MP original costs a tenth of a second, and an image whose original has moved can still be
// checked. Only images whose dHash equals another's have their original decoded for the pixel
// hash that proves an exact duplicate.
import { existsSync } from 'node:fs';
import type { DuplicateGroup, HealthReport, ImportWarning, Split } from '../../shared/types';
import type { Store } from '../db/index';
import type { HashRow } from '../db/phash';
import { decodeFile, readBytes } from '../images/decode';
import { ensureThumbnail, thumbPath } from '../images/thumbs';
import type { WordVocab } from '../text/vocab';
import { lengthStats, oovRate, vocabularySize } from './health-stats';
import { DEFAULT_PHASH_THRESHOLD, dhash, featureless, hamming, nearGroups, pixelHash } from './phash';

export interface HealthOptions {
  /** The library's thumbnails folder (thumbsDirFor(store.path)). */
  thumbsDir: string;
  vocab?: WordVocab | null;
  threshold?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, path: string) => void;
  /** How many image ids `withoutApproved` lists. */
  listLimit?: number;
}

/**
 * Computes the dHash of images that have none yet, from their thumbnails. An image with neither
 * its file nor its thumbnail is returned as a warning and tried again next time.
 */
export async function ensureHashes(
  store: Store,
  opts: Pick<HealthOptions, 'thumbsDir' | 'signal' | 'onProgress'>,
): Promise<ImportWarning[]> {
  const repo = store.phash;
  const todo = repo.missing();
  const warnings: ImportWarning[] = [];
  for (let i = 0; i < todo.length; i++) {
    opts.signal?.throwIfAborted();
    const { id, path, hash } = todo[i];
    if (!existsSync(path) && !existsSync(thumbPath(opts.thumbsDir, hash))) {
      warnings.push({
        path,
        message: `The file of image ${id} is gone; import its folder again to relink it.`,
      });
    } else {
      try {
        const thumb = await ensureThumbnail(opts.thumbsDir, hash, () => readBytes(path));
        repo.put(id, dhash(await decodeFile(thumb.path)), Date.now());
      } catch (e) {
        warnings.push({ path, message: `Could not read image ${id}: ${(e as Error).message}` });
      }
    }
    opts.onProgress?.(i + 1, todo.length, path);
  }
  return warnings;
}

/** Pixel hashes for images that share their dHash with another (the only exact-duplicate candidates). */
async function ensurePixelHashes(store: Store, rows: HashRow[], signal?: AbortSignal): Promise<void> {
  const repo = store.phash;
  const count = new Map<string, number>();
  for (const r of rows) count.set(r.dhash, (count.get(r.dhash) ?? 0) + 1);
  for (const r of rows) {
    if (r.pixel_hash !== null || count.get(r.dhash)! < 2 || !existsSync(r.path)) continue;
    signal?.throwIfAborted();
    try {
      r.pixel_hash = pixelHash(await decodeFile(r.path));
      repo.setPixels(r.pixel_hash, r.id);
    } catch {
      // Unreadable now: it stays a near duplicate only; the next check tries again.
    }
  }
}

function group(ids: number[], rows: Map<number, HashRow>): DuplicateGroup {
  const members = ids.map((id) => rows.get(id)!);
  let distance = 0;
  for (let i = 0; i < members.length; i++)
    for (let j = i + 1; j < members.length; j++)
      distance = Math.max(distance, hamming(members[i].dhash, members[j].dhash));
  const splits = [...new Set(members.map((m) => m.split).filter((s): s is Split => s !== null))].sort();
  return { imageIds: ids, distance, splits };
}

export async function libraryHealth(store: Store, opts: HealthOptions): Promise<HealthReport> {
  const threshold = opts.threshold ?? DEFAULT_PHASH_THRESHOLD;
  const unhashed = await ensureHashes(store, opts);
  const rows = store.phash.all();
  await ensurePixelHashes(store, rows, opts.signal);
  const byId = new Map(rows.map((r) => [r.id, r]));

  const byPixels = new Map<string, number[]>();
  for (const r of rows)
    if (r.pixel_hash) byPixels.set(r.pixel_hash, [...(byPixels.get(r.pixel_hash) ?? []), r.id]);
  const exactDuplicates = [...byPixels.values()].filter((g) => g.length > 1).map((g) => group(g, byId));

  // Components of the "within threshold" relation (exact duplicates fall in them too); a near
  // duplicate group is one that holds at least two different pictures. Featureless pictures (flat
  // colours) are left out: their dHashes say nothing, so they only count as exact duplicates.
  const structured = rows.filter((r) => !featureless(r.dhash));
  const components = nearGroups(structured, threshold).map((g) => group(g, byId));
  const picture = (id: number) => byId.get(id)!.pixel_hash ?? `image ${id}`;
  const nearDuplicates = components.filter((c) => new Set(c.imageIds.map(picture)).size > 1);
  const flatExact = exactDuplicates.filter((g) => featureless(byId.get(g.imageIds[0])!.dhash));
  const splitLeaks = [...components, ...flatExact].filter((c) => c.splits.length > 1);

  const approved = store.captions.inScope({ kind: 'all' }, 'approved').map((c) => c.text);
  const without = store.phash.withoutApproved();
  return {
    images: store.images.count(),
    captions: store.captions.inScope({ kind: 'all' }).length,
    unhashed,
    exactDuplicates,
    nearDuplicates,
    threshold,
    splitLeaks,
    lengths: lengthStats(approved),
    vocabularySize: vocabularySize(approved),
    oov: opts.vocab ? oovRate(approved, opts.vocab) : null,
    withoutApproved: { count: without.length, imageIds: without.slice(0, opts.listLimit ?? 100) },
  };
}
