// The feature cache: float16 round trip with the shape, keys that change with the encoder or the
// preprocessing, torn files recomputed, least recently used files evicted to stay in budget.
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FeatureCache } from './cache';

const root = mkdtempSync(join(tmpdir(), 'cs-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('FeatureCache', () => {
  it('stores float16 with its shape and reads it back within float16 precision', () => {
    const c = new FeatureCache(join(root, 'a'));
    const data = Float32Array.from({ length: 12 }, (_, i) => i / 7 - 0.5);
    c.put('k1', [3, 4], data);
    const back = c.get('k1')!;
    expect(back.shape).toEqual([3, 4]);
    back.data.forEach((v, i) => expect(Math.abs(v - data[i])).toBeLessThan(1e-3));
    expect(c.get('nope')).toBeNull();
    expect([c.hits, c.misses]).toEqual([1, 1]);
    writeFileSync(join(root, 'a', 'k2.f16'), 'torn');
    expect(c.get('k2')).toBeNull();
    expect(readdirSync(join(root, 'a'))).toEqual(['k1.f16']);
  });

  it('keys depend on encoder, preprocessing and image', () => {
    const k = FeatureCache.key('enc', 'tiny-64', 'img');
    expect(FeatureCache.key('enc2', 'tiny-64', 'img')).not.toBe(k);
    expect(FeatureCache.key('enc', 'inception-299', 'img')).not.toBe(k);
    expect(FeatureCache.key('enc', 'tiny-64', 'img2')).not.toBe(k);
    expect(FeatureCache.key('enc', 'tiny-64', 'img')).toBe(k);
  });

  it('evicts the least recently used files to stay within the budget, also across instances', () => {
    const dir = join(root, 'b');
    const one = 8 + 4 + 2 * 100; // header + 100 halfs
    const c = new FeatureCache(dir, 3 * one);
    const d = new Float32Array(100);
    c.put('a', [100], d);
    c.put('b', [100], d);
    c.put('c', [100], d);
    const past = Date.now() / 1000 - 100;
    utimesSync(join(dir, 'a.f16'), past, past);
    // a new instance (another run) sees the files on disk; reading b makes a the oldest
    const c2 = new FeatureCache(dir, 3 * one);
    expect(c2.bytes).toBe(3 * one);
    c2.get('b');
    c2.put('d', [100], d);
    expect(readdirSync(dir).sort()).toEqual(['b.f16', 'c.f16', 'd.f16']);
    expect(c2.bytes).toBe(3 * one);
  });
});
