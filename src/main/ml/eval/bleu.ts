// BLEU-1..4 exactly as coco-caption computes it (pycocoevalcap/bleu/bleu_scorer.py, called by bleu.py
// with option='closest'): clipped n-gram counts against the per-n-gram maximum over the references,
// corpus sums, the closest reference length for the brevity penalty, and its smoothing constants.
import { MAX_N, type CodedCorpus } from './prepare';

// bleu_scorer.py compute_score: `small = 1e-9`, `tiny = 1e-15 ## so that if guess is 0 still return 0`.
const SMALL = 1e-9;
const TINY = 1e-15;

export interface BleuResult {
  /** Corpus BLEU-n at index n − 1. */
  corpus: number[];
  /** Per-image BLEU-n at [n − 1][image]. */
  perImage: Float64Array[];
}

/** The counts bleu_scorer.py's cook_test keeps for one image. */
interface Comps {
  testlen: number;
  reflen: number;
  guess: number[];
  correct: number[];
}

/** BLEU-n for n = 1..4 from summed counts (bleu_scorer.py compute_score, both the per-sentence loop
 *  and the corpus block use this same formula). */
function score(c: Comps, out: number[]): void {
  let bleu = 1;
  for (let k = 0; k < MAX_N; k++) {
    // The product runs over orders 1..k+1 and is then rooted: a geometric mean of precisions.
    bleu *= (c.correct[k] + TINY) / (c.guess[k] + SMALL);
    out[k] = bleu ** (1 / (k + 1));
  }
  const ratio = (c.testlen + TINY) / (c.reflen + SMALL);
  if (ratio < 1) for (let k = 0; k < MAX_N; k++) out[k] *= Math.exp(1 - 1 / ratio);
}

export function bleu(corpus: CodedCorpus): BleuResult {
  const { cands, refs, maxLocal } = corpus;
  const images = cands.length;
  // Indexed by image-local gram ids: small, reused, zeroed again after each image.
  const count = new Int32Array(maxLocal);
  const maxRef = new Int32Array(maxLocal);
  const perImage = Array.from({ length: MAX_N }, () => new Float64Array(images));
  const total: Comps = { testlen: 0, reflen: 0, guess: [0, 0, 0, 0], correct: [0, 0, 0, 0] };
  const comps: Comps = { testlen: 0, reflen: 0, guess: [0, 0, 0, 0], correct: [0, 0, 0, 0] };
  const scores = [0, 0, 0, 0];

  for (let i = 0; i < images; i++) {
    const gramOrder = corpus.images[i].orderOf;
    // cook_refs: for each n-gram, the largest count it has in any one reference.
    for (const ref of refs[i]) {
      for (const g of ref.grams) count[g]++;
      for (const g of ref.grams)
        if (count[g] > 0) {
          if (count[g] > maxRef[g]) maxRef[g] = count[g];
          count[g] = 0;
        }
    }
    // cook_test: "closest" reference length, ties to the shorter one (min over (|l − testlen|, l)).
    const cand = cands[i];
    const testlen = cand.length;
    let reflen = -1;
    for (const ref of refs[i]) {
      const d = Math.abs(ref.length - testlen);
      const best = Math.abs(reflen - testlen);
      if (reflen < 0 || d < best || (d === best && ref.length < reflen)) reflen = ref.length;
    }
    comps.testlen = testlen;
    comps.reflen = reflen;
    for (let k = 0; k < MAX_N; k++) {
      comps.guess[k] = Math.max(0, testlen - k);
      comps.correct[k] = 0;
    }
    // correct[n] += min(refmaxcounts[ngram], count) over the candidate's distinct n-grams.
    for (const g of cand.grams) count[g]++;
    for (const g of cand.grams)
      if (count[g] > 0) {
        comps.correct[gramOrder[g] - 1] += Math.min(count[g], maxRef[g]);
        count[g] = 0;
      }
    maxRef.fill(0, 0, corpus.images[i].size);

    score(comps, scores);
    for (let k = 0; k < MAX_N; k++) perImage[k][i] = scores[k];
    total.testlen += testlen;
    total.reflen += reflen;
    for (let k = 0; k < MAX_N; k++) {
      total.guess[k] += comps.guess[k];
      total.correct[k] += comps.correct[k];
    }
  }
  const corpusScores = [0, 0, 0, 0];
  score(total, corpusScores);
  return { corpus: corpusScores, perImage };
}
