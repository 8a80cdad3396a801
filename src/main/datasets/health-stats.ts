// The caption side of dataset health, as pure functions: length distribution in words, vocabulary
// size, and the out-of-vocabulary rate against a trained model's word vocabulary.
import type { LengthStats } from '../../shared/types';
import { captionWords } from '../text/normalize';
import type { WordVocab } from '../text/vocab';

/** Captions of this many words or more share the last histogram bin. */
export const LENGTH_BINS = 40;

/** Words as a person counts them: runs of non-space characters (the library's length filter agrees). */
export const wordCount = (text: string): number => {
  const t = text.trim();
  return t === '' ? 0 : t.split(/\s+/u).length;
};

/** Mean, median, 95th percentile (nearest rank), max and histogram of caption lengths in words. */
export function lengthStats(captions: readonly string[]): LengthStats {
  const lens = captions.map(wordCount).sort((a, b) => a - b);
  const n = lens.length;
  if (n === 0) return { count: 0, mean: 0, median: 0, p95: 0, max: 0, histogram: [] };
  const histogram = new Array<number>(Math.min(lens[n - 1], LENGTH_BINS) + 1).fill(0);
  for (const l of lens) histogram[Math.min(l, LENGTH_BINS)]++;
  const mid = n >> 1;
  return {
    count: n,
    mean: lens.reduce((s, l) => s + l, 0) / n,
    median: n % 2 ? lens[mid] : (lens[mid - 1] + lens[mid]) / 2,
    p95: lens[Math.ceil(0.95 * n) - 1],
    max: lens[n - 1],
    histogram,
  };
}

/** Distinct normalised words (the words a vocabulary would be built from). */
export function vocabularySize(captions: readonly string[]): number {
  const words = new Set<string>();
  for (const c of captions) for (const w of captionWords(c)) words.add(w);
  return words.size;
}

/** Share of caption words a model's vocabulary maps to <unk>, with the most frequent unknown words. */
export function oovRate(
  captions: readonly string[],
  vocab: WordVocab,
  top = 20,
): { rate: number; tokens: number; unknown: number; top: Array<{ word: string; count: number }> } {
  let tokens = 0;
  const unknown = new Map<string, number>();
  for (const c of captions)
    for (const w of captionWords(c)) {
      tokens++;
      if (vocab.idOf(w) === vocab.unkId) unknown.set(w, (unknown.get(w) ?? 0) + 1);
    }
  const count = [...unknown.values()].reduce((s, n) => s + n, 0);
  return {
    rate: tokens ? count / tokens : 0,
    tokens,
    unknown: count,
    top: [...unknown]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, top)
      .map(([word, n]) => ({ word, count: n })),
  };
}
