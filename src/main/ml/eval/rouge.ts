// ROUGE-L as coco-caption computes it (pycocoevalcap/rouge/rouge.py), and ROUGE-1/ROUGE-2 F-scores
// (not part of coco-caption; defined below) over the same integer-coded captions.
import { countOf, offsetOf, type CodedCaption, type CodedCorpus } from './prepare';

// rouge.py Rouge.__init__: `self.beta = 1.2` ("updated the value below based on discussion with Hovey").
const BETA = 1.2;

// rouge.py splits with `split(" ")`, so an empty caption is the one token '' (length 1, which matches
// only another empty caption). -1 is never a word id, so it plays that token.
const EMPTY = Int32Array.of(-1);

/** Length of the longest common subsequence (rouge.py my_lcs), with one reused DP row. */
export function lcsLength(a: Int32Array, b: Int32Array, row: Int32Array): number {
  if (a.length < b.length) [a, b] = [b, a];
  // row[j] = LCS of the a-prefix seen so far and b[0..j); `diag` carries the previous row's row[j−1].
  row.fill(0, 0, b.length + 1);
  for (let i = 0; i < a.length; i++) {
    let diag = 0;
    const ai = a[i];
    for (let j = 1; j <= b.length; j++) {
      const up = row[j];
      row[j] = ai === b[j - 1] ? diag + 1 : up > row[j - 1] ? up : row[j - 1];
      diag = up;
    }
  }
  return row[b.length];
}

export interface PerImageResult {
  corpus: number;
  perImage: Float64Array;
}

/** ROUGE-L per image (rouge.py calc_score) and its mean over images (compute_score: np.mean). */
export function rougeL(corpus: CodedCorpus): PerImageResult {
  const { cands, refs } = corpus;
  let longest = 1;
  for (const rs of refs) for (const r of rs) longest = Math.max(longest, r.length + 1);
  for (const c of cands) longest = Math.max(longest, c.length + 1);
  const row = new Int32Array(longest + 1);
  const perImage = new Float64Array(cands.length);
  let sum = 0;
  for (let i = 0; i < cands.length; i++) {
    const c = cands[i].length ? cands[i].words : EMPTY;
    // Best precision and best recall are taken separately over the references, then combined.
    let precMax = 0;
    let recMax = 0;
    for (const ref of refs[i]) {
      const r = ref.length ? ref.words : EMPTY;
      const lcs = lcsLength(r, c, row);
      precMax = Math.max(precMax, lcs / c.length);
      recMax = Math.max(recMax, lcs / r.length);
    }
    const score =
      precMax !== 0 && recMax !== 0
        ? ((1 + BETA ** 2) * precMax * recMax) / (recMax + BETA ** 2 * precMax)
        : 0;
    perImage[i] = score;
    sum += score;
  }
  return { corpus: sum / cands.length, perImage };
}

/**
 * ROUGE-N F-score (β = 1), n = 1 or 2, not part of coco-caption: for each reference, overlap =
 * Σ over n-grams of min(candidate count, reference count); P = overlap / candidate n-grams,
 * R = overlap / reference n-grams, F = 2PR / (P + R) (0 when either side has no n-grams). An image
 * scores its best F over its references; the corpus score is the mean over images.
 */
export function rougeN(corpus: CodedCorpus, n: number): PerImageResult {
  const { cands, refs, maxLocal } = corpus;
  const candCount = new Int32Array(maxLocal);
  const refCount = new Int32Array(maxLocal);
  const perImage = new Float64Array(cands.length);
  let sum = 0;
  const gramsOf = (c: CodedCaption) => {
    const off = offsetOf(c.length, n);
    return c.grams.subarray(off, off + countOf(c.length, n));
  };
  for (let i = 0; i < cands.length; i++) {
    const cg = gramsOf(cands[i]);
    for (const g of cg) candCount[g]++;
    let best = 0;
    for (const ref of refs[i]) {
      const rg = gramsOf(ref);
      if (cg.length === 0 || rg.length === 0) continue;
      for (const g of rg) refCount[g]++;
      let overlap = 0;
      for (const g of rg)
        if (refCount[g] > 0) {
          overlap += Math.min(refCount[g], candCount[g]);
          refCount[g] = 0;
        }
      if (overlap === 0) continue;
      const p = overlap / cg.length;
      const r = overlap / rg.length;
      best = Math.max(best, (2 * p * r) / (p + r));
    }
    for (const g of cg) candCount[g] = 0;
    perImage[i] = best;
    sum += best;
  }
  return { corpus: sum / cands.length, perImage };
}
