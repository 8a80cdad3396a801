// Train/val/test splits by image (never by caption, so no photo is both learnt and tested),
// seeded and deterministic. Each image's place comes from a hash of (seed, content hash), not
// from its position in a list, so adding images never moves the images already split.
import { createHash } from 'node:crypto';
import { AppError } from '../../shared/result';
import type { Split } from '../../shared/types';

export interface SplitConfig {
  /** Seed of the assignment; another seed gives another, equally random, split. */
  seed: number;
  /** Fractions of images per split; they sum to 1. Default 80/10/10 (Karpathy's COCO split is ~92/4/4). */
  fractions: { train: number; val: number; test: number };
  /**
   * 'stable' (default): an image goes to train when its key is below `train`, to val when below
   * `train + val`, else test. Adding images never moves an existing one; the counts match the
   * fractions only on average (±√n). 'exact': images sorted by key and cut at the rounded counts;
   * the counts are exact, and adding images moves at most a few near each cut.
   */
  mode: 'stable' | 'exact';
}

export const DEFAULT_SPLIT_CONFIG: Readonly<SplitConfig> = Object.freeze({
  seed: 0,
  fractions: Object.freeze({ train: 0.8, val: 0.1, test: 0.1 }),
  mode: 'stable' as const,
});

export function resolveSplitConfig(partial: Partial<SplitConfig> = {}): Readonly<SplitConfig> {
  // Keys given as undefined (optional API arguments) mean "the default", not "unset".
  const given = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const fractions = { ...DEFAULT_SPLIT_CONFIG.fractions, ...partial.fractions };
  const cfg = { ...DEFAULT_SPLIT_CONFIG, ...given, fractions: Object.freeze(fractions) };
  for (const [k, v] of Object.entries(fractions))
    if (!(v >= 0 && v <= 1))
      throw new AppError('invalid_argument', `Split fraction ${k} is ${v}; give a number between 0 and 1.`);
  const sum = fractions.train + fractions.val + fractions.test;
  if (Math.abs(sum - 1) > 1e-9)
    throw new AppError(
      'invalid_argument',
      `Split fractions sum to ${sum.toFixed(4)} (train ${fractions.train}, val ${fractions.val}, test ` +
        `${fractions.test}); make them sum to 1, e.g. 0.8/0.1/0.1.`,
    );
  if (!Number.isInteger(cfg.seed))
    throw new AppError('invalid_argument', `The split seed must be an integer.`);
  if (cfg.mode !== 'stable' && cfg.mode !== 'exact')
    throw new AppError('invalid_argument', `Split mode is 'stable' or 'exact', not '${String(cfg.mode)}'.`);
  return Object.freeze(cfg);
}

/** An image's key in [0, 1): the first 52 bits of SHA-256("<seed>:<content hash>"). */
export function splitKey(seed: number, hash: string): number {
  const hex = createHash('sha256').update(`${seed}:${hash}`).digest('hex').slice(0, 13);
  return parseInt(hex, 16) / 2 ** 52;
}

export interface SplitItem {
  hash: string;
  /** A split the dataset already gives; kept as is. */
  split?: Split | null;
}

/** The split of every image (by hash). Given splits are kept; the rest are assigned. */
export function assignSplits(
  items: readonly SplitItem[],
  config: Partial<SplitConfig> = {},
): Map<string, Split> {
  const cfg = resolveSplitConfig(config);
  const out = new Map<string, Split>();
  const free: Array<{ hash: string; key: number }> = [];
  for (const it of items) {
    if (out.has(it.hash)) continue;
    if (it.split) out.set(it.hash, it.split);
    else free.push({ hash: it.hash, key: splitKey(cfg.seed, it.hash) });
  }
  const { train, val } = cfg.fractions;
  if (cfg.mode === 'stable') {
    for (const f of free) out.set(f.hash, f.key < train ? 'train' : f.key < train + val ? 'val' : 'test');
    return out;
  }
  // Ties are impossible in practice (52-bit keys); the hash breaks them anyway.
  free.sort((a, b) => a.key - b.key || (a.hash < b.hash ? -1 : 1));
  const n = free.length;
  const nTrain = Math.round(n * train);
  const nVal = Math.min(n - nTrain, Math.round(n * val));
  free.forEach((f, i) => out.set(f.hash, i < nTrain ? 'train' : i < nTrain + nVal ? 'val' : 'test'));
  return out;
}

export interface SplitEntry {
  hash: string;
  split: Split;
  /** The file name the dataset lists it under, for the message. */
  name?: string;
}

export interface SplitLeak {
  hash: string;
  splits: Split[];
  names: string[];
}

/**
 * The same image in two splits: a dataset listing filenames per split can list one photo twice
 * under different names (copies), which leaks test images into training. Reported by content hash.
 */
export function findSplitLeaks(entries: readonly SplitEntry[]): SplitLeak[] {
  const by = new Map<string, { splits: Set<Split>; names: string[] }>();
  for (const e of entries) {
    const g = by.get(e.hash) ?? { splits: new Set<Split>(), names: [] };
    g.splits.add(e.split);
    if (e.name !== undefined) g.names.push(e.name);
    by.set(e.hash, g);
  }
  const leaks: SplitLeak[] = [];
  for (const [hash, g] of by)
    if (g.splits.size > 1) leaks.push({ hash, splits: [...g.splits].sort(), names: g.names });
  return leaks.sort((a, b) => (a.hash < b.hash ? -1 : 1));
}
