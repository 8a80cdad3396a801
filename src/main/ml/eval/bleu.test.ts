// BLEU against hand-counted n-grams; each expected value is derived in the comments from
// pycocoevalcap/bleu/bleu_scorer.py (cited by function) as bleu.py calls it (option='closest').
import { describe, expect, it } from 'vitest';
import { bleu } from './bleu';
import { codeCorpus } from './prepare';

const words = (s: string) => (s ? s.split(' ') : []);
const run = (cands: string[], refs: string[][]) =>
  bleu(
    codeCorpus(
      cands.map(words),
      refs.map((r) => r.map(words)),
    ),
  );
// compute_score: small = 1e-9, tiny = 1e-15.
const p = (correct: number, guess: number) => (correct + 1e-15) / (guess + 1e-9);
const bp = (testlen: number, reflen: number) => {
  const ratio = (testlen + 1e-15) / (reflen + 1e-9);
  return ratio < 1 ? Math.exp(1 - 1 / ratio) : 1;
};

// Image 1: candidate "the cat sat on the mat" (6 words) against
//   r1 "the cat is on the mat" (6) and r2 "there is a cat on the mat" (7).
// cook_refs keeps each n-gram's largest count in one reference: "the" 2 (r1), every other 1.
// 1-grams: the×2 (clip 2) cat on mat → correct 5 of guess 6.
// 2-grams: the-cat, on-the, the-mat match; cat-sat, sat-on do not → 3 of 5.
// 3-grams: on-the-mat only → 1 of 4.  4-grams: none → 0 of 3.
// "closest" reference length: |6−6| = 0 → 6.
const img1 = { cand: 'the cat sat on the mat', refs: ['the cat is on the mat', 'there is a cat on the mat'] };
// Image 2: candidate "a dog" against "a dog runs" (3) and "a big dog runs" (4).
// 1-grams 2 of 2, 2-grams 1 of 1, 3- and 4-grams 0 of 0; closest length 3 (|2−3| = 1 < 2).
const img2 = { cand: 'a dog', refs: ['a dog runs', 'a big dog runs'] };

describe('BLEU (coco-caption bleu_scorer.py)', () => {
  it('scores one image from clipped counts and the geometric mean of precisions', () => {
    const r = run([img1.cand], [img1.refs]);
    const b = bp(6, 6); // ratio = (6 + 1e-15) / (6 + 1e-9), a hair under 1: BP ≈ 1 − 1.7e-10
    expect(r.corpus[0]).toBeCloseTo(p(5, 6) * b, 12); // ≈ 0.8333
    expect(r.corpus[1]).toBeCloseTo((p(5, 6) * p(3, 5)) ** (1 / 2) * b, 12); // = √0.5 ≈ 0.7071
    expect(r.corpus[2]).toBeCloseTo((p(5, 6) * p(3, 5) * p(1, 4)) ** (1 / 3) * b, 12); // = 0.5
    // No matching 4-gram: (0 + tiny) / (3 + small) ≈ 3.3e-16 keeps BLEU-4 above 0 (≈ 8.0e-5).
    expect(r.corpus[3]).toBeCloseTo((p(5, 6) * p(3, 5) * p(1, 4) * p(0, 3)) ** (1 / 4) * b, 15);
    expect(r.corpus[3]).toBeGreaterThan(7e-5);
    expect(r.corpus[3]).toBeLessThan(9e-5);
    expect(r.perImage.map((s) => s[0])).toEqual(r.corpus);
  });

  it('applies the brevity penalty exp(1 − reflen/testlen) when shorter than the closest reference', () => {
    const r = run([img2.cand], [img2.refs]);
    const b = bp(2, 3); // exp(1 − 3/2) ≈ 0.6065
    expect(b).toBeCloseTo(Math.exp(-0.5), 8);
    expect(r.corpus[0]).toBeCloseTo(p(2, 2) * b, 12);
    expect(r.corpus[1]).toBeCloseTo((p(2, 2) * p(1, 1)) ** (1 / 2) * b, 12);
    // 3-grams: guess 0 → (0 + tiny) / (0 + small) = 1e-6, so BLEU-3 ≈ (1 · 1 · 1e-6)^(1/3) · BP = 0.01 · BP.
    expect(r.corpus[2]).toBeCloseTo(0.01 * b, 9);
    expect(r.corpus[3]).toBeCloseTo(1e-3 * b, 9);
  });

  it('sums counts over images for the corpus score instead of averaging per-image scores', () => {
    const r = run([img1.cand, img2.cand], [img1.refs, img2.refs]);
    // correct [5+2, 3+1, 1+0, 0+0], guess [6+2, 5+1, 4+0, 3+0]; testlen 8, reflen 6 + 3 = 9.
    const b = bp(8, 9); // exp(1 − 9/8) ≈ 0.8825
    expect(r.corpus[0]).toBeCloseTo(p(7, 8) * b, 12);
    expect(r.corpus[1]).toBeCloseTo((p(7, 8) * p(4, 6)) ** (1 / 2) * b, 12);
    expect(r.corpus[2]).toBeCloseTo((p(7, 8) * p(4, 6) * p(1, 4)) ** (1 / 3) * b, 12);
    const meanOfImages = (r.perImage[0][0] + r.perImage[0][1]) / 2;
    expect(Math.abs(r.corpus[0] - meanOfImages)).toBeGreaterThan(0.05);
  });

  it('breaks a tie for the closest reference length towards the shorter reference', () => {
    // cook_test: min((abs(l − testlen), l)) — lengths 2 and 4 are both 1 away from 3; 2 wins, so no
    // brevity penalty (picking 4 would give exp(1 − 4/3) ≈ 0.72).
    const r = run(['a b c'], [['a b', 'a b c d']]);
    expect(r.corpus[0]).toBeCloseTo(1, 9);
  });

  it('clips a repeated candidate word at its largest count in any single reference', () => {
    // "the the the the": refs have "the" at most 2 times (r1) → correct 2 of 4 (not 3 = 2 + 1 summed).
    const r = run(['the the the the'], [['the cat on the mat', 'the dog']]);
    expect(r.corpus[0]).toBeCloseTo(p(2, 4) * bp(4, 5), 12); // closest length: |4−5| = 1 < |4−2|
  });

  it('gives 0 to an empty candidate (tiny / small precisions times an exp(−1e15) penalty)', () => {
    const r = run([''], [['a dog']]);
    expect(r.corpus).toEqual([0, 0, 0, 0]);
  });
});
