// No-repeat n-gram bans: the tokens that would repeat an n-gram, and the additive mask built from them.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { banMask, bannedTokens } from './ngram';

describe('bannedTokens', () => {
  it('bans what followed earlier occurrences of the last n−1 tokens', () => {
    // bigrams seen: (1,5) (5,6) (6,5) (5,7) (7,5); the sequence ends with 5 → 6 and 7 are banned
    expect(bannedTokens([1, 5, 6, 5, 7, 5], 2).sort()).toEqual([6, 7]);
    expect(bannedTokens([1, 5, 6, 5, 7, 5], 3)).toEqual([]); // (7,5) never seen before
    expect(bannedTokens([1, 5, 6, 1, 5], 3)).toEqual([6]);
    expect(bannedTokens([1, 4, 4], 1).sort()).toEqual([1, 4]);
    expect(bannedTokens([1], 2)).toEqual([]);
    expect(bannedTokens([1, 2, 3], 0)).toEqual([]);
  });
});

describe('banMask', () => {
  it('puts −1e9 at each banned (row, token) and is null when nothing is banned', async () => {
    await tf.setBackend('cpu');
    expect(banMask([[1], [1, 3]], 2, 5)).toBeNull();
    expect(banMask([[1, 3, 1]], 0, 5)).toBeNull();
    const m = banMask(
      [
        [1, 3, 1],
        [1, 2],
      ],
      2,
      5,
    )!;
    expect(m.arraySync()).toEqual([
      [0, 0, 0, -1e9, 0],
      [0, 0, 0, 0, 0],
    ]);
    m.dispose();
  });
});
