// Masked cross-entropy and perplexity over reference tokens.
import { describe, expect, it } from 'vitest';
import { crossEntropy, maskFromIds, maskFromLengths } from './xent';

describe('crossEntropy', () => {
  it('averages −log p over unmasked tokens of all sequences', () => {
    // Counted: ln ½, ln ¼ (sequence 0) and ln ½ (sequence 1) → CE = (ln2 + 2 ln2 + ln2) / 3 = 4 ln2 / 3,
    // perplexity = 2^(4/3) ≈ 2.52. The padded positions hold junk (even positive) and are ignored.
    const lp = [
      [Math.log(0.5), Math.log(0.25), 7],
      [Math.log(0.5), 3, Number.NaN],
    ];
    const r = crossEntropy(lp, [
      [1, 1, 0],
      [1, 0, 0],
    ]);
    expect(r.tokens).toBe(3);
    expect(r.crossEntropy).toBeCloseTo((4 * Math.LN2) / 3, 12);
    expect(r.perplexity).toBeCloseTo(2 ** (4 / 3), 12);
  });

  it('is 0 with perplexity 1 when every token has probability 1', () => {
    expect(crossEntropy([[0, 0]], [[1, 1]])).toEqual({ crossEntropy: 0, perplexity: 1, tokens: 2 });
  });

  it('rejects mismatched shapes, positive or NaN log-probabilities and all-masked input', () => {
    expect(() => crossEntropy([[0]], [])).toThrow(/1 sequences .* but 0 masks/);
    expect(() => crossEntropy([[0, 0]], [[1]])).toThrow(/sequence 0 has 2/);
    expect(() => crossEntropy([[0.5]], [[1]])).toThrow(/\[0\]\[0\] is 0.5/);
    expect(() => crossEntropy([[Number.NaN]], [[1]])).toThrow(/is NaN/);
    expect(() => crossEntropy([[-1]], [[0]])).toThrow(/masked out/);
  });
});

describe('masks', () => {
  it('from a pad id, and from lengths when the pad id is also a real token', () => {
    expect(maskFromIds([[5, 6, 0, 0]], 0)).toEqual([[1, 1, 0, 0]]);
    expect(maskFromLengths([2, 4], 4)).toEqual([
      [1, 1, 0, 0],
      [1, 1, 1, 1],
    ]);
  });
});
