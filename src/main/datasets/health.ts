// Dataset health: exact and near-duplicate images (pixel hash, dHash, computed once per image and
// stored in image_phash), duplicates that leak across train/val/test, caption length
// distribution, vocabulary size, OOV rate against a trained vocabulary, and images still without
// an approved caption. For the `health` command and the app's health panel.
import type { Statement } from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { DuplicateGroup, HealthReport, ImportWarning, Split } from '../../shared/types';
import type { Store } from '../db/index';
import { decodeFile } from '../images/decode';
import type { WordVocab } from '../text/vocab';
import { lengthStats, oovRate, vocabularySize } from './health-stats';
import { DEFAULT_PHASH_THRESHOLD, dhash, hamming, nearGroups, pixelHash } from './phash';

interface HashRow {
  id: number;
  split: Split | null;
  dhash: string;
  pixel_hash: string;
}

/** The image_phash table: which images still need hashing, storing, reading. */
class PhashRepo {
  readonly missing: Statement<[], { id: number; path: string }>;
  readonly put: Statement<[number, string, string, number], void>;
  readonly all: Statement<[], HashRow>;
  readonly withoutApproved: Statement<[], { id: number }>;
  constructor(store: Store) {
    const db = store.db;
    this.missing = db.prepare(
      'SELECT id, path FROM images WHERE id NOT IN (SELECT image_id FROM image_phash) ORDER BY id',
    );
    this.put = db.prepare(
      'INSERT OR REPLACE INTO image_phash (image_id, dhash, pixel_hash, computed_at) VALUES (?, ?, ?, ?)',
    );
    this.all = db.prepare(
      'SELECT i.id, i.split, p.dhash, p.pixel_hash FROM image_phash p JOIN images i ON i.id = p.image_id ORDER BY i.id',
    );
    this.withoutApproved = db.prepare(
      `SELECT id FROM images i WHERE NOT EXISTS
         (SELECT 1 FROM captions c WHERE c.image_id = i.id AND c.status = 'approved') ORDER BY id`,
    );
  }
}

export interface HealthOptions {
  vocab?: WordVocab | null;
  threshold?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, path: string) => void;
  /** How many image ids `withoutApproved` lists. */
  listLimit?: number;
}

/**
 * Computes the hashes of images that have none yet (each decoded once, ever). Images whose file
 * is gone or unreadable are returned as warnings and tried again next time.
 */
export async function ensureHashes(
  store: Store,
  opts: Pick<HealthOptions, 'signal' | 'onProgress'> = {},
): Promise<ImportWarning[]> {
  const repo = new PhashRepo(store);
  const todo = repo.missing.all();
  const warnings: ImportWarning[] = [];
  for (let i = 0; i < todo.length; i++) {
    opts.signal?.throwIfAborted();
    const { id, path } = todo[i];
    if (!existsSync(path)) {
      warnings.push({
        path,
        message: `The file of image ${id} is gone; import its folder again to relink it.`,
      });
    } else {
      try {
        const img = await decodeFile(path);
        repo.put.run(id, dhash(img), pixelHash(img), Date.now());
      } catch (e) {
        warnings.push({ path, message: `Could not decode image ${id}: ${(e as Error).message}` });
      }
    }
    opts.onProgress?.(i + 1, todo.length, path);
  }
  return warnings;
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

export async function libraryHealth(store: Store, opts: HealthOptions = {}): Promise<HealthReport> {
  const threshold = opts.threshold ?? DEFAULT_PHASH_THRESHOLD;
  const unhashed = await ensureHashes(store, opts);
  const repo = new PhashRepo(store);
  const rows = repo.all.all();
  const byId = new Map(rows.map((r) => [r.id, r]));

  const byPixels = new Map<string, number[]>();
  for (const r of rows) byPixels.set(r.pixel_hash, [...(byPixels.get(r.pixel_hash) ?? []), r.id]);
  const exactDuplicates = [...byPixels.values()].filter((g) => g.length > 1).map((g) => group(g, byId));

  // Components of the "within threshold" relation; exact duplicates (distance 0) fall in them too.
  const components = nearGroups(rows, threshold).map((g) => group(g, byId));
  const nearDuplicates = components.filter(
    (c) => new Set(c.imageIds.map((id) => byId.get(id)!.pixel_hash)).size > 1,
  );
  const splitLeaks = components.filter((c) => c.splits.length > 1);

  const approved = store.captions.inScope({ kind: 'all' }, 'approved').map((c) => c.text);
  const without = repo.withoutApproved.all().map((r) => r.id);
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
