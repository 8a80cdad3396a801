// The seeded generator repeats for a seed, differs across seeds and stays in [0, 1).
import { describe, expect, it } from 'vitest';
import { mixSeed, mulberry32, randInt, shuffled } from './rng';

describe('rng', () => {
  it('repeats for a seed and differs across seeds', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(mulberry32(43)()).not.toBe(xs[0]);
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
  });

  it('draws in range, covering it', () => {
    const r = mulberry32(7);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const x = r();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      seen.add(randInt(r, 1, 3));
    }
    expect([...seen].sort()).toEqual([1, 2, 3]);
    expect(shuffled(mulberry32(1), [1, 2, 3, 4]).sort()).toEqual([1, 2, 3, 4]);
  });
});
