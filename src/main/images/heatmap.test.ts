// Heatmap maths: colours at the ends, and upsampling that keeps the map's corners and order.
import { describe, expect, it } from 'vitest';
import { heatColour, upsampleMap } from './heatmap';

describe('heatmap', () => {
  it('runs from blue to red', () => {
    expect(heatColour(0)).toEqual([0, 0, 255]);
    expect(heatColour(1)).toEqual([255, 0, 0]);
    expect(heatColour(0.5)[1]).toBe(255);
  });

  it('upsamples a 2×2 map: corners keep their cell, the middle blends, values scaled to [0, 1]', () => {
    const up = upsampleMap([0, 1, 2, 3], 2, 2, 4, 4);
    // Pixel (0,0) samples at map coordinate (-0.25, -0.25) → clamped to cell (0,0) = 0.
    expect(up[0]).toBe(0);
    expect(up[15]).toBe(1);
    // Pixel (1,1) samples at (0.25, 0.25): 0·.5625 + 1·.1875 + 2·.1875 + 3·.0625 = 0.75 → 0.25 after /3.
    expect(up[5]).toBeCloseTo(0.25, 6);
    expect(() => upsampleMap([1, 2, 3], 2, 2, 4, 4)).toThrow(/needs 4 values/);
  });
});
