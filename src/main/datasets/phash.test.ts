// dHash and pixel hash on synthetic pixels: bit order, robustness to resizing, grouping.
import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../images/decode';
import { dhash, featureless, hamming, nearGroups, pixelHash } from './phash';

/** An image from a grey-level function of (x, y) in [0, 1). */
function image(w: number, h: number, f: (x: number, y: number) => number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      data.fill(Math.round(255 * f(x / w, y / h)), (y * w + x) * 3, (y * w + x) * 3 + 3);
  return { data, width: w, height: h, channels: 3 };
}

describe('dHash', () => {
  it('sets a bit where a cell is brighter than its right neighbour', () => {
    expect(dhash(image(90, 80, (x) => 1 - x))).toBe('ffffffffffffffff');
    expect(dhash(image(90, 80, (x) => x))).toBe('0000000000000000');
    // Columns 0–3 of the top row bright: the one bright→dark step is column 3 → 4, the fourth bit
    // (most significant first) of the first byte.
    expect(dhash(image(9, 8, (x, y) => (y < 1 / 8 && x < 4 / 9 ? 1 : 0)))).toBe('1000000000000000');
  });

  it('barely changes when an image is resized, and differs for another picture', () => {
    const f = (x: number, y: number) => 0.5 + 0.5 * Math.sin(9 * x + 4 * y * y) * Math.cos(7 * y - 3 * x);
    const g = (x: number, y: number) => 0.5 + 0.5 * Math.cos(13 * x * y + 5 * x);
    const a = dhash(image(320, 240, f));
    expect(hamming(a, dhash(image(160, 120, f)))).toBeLessThanOrEqual(4);
    expect(hamming(a, dhash(image(320, 240, g)))).toBeGreaterThan(12);
    expect(hamming('ffffffffffffffff', '0000000000000000')).toBe(64);
    expect(hamming('8000000000000001', '0000000000000000')).toBe(2);
  });

  it('hashes pixels and size, not encoding', () => {
    const a = image(4, 4, (x) => x);
    expect(pixelHash(a)).toBe(pixelHash({ ...a, data: a.data.slice() }));
    expect(pixelHash(a)).not.toBe(pixelHash(image(2, 8, (x) => x)));
  });
});

describe('featureless', () => {
  it('flags flat and smoothly graded pictures, whose hashes carry no structure, and no others', () => {
    const flat = (r: number, g: number, b: number): RgbImage => ({
      data: new Uint8Array(32 * 32 * 3).map((_, i) => [r, g, b][i % 3]),
      width: 32,
      height: 32,
      channels: 3,
    });
    const red = dhash(flat(220, 30, 30));
    const blue = dhash(flat(30, 60, 220));
    expect([red, blue]).toEqual(['0000000000000000', '0000000000000000']); // why: alike to dHash
    expect(featureless(red)).toBe(true);
    expect(featureless(dhash(image(32, 32, (x) => x)))).toBe(true); // brighter to the right
    expect(featureless(dhash(image(32, 32, (x) => 1 - x)))).toBe(true); // darker to the right
    expect(featureless(dhash(image(32, 32, (x, y) => (Math.sin(9 * x + 5 * y) + 1) / 2)))).toBe(false);
  });
});

describe('nearGroups', () => {
  it('joins chains within the threshold and leaves singletons out', () => {
    const groups = nearGroups(
      [
        { id: 1, dhash: '0000000000000000' },
        { id: 2, dhash: '000000000000000f' }, // 4 bits from 1
        { id: 3, dhash: '00000000000000ff' }, // 4 bits from 2, 8 from 1
        { id: 4, dhash: 'ffffffffffffffff' },
      ],
      4,
    );
    expect(groups).toEqual([[1, 2, 3]]);
    expect(
      nearGroups(
        [
          { id: 1, dhash: '0000000000000000' },
          { id: 2, dhash: '00000000000000ff' },
        ],
        7,
      ),
    ).toEqual([]);
  });
});
