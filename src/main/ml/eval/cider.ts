// CIDEr-D as coco-caption computes it (pycocoevalcap/cider/cider_scorer.py, the same as ciderD_scorer.py
// in vrama91/cider with df='corpus'): tf-idf n-gram vectors with document frequencies from the
// references of the evaluated images, clipped cosine similarity, a Gaussian length penalty, ×10.
import { MAX_N, countOf, type CodedCaption, type CodedCorpus } from './prepare';
import type { PerImageResult } from './rouge';

// cider.py Cider.__init__: `n=4, sigma=6.0`.
const SIGMA = 6;

/** CIDEr-D per image and the corpus mean (cider_scorer.py compute_score: np.mean of the scores). */
export function ciderD(corpus: CodedCorpus): PerImageResult {
  const { cands, refs, numGrams, gramOrder } = corpus;
  const images = cands.length;

  // compute_doc_freq: in how many images' reference sets each n-gram occurs (once per image).
  const df = new Int32Array(numGrams);
  const seenIn = new Int32Array(numGrams).fill(-1);
  for (let i = 0; i < images; i++)
    for (const ref of refs[i])
      for (const g of ref.grams)
        if (seenIn[g] !== i) {
          seenIn[g] = i;
          df[g]++;
        }
  // compute_cider: `self.ref_len = np.log(float(len(self.crefs)))`; counts2vec: the weight of an
  // n-gram is tf · (ref_len − log(max(1, df))), so n-grams unseen in references get tf · log(N).
  const refLen = Math.log(images);
  const idf = new Float64Array(numGrams);
  for (let g = 0; g < numGrams; g++) idf[g] = refLen - Math.log(Math.max(1, df[g]));

  const count = new Int32Array(numGrams);
  const candW = new Float64Array(numGrams);
  const refW = new Float64Array(numGrams);
  const candNorm = new Float64Array(MAX_N);
  const refNorm = new Float64Array(MAX_N);
  const val = new Float64Array(MAX_N);
  let distinct = new Int32Array(64);

  /** counts2vec into `w` and `norm`; returns the caption's distinct grams in `distinct[0..k)`. */
  const vectorise = (c: CodedCaption, w: Float64Array, norm: Float64Array): number => {
    norm.fill(0);
    if (distinct.length < c.grams.length) distinct = new Int32Array(c.grams.length * 2);
    let k = 0;
    for (const g of c.grams) if (count[g]++ === 0) distinct[k++] = g;
    for (let j = 0; j < k; j++) {
      const g = distinct[j];
      const v = count[g] * idf[g];
      w[g] = v;
      norm[gramOrder[g] - 1] += v * v;
      count[g] = 0;
    }
    for (let n = 0; n < MAX_N; n++) norm[n] = Math.sqrt(norm[n]);
    return k;
  };

  const perImage = new Float64Array(images);
  let sum = 0;
  for (let i = 0; i < images; i++) {
    const cand = cands[i];
    const nCand = vectorise(cand, candW, candNorm);
    const candGrams = distinct.slice(0, nCand);
    // counts2vec's `length` counts the caption's bigrams (`if n == 1: length += term_freq`, n being
    // the 0-based order), i.e. max(0, words − 1); the length penalty uses that difference.
    const candLen = countOf(cand.length, 2);
    const total = new Float64Array(MAX_N);
    for (const ref of refs[i]) {
      const nRef = vectorise(ref, refW, refNorm);
      val.fill(0);
      // sim: Σ min(vec_hyp, vec_ref) · vec_ref over the candidate's n-grams ("vrama91: added clipping").
      for (const g of candGrams) val[gramOrder[g] - 1] += Math.min(candW[g], refW[g]) * refW[g];
      const delta = candLen - countOf(ref.length, 2);
      const penalty = Math.exp(-(delta * delta) / (2 * SIGMA * SIGMA));
      for (let n = 0; n < MAX_N; n++) {
        if (candNorm[n] !== 0 && refNorm[n] !== 0) val[n] /= candNorm[n] * refNorm[n];
        total[n] += val[n] * penalty;
      }
      for (let j = 0; j < nRef; j++) refW[distinct[j]] = 0;
    }
    for (const g of candGrams) candW[g] = 0;
    // Mean over n of the summed similarities, divided by the number of references, times 10.
    let mean = 0;
    for (let n = 0; n < MAX_N; n++) mean += total[n];
    const score = (mean / MAX_N / refs[i].length) * 10;
    perImage[i] = score;
    sum += score;
  }
  return { corpus: sum / images, perImage };
}
