// Splits: by image, seeded, stable when images are added, fractions honoured, given splits kept,
// leaks between splits found.
import { describe, expect, it } from 'vitest';
import { assignSplits, findSplitLeaks, resolveSplitConfig, splitKey } from './splits';

const hashes = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ hash: `h${i + from}` }));
const counts = (m: Map<string, string>) => {
  const c: Record<string, number> = { train: 0, val: 0, test: 0 };
  for (const s of m.values()) c[s]++;
  return c;
};

describe('assignSplits', () => {
  it('is deterministic given the seed and the hashes, whatever their order', () => {
    const a = assignSplits(hashes(200), { seed: 1 });
    const b = assignSplits(hashes(200).reverse(), { seed: 1 });
    expect([...a].sort()).toEqual([...b].sort());
    const c = assignSplits(hashes(200), { seed: 2 });
    expect([...a].filter(([h, s]) => c.get(h) !== s).length).toBeGreaterThan(20);
  });

  it('stable mode: adding images never moves existing ones; fractions hold on average', () => {
    const small = assignSplits(hashes(1000), { seed: 3 });
    const big = assignSplits(hashes(3000), { seed: 3 });
    for (const [h, s] of small) expect(big.get(h)).toBe(s);
    const c = counts(big);
    expect(c.train / 3000).toBeGreaterThan(0.77);
    expect(c.train / 3000).toBeLessThan(0.83);
    expect(c.val / 3000).toBeGreaterThan(0.08);
    expect(c.test / 3000).toBeGreaterThan(0.08);
  });

  it('exact mode: exact counts, and few images move when more are added', () => {
    const a = assignSplits(hashes(50), { seed: 4, mode: 'exact' });
    expect(counts(a)).toEqual({ train: 40, val: 5, test: 5 });
    const b = assignSplits(hashes(60), { seed: 4, mode: 'exact' });
    expect(counts(b)).toEqual({ train: 48, val: 6, test: 6 });
    expect([...a].filter(([h, s]) => b.get(h) !== s).length).toBeLessThanOrEqual(4);
  });

  it('keeps splits the dataset gives and splits only the rest', () => {
    const items = [
      { hash: 'x', split: 'test' as const },
      { hash: 'y', split: 'val' as const },
      ...hashes(10),
    ];
    const m = assignSplits(items, { seed: 0, fractions: { train: 1, val: 0, test: 0 } });
    expect(m.get('x')).toBe('test');
    expect(m.get('y')).toBe('val');
    expect(counts(m)).toEqual({ train: 10, val: 1, test: 1 });
  });

  it('keys are uniform-ish in [0, 1)', () => {
    const ks = hashes(1000).map((h) => splitKey(9, h.hash));
    expect(Math.min(...ks)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...ks)).toBeLessThan(1);
    expect(ks.filter((k) => k < 0.5).length).toBeGreaterThan(440);
    expect(ks.filter((k) => k < 0.5).length).toBeLessThan(560);
  });
});

describe('resolveSplitConfig', () => {
  it('returns a frozen config with defaults', () => {
    const c = resolveSplitConfig({ seed: 5 });
    expect(c).toMatchObject({ seed: 5, mode: 'stable', fractions: { train: 0.8, val: 0.1, test: 0.1 } });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('says what to fix when fractions do not sum to 1 or are out of range', () => {
    expect(() => resolveSplitConfig({ fractions: { train: 0.8, val: 0.2, test: 0.1 } })).toThrow(
      /sum to 1\.1000.*make them sum to 1/,
    );
    expect(() => resolveSplitConfig({ fractions: { train: 1.2, val: -0.1, test: -0.1 } })).toThrow(
      /between 0 and 1/,
    );
    expect(() => resolveSplitConfig({ seed: 1.5 })).toThrow(/integer/);
  });
});

describe('findSplitLeaks', () => {
  it('reports the same image under two splits, with the names it was listed under', () => {
    const leaks = findSplitLeaks([
      { hash: 'a', split: 'train', name: 'dog.jpg' },
      { hash: 'a', split: 'test', name: 'dog_copy.jpg' },
      { hash: 'b', split: 'train', name: 'cat.jpg' },
      { hash: 'b', split: 'train', name: 'cat2.jpg' },
      { hash: 'c', split: 'val' },
    ]);
    expect(leaks).toEqual([{ hash: 'a', splits: ['test', 'train'], names: ['dog.jpg', 'dog_copy.jpg'] }]);
  });
});
