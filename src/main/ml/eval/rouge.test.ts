// ROUGE-L per pycocoevalcap/rouge/rouge.py (calc_score) and the ROUGE-1/2 F-scores defined in rouge.ts,
// on hand-worked examples.
import { describe, expect, it } from 'vitest';
import { codeCorpus } from './prepare';
import { lcsLength, rougeL, rougeN } from './rouge';

const words = (s: string) => (s ? s.split(' ') : []);
const coded = (cands: string[], refs: string[][]) =>
  codeCorpus(
    cands.map(words),
    refs.map((r) => r.map(words)),
  );
// rouge.py: beta = 1.2; score = (1 + β²)·P·R / (R + β²·P).
const f = (p: number, r: number) => (2.44 * p * r) / (r + 1.44 * p);

describe('lcsLength', () => {
  it('finds the longest common subsequence, not substring', () => {
    const row = new Int32Array(16);
    expect(lcsLength(Int32Array.of(1, 2, 3, 4, 5), Int32Array.of(1, 3, 5, 7), row)).toBe(3);
    expect(lcsLength(Int32Array.of(1, 3, 5, 7), Int32Array.of(1, 2, 3, 4, 5), row)).toBe(3);
    expect(lcsLength(Int32Array.of(), Int32Array.of(1), row)).toBe(0);
  });
});

describe('ROUGE-L (coco-caption rouge.py)', () => {
  it('combines the best precision and best recall over the references with β = 1.2', () => {
    // cand "the cat sat on the mat" (6): r1 "the cat is on the mat" LCS "the cat on the mat" = 5 →
    // P 5/6, R 5/6; r2 "there is a cat on the mat" LCS "cat on the mat" = 4 → P 4/6, R 4/7.
    // P_max = R_max = 5/6 → F = 5/6.
    const r = rougeL(
      coded(['the cat sat on the mat'], [['the cat is on the mat', 'there is a cat on the mat']]),
    );
    expect(r.perImage[0]).toBeCloseTo(5 / 6, 12);
    expect(f(5 / 6, 5 / 6)).toBeCloseTo(5 / 6, 12);
  });

  it('may take P and R from different references', () => {
    // cand "a b c": r1 "a b c d e f" LCS 3 → P 1, R 1/2; r2 "a b" LCS 2 → P 2/3, R 1.
    // P_max = 1 (r1), R_max = 1 (r2) → F = 1 although no reference equals the candidate.
    const r = rougeL(coded(['a b c'], [['a b c d e f', 'a b']]));
    expect(r.perImage[0]).toBeCloseTo(1, 12);
    // cand "a dog": "a dog runs fast" → P 1, R 1/2; "the dog" → P 1/2, R 1/2 → F(1, 1/2) ≈ 0.6289.
    const s = rougeL(coded(['a dog'], [['a dog runs fast', 'the dog']]));
    expect(s.perImage[0]).toBeCloseTo(f(1, 0.5), 12);
  });

  it('is 0 when nothing is shared, and averages images for the corpus', () => {
    const r = rougeL(coded(['x y', 'a b c'], [['a b'], ['a b c d e f', 'a b']]));
    expect(r.perImage[0]).toBe(0);
    expect(r.corpus).toBeCloseTo((0 + 1) / 2, 12);
  });

  it('treats an empty caption as the single token "" as rouge.py\'s split(" ") does', () => {
    // ''.split(' ') == [''] (length 1): empty vs non-empty → LCS 0 → 0; empty vs empty → LCS 1 → 1.
    const r = rougeL(coded(['', ''], [['a b'], ['']]));
    expect(Array.from(r.perImage)).toEqual([0, 1]);
  });
});

describe('ROUGE-N F-score', () => {
  it('ROUGE-1 and ROUGE-2 from clipped n-gram overlap, best F over references', () => {
    // cand "the cat sat on the mat" vs "the cat is on the mat":
    // 1-grams overlap the×2 cat on mat = 5 → P = R = 5/6 → F = 5/6.
    // 2-grams overlap the-cat on-the the-mat = 3 of 5 each → F = 3/5.
    // vs "a dog": no overlap → F 0; the best reference wins.
    const c = coded(['the cat sat on the mat'], [['a dog', 'the cat is on the mat']]);
    expect(rougeN(c, 1).perImage[0]).toBeCloseTo(5 / 6, 12);
    expect(rougeN(c, 2).perImage[0]).toBeCloseTo(3 / 5, 12);
  });

  it('uses counts, not sets: P and R differ when lengths differ', () => {
    // cand "a a b" vs ref "a b b c": overlap min(2,1) + min(1,2) = 2 → P 2/3, R 2/4 → F = 4/7.
    const c = coded(['a a b'], [['a b b c']]);
    expect(rougeN(c, 1).perImage[0]).toBeCloseTo(4 / 7, 12);
    // A one-word candidate has no bigram: ROUGE-2 is 0.
    expect(rougeN(coded(['a'], [['a b']]), 2).perImage[0]).toBe(0);
  });
});
