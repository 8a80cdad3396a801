// Preprocessing against hand-worked cases: Pillow's antialiased bilinear (weights worked out from
// Resample.c by hand), tf.image.resize bilinear, crops, flips, normalisation presets.
import { describe, expect, it } from 'vitest';
import {
  centerCrop,
  crop,
  flipHorizontal,
  normalize,
  pilCoefficients,
  preprocess,
  PRESETS,
  randomCrop,
  resizeBilinear,
  resizeNearest,
  resizePilBilinear,
  type Pixels,
} from './preprocess';
import { mulberry32 } from '../util/rng';

/** A grey image (R = G = B) from one row-major list of values. */
const grey = (width: number, height: number, values: number[]): Pixels<Uint8Array> => ({
  data: Uint8Array.from(values.flatMap((v) => [v, v, v])),
  width,
  height,
});
const channel0 = (p: Pixels) => Array.from(p.data).filter((_, i) => i % 3 === 0);

describe('PIL bilinear resize', () => {
  it('shrinks 4 → 2 with the support widened by the scale (weights 3/7, 3/7, 1/7)', () => {
    // scale 2, support 2: output 0 is centred at 1.0, taps x = 0,1,2 at distances 0.25, 0.25, 0.75
    // (in units of the widened filter) → weights 0.75, 0.75, 0.25 → 3/7, 3/7, 1/7.
    // out0 = (0·3 + 70·3 + 140·1) / 7 = 50; out1 = (70·1 + 140·3 + 210·3) / 7 = 160.
    const out = resizePilBilinear(grey(4, 1, [0, 70, 140, 210]), 2, 1);
    expect(channel0(out)).toEqual([50, 160]);
    // Pillow 9.4 gives [50, 160] for the same call (checked once by hand, outside the tests).
  });

  it('computes the fixed-point weights of Resample.c', () => {
    const [c0, c1] = pilCoefficients(4, 2);
    const one = 2 ** 22;
    expect(c0.start).toBe(0);
    expect(c0.weights).toEqual([
      Math.trunc((3 / 7) * one + 0.5),
      Math.trunc((3 / 7) * one + 0.5),
      Math.trunc((1 / 7) * one + 0.5),
    ]);
    expect(c1.start).toBe(1);
  });

  it('enlarges 2 → 4 as a plain triangle filter (no widening), clamping at the edges', () => {
    // scale 0.5: centres 0.25, 0.75, 1.25, 1.75. Output 1 (centre 0.75): taps 0 and 1 at distance
    // 0.25 and 0.75 → weights 0.75/0.25 → 0·0.75 + 100·0.25 = 25. Output 0 (centre 0.25): taps 0
    // (0.25 → 0.75) and 1 (1.25 → 0) → only pixel 0 → 0.
    const out = resizePilBilinear(grey(2, 1, [0, 100]), 4, 1);
    expect(channel0(out)).toEqual([0, 25, 75, 100]);
  });

  it('shrinks 3 → 1 with weights 2/7, 3/7, 2/7 and rounds to the nearest', () => {
    // scale 3, support 3, centre 1.5: taps 0,1,2 at distances 1/3, 0, 1/3 → 2/3, 1, 2/3, sum 7/3
    // → weights 2/7, 3/7, 2/7. (10·2 + 11·3 + 13·2) / 7 = 79/7 = 11.29 → 11.
    expect(channel0(resizePilBilinear(grey(3, 1, [10, 11, 13]), 1, 1))).toEqual([11]);
  });

  it('resizes both axes (horizontal pass first), keeping a flat image flat', () => {
    const out = resizePilBilinear(grey(5, 7, Array(35).fill(123)), 3, 2);
    expect(out.width).toBe(3);
    expect(out.height).toBe(2);
    expect(Array.from(out.data).every((v) => v === 123)).toBe(true);
  });

  it('returns a copy at the same size', () => {
    const img = grey(2, 2, [1, 2, 3, 4]);
    const out = resizePilBilinear(img, 2, 2);
    expect(channel0(out)).toEqual([1, 2, 3, 4]);
    expect(out.data).not.toBe(img.data);
  });
});

describe('other kernels', () => {
  it('tf-style bilinear with half-pixel centres: 2 → 4 gives 0, 25, 75, 100', () => {
    // Output x maps to (x + 0.5)·0.5 − 0.5: −0.25 (clamped to pixel 0), 0.25, 0.75, 1.25 (clamped).
    expect(channel0(resizeBilinear(grey(2, 1, [0, 100]), 4, 1))).toEqual([0, 25, 75, 100]);
  });

  it('tf-style bilinear does not antialias: 4 → 2 samples between pixel pairs', () => {
    // (x + 0.5)·2 − 0.5 = 0.5 and 2.5 → means of pixels (0, 1) and (2, 3).
    expect(channel0(resizeBilinear(grey(4, 1, [0, 70, 140, 210]), 2, 1))).toEqual([35, 175]);
  });

  it('nearest picks the pixel under each output centre', () => {
    expect(channel0(resizeNearest(grey(4, 1, [0, 70, 140, 210]), 2, 1))).toEqual([70, 210]);
  });
});

describe('crops and flips', () => {
  const img = grey(4, 3, [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23]);

  it('crops a window', () => {
    expect(channel0(crop(img, 1, 1, 2, 2))).toEqual([11, 12, 21, 22]);
    expect(() => crop(img, 3, 0, 2, 1)).toThrow(/does not fit/);
  });

  it('centre-crops', () => {
    expect(channel0(centerCrop(img, 2, 1))).toEqual([11, 12]);
  });

  it('random crop is seeded and stays inside', () => {
    const a = randomCrop(img, 2, 2, mulberry32(5));
    const b = randomCrop(img, 2, 2, mulberry32(5));
    expect(channel0(a)).toEqual(channel0(b));
    const seen = new Set<string>();
    const rng = mulberry32(1);
    for (let i = 0; i < 200; i++) seen.add(channel0(randomCrop(img, 2, 2, rng)).join(','));
    expect(seen.size).toBe(6); // 3 × 2 positions, all reached
  });

  it('flips left-right', () => {
    expect(channel0(flipHorizontal(img))).toEqual([3, 2, 1, 0, 13, 12, 11, 10, 23, 22, 21, 20]);
    const rgb = { data: Uint8Array.from([1, 2, 3, 4, 5, 6]), width: 2, height: 1 };
    expect(Array.from(flipHorizontal(rgb).data)).toEqual([4, 5, 6, 1, 2, 3]);
  });
});

describe('normalisation', () => {
  it('maps 0..255 to [-1, 1] with mean 0.5 std 0.5 (Inception and ViT)', () => {
    const out = normalize(grey(3, 1, [0, 255, 51]), PRESETS.vit.mean, PRESETS.vit.std);
    expect(out[0]).toBe(-1);
    expect(out[3]).toBe(1);
    expect(out[6]).toBeCloseTo(-0.6, 6);
  });

  it('uses per-channel mean and std', () => {
    const out = normalize(
      { data: Uint8Array.from([255, 255, 255]), width: 1, height: 1 },
      [0, 0.5, 1],
      [1, 0.5, 2],
    );
    expect(Array.from(out)).toEqual([1, 1, 0]);
  });

  it('preprocess gives [size, size, 3] floats; augmentation is seeded and flips sometimes', () => {
    const rng = mulberry32(3);
    const img = {
      data: Uint8Array.from({ length: 90 * 70 * 3 }, () => Math.floor(rng() * 256)),
      width: 90,
      height: 70,
    };
    const evalIn = preprocess(img, PRESETS.tiny);
    expect(evalIn).toBeInstanceOf(Float32Array);
    expect(evalIn.length).toBe(64 * 64 * 3);
    expect(Math.min(...evalIn)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...evalIn)).toBeLessThanOrEqual(1);
    const a = preprocess(img, PRESETS.tiny, { augment: { rng: mulberry32(9) } });
    const b = preprocess(img, PRESETS.tiny, { augment: { rng: mulberry32(9) } });
    expect(a).toEqual(b);
    expect(a).not.toEqual(evalIn);
    expect(preprocess(img, PRESETS.inception).length).toBe(299 * 299 * 3);
  });
});
