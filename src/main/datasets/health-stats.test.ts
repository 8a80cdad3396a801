// Caption statistics: lengths, vocabulary, OOV against a word vocabulary.
import { describe, expect, it } from 'vitest';
import { buildVocab } from '../text/vocab';
import { lengthStats, LENGTH_BINS, oovRate, vocabularySize, wordCount } from './health-stats';

describe('caption statistics', () => {
  it('counts words by whitespace', () => {
    expect(wordCount('  a dog\truns\n fast ')).toBe(4);
    expect(wordCount('   ')).toBe(0);
  });

  it('gives mean, median, nearest-rank p95, max and a histogram', () => {
    const caps = ['a', 'a b', 'a b', 'a b c d', ...Array.from({ length: 16 }, () => 'x y z')];
    const s = lengthStats(caps);
    expect(s.count).toBe(20);
    expect(s.mean).toBeCloseTo((1 + 2 + 2 + 4 + 48) / 20);
    expect(s.median).toBe(3);
    expect(s.p95).toBe(3); // 19th of 20 sorted lengths
    expect(s.max).toBe(4);
    expect(s.histogram).toEqual([0, 1, 2, 16, 1]);
    expect(lengthStats(['a b', 'a b c d']).median).toBe(3);
    expect(lengthStats([])).toMatchObject({ count: 0, histogram: [] });
  });

  it('puts very long captions in the last bin', () => {
    const s = lengthStats([Array.from({ length: 100 }, () => 'w').join(' ')]);
    expect(s.histogram).toHaveLength(LENGTH_BINS + 1);
    expect(s.histogram[LENGTH_BINS]).toBe(1);
    expect(s.max).toBe(100);
  });

  it('measures vocabulary and OOV against a trained vocabulary', () => {
    const vocab = buildVocab(['a dog runs', 'a cat sits']);
    expect(vocabularySize(['A dog, a DOG!', 'zebra'])).toBe(3);
    const o = oovRate(['a zebra runs', 'zebra zebra yak'], vocab);
    expect(o).toMatchObject({ tokens: 6, unknown: 4 });
    expect(o.rate).toBeCloseTo(4 / 6);
    expect(o.top).toEqual([
      { word: 'zebra', count: 3 },
      { word: 'yak', count: 1 },
    ]);
  });
});
