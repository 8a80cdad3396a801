// CIDEr-D as coco-caption computes it (pycocoevalcap/cider/cider_scorer.py, the same as ciderD_scorer.py
// in vrama91/cider with df='corpus'): tf-idf n-gram vectors with document frequencies from the
// references of the evaluated images, clipped cosine similarity, a Gaussian length penalty, ×10.
import { MAX_N, countOf, type CodedCaption, type CodedCorpus } from './prepare';
import type { PerImageResult } from './rouge';

// cider.py Cider.__init__: `n=4, sigma=6.0`.
const SIGMA = 6;

/** CIDEr-D per image and the corpus mean (cider_scorer.py compute_score: np.mean of the scores). */
export function ciderD(corpus: CodedCorpus): PerImageResult {
  const { cands, refs, images: grams, numGrams, maxLocal } = corpus;
  const images = cands.length;

  // compute_doc_freq: in how many images' reference sets each n-gram occurs (once per image).
  const df = new Int32Array(numGrams);
  const inRefs = new Uint8Array(maxLocal);
  for (let i = 0; i < images; i++) {
    const { size, globalOf } = grams[i];
    inRefs.fill(0, 0, size);
    for (const ref of refs[i]) for (const l of ref.grams) inRefs[l] = 1;
    for (let l = 0; l < size; l++) if (inRefs[l]) df[globalOf[l]]++;
  }
  // compute_cider: `self.ref_len = np.log(float(len(self.crefs)))`; counts2vec: the weight of an
  // n-gram is tf · (ref_len − log(max(1, df))), so n-grams unseen in references get tf · log(N).
  const refLen = Math.log(images);
  const idfGlobal = new Float64Array(numGrams);
  for (let g = 0; g < numGrams; g++) idfGlobal[g] = refLen - Math.log(Math.max(1, df[g]));

  // Scratch arrays indexed by image-local gram ids.
  const idf = new Float64Array(maxLocal);
  const count = new Int32Array(maxLocal);
  const candW = new Float64Array(maxLocal);
  const refW = new Float64Array(maxLocal);
  const candGrams = new Int32Array(maxLocal);
  const refGrams = new Int32Array(maxLocal);
  const candNorm = new Float64Array(MAX_N);
  const refNorm = new Float64Array(MAX_N);
  const val = new Float64Array(MAX_N);
  const total = new Float64Array(MAX_N);
  let order = grams[0]?.orderOf;

  /** counts2vec into `w` and `norm`; lists the caption's distinct grams in `distinct`, returns how many. */
  const vectorise = (c: CodedCaption, w: Float64Array, norm: Float64Array, distinct: Int32Array): number => {
    norm.fill(0);
    let k = 0;
    for (const g of c.grams) if (count[g]++ === 0) distinct[k++] = g;
    for (let j = 0; j < k; j++) {
      const g = distinct[j];
      const v = count[g] * idf[g];
      w[g] = v;
      norm[order[g] - 1] += v * v;
      count[g] = 0;
    }
    for (let n = 0; n < MAX_N; n++) norm[n] = Math.sqrt(norm[n]);
    return k;
  };

  const perImage = new Float64Array(images);
  let sum = 0;
  for (let i = 0; i < images; i++) {
    const { size, globalOf, orderOf } = grams[i];
    order = orderOf;
    for (let l = 0; l < size; l++) idf[l] = idfGlobal[globalOf[l]];
    const cand = cands[i];
    const nCand = vectorise(cand, candW, candNorm, candGrams);
    // counts2vec's `length` counts the caption's bigrams (`if n == 1: length += term_freq`, n being
    // the 0-based order), i.e. max(0, words − 1); the length penalty uses that difference.
    const candLen = countOf(cand.length, 2);
    total.fill(0);
    for (const ref of refs[i]) {
      const nRef = vectorise(ref, refW, refNorm, refGrams);
      val.fill(0);
      // sim: Σ min(vec_hyp, vec_ref) · vec_ref over the candidate's n-grams ("vrama91: added clipping").
      for (let j = 0; j < nCand; j++) {
        const g = candGrams[j];
        val[order[g] - 1] += Math.min(candW[g], refW[g]) * refW[g];
      }
      const delta = candLen - countOf(ref.length, 2);
      const penalty = Math.exp(-(delta * delta) / (2 * SIGMA * SIGMA));
      for (let n = 0; n < MAX_N; n++) {
        if (candNorm[n] !== 0 && refNorm[n] !== 0) val[n] /= candNorm[n] * refNorm[n];
        total[n] += val[n] * penalty;
      }
      for (let j = 0; j < nRef; j++) refW[refGrams[j]] = 0;
    }
    for (let j = 0; j < nCand; j++) candW[candGrams[j]] = 0;
    // Mean over n of the summed similarities, divided by the number of references, times 10.
    let mean = 0;
    for (let n = 0; n < MAX_N; n++) mean += total[n];
    const score = (mean / MAX_N / refs[i].length) * 10;
    perImage[i] = score;
    sum += score;
  }
  return { corpus: sum / images, perImage };
}
