// CIDEr-D per pycocoevalcap/cider/cider_scorer.py on corpora small enough to work out by hand.
import { describe, expect, it } from 'vitest';
import { ciderD } from './cider';
import { codeCorpus } from './prepare';

const words = (s: string) => (s ? s.split(' ') : []);
const run = (cands: string[], refs: string[][]) =>
  ciderD(
    codeCorpus(
      cands.map(words),
      refs.map((r) => r.map(words)),
    ),
  );

describe('CIDEr-D (coco-caption cider_scorer.py)', () => {
  it('matches a two-image corpus worked out by hand', () => {
    // compute_doc_freq: A's reference n-grams {a, b, "a b"}, B's {c, d, "c d"}: every df = 1.
    // ref_len = log(2 images); weight = tf · (log 2 − log(max(1, df))) = tf · log 2 for all of them.
    // A: cand "a b" equals its reference. Per order n: 1-grams cos = 2·ln2² / (√2 ln2)² = 1;
    //    2-grams cos = 1; 3-, 4-grams have zero norms, so val stays 0 (no division).
    //    Lengths (bigram counts, counts2vec `if n == 1`) are 1 and 1: delta 0, penalty 1.
    //    score = mean([1, 1, 0, 0]) / 1 reference · 10 = 5.
    // B: cand "c" vs ref "c d": 1-grams cos = ln2·ln2 / (ln2 · √2 ln2) = 1/√2; other orders 0.
    //    Lengths 0 and 1: penalty exp(−1² / (2·6²)) = exp(−1/72).
    //    score = (1/√2 · exp(−1/72)) / 4 · 10 ≈ 1.7434.
    const r = run(['a b', 'c'], [['a b'], ['c d']]);
    const b = ((Math.SQRT1_2 * Math.exp(-1 / 72)) / 4) * 10;
    expect(r.perImage[0]).toBeCloseTo(5, 12);
    expect(r.perImage[1]).toBeCloseTo(b, 12);
    expect(r.corpus).toBeCloseTo((5 + b) / 2, 12);
  });

  it('clips the candidate weight at the reference weight', () => {
    // A: cand "a a" vs ref "a b" (B: "z" vs "y" only makes N = 2). 1-grams: cand a = 2·ln2
    // (norm 2 ln2), ref a = b = ln2 (norm √2 ln2): Σ min(2 ln2, ln2) · ln2 / (2 ln2 · √2 ln2) = 1/(2√2)
    // (unclipped it would be 1/√2). 2-grams "a a" vs "a b": 0. Equal lengths: penalty 1.
    const r = run(['a a', 'z'], [['a b'], ['y']]);
    expect(r.perImage[0]).toBeCloseTo((1 / (2 * Math.SQRT2) / 4) * 10, 12);
    expect(r.perImage[1]).toBe(0);
  });

  it('down-weights n-grams that occur in many images and averages over references', () => {
    // Three images all with "x" in their references: df(x) = 3 = N, so x weighs log 3 − log 3 = 0.
    // A: cand "x q" vs refs "x q" and "x r". q: df 1 (weight ln3), r: df 1, "x q", "x r": df 1.
    //   ref "x q": 1-grams cos = ln3² / (ln3 · ln3) = 1 (x contributes 0 to dot and norms); 2-grams 1.
    //   ref "x r": 1-grams share only x (weight 0) → 0; 2-grams 0.
    //   score = ((1 + 0) + (1 + 0) + 0 + 0) / 4 / 2 references · 10 = 2.5.
    const r = run(['x q', 'x', 'x'], [['x q', 'x r'], ['x s'], ['x t']]);
    expect(r.perImage[0]).toBeCloseTo(2.5, 12);
  });

  it('is 0 for a single image: log(1 image) makes every weight 0', () => {
    expect(run(['a b c'], [['a b c']]).corpus).toBe(0);
  });
});
