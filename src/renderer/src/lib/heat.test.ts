// The heatmap overlay: it tints the photo only where the map is high, as strongly as the opacity
// control says; the colormaps run from their dark/cold end to their bright/hot end; the map is
// upsampled bilinearly (pixel centres aligned) before it is coloured.
import { describe, expect, it } from 'vitest';
import {
  COLORMAPS,
  colourOf,
  heatAlpha,
  heatColour,
  isColormap,
  normalise,
  overlayPixels,
  upsampleBilinear,
} from './heat';

const luminance = ([r, g, b]: number[]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;

describe('heatmap overlay', () => {
  it('leaves the low part of the map transparent', () => {
    for (const t of [0, 0.1, 0.2, 1 / 3]) expect(heatAlpha(t, 1)).toBe(0);
    expect(heatAlpha(0.5, 1)).toBeGreaterThan(0);
  });
  it('rises to the chosen opacity at the peak, and never beyond', () => {
    expect(heatAlpha(1, 1)).toBe(255);
    expect(heatAlpha(1, 0.5)).toBe(128);
    expect(heatAlpha(1, 0)).toBe(0);
    expect(heatAlpha(0.8, 0.6)).toBeLessThan(heatAlpha(1, 0.6));
    expect(heatAlpha(1, 3)).toBe(255);
  });
  it('colours low blue and high red', () => {
    expect(heatColour(0)).toEqual([0, 0, 255]);
    expect(heatColour(1)[0]).toBe(255);
    expect(heatColour(1)[2]).toBe(0);
  });
});

describe('colormaps', () => {
  it('knows its names and nothing else', () => {
    for (const c of COLORMAPS) expect(isColormap(c)).toBe(true);
    for (const x of ['Viridis', 'hot', '', null, 3]) expect(isColormap(x)).toBe(false);
  });
  it('viridis and inferno end at their published colours and grow brighter', () => {
    expect(colourOf('viridis', 0)).toEqual([68, 1, 84]);
    expect(colourOf('viridis', 1)).toEqual([253, 231, 37]);
    expect(colourOf('inferno', 0)).toEqual([0, 0, 4]);
    expect(colourOf('inferno', 1)).toEqual([252, 255, 164]);
    for (const c of ['viridis', 'inferno', 'grey'] as const)
      for (let k = 0; k < 20; k++)
        expect(luminance(colourOf(c, (k + 1) / 20))).toBeGreaterThan(luminance(colourOf(c, k / 20)));
  });
  it('viridis halfway lies between its two middle samples', () => {
    const [r, g, b] = colourOf('viridis', 0.5);
    expect([r, g, b]).toEqual([38, 130, 142]);
    const q = colourOf('viridis', 0.5 + 1 / 16); // halfway from sample 4 to sample 5
    expect(q[0]).toBeCloseTo((38 + 31) / 2, 6);
    expect(q[1]).toBeCloseTo((130 + 158) / 2, 6);
  });
  it('turbo runs dark blue → green → dark red, inside 0–255', () => {
    const lo = colourOf('turbo', 0);
    const mid = colourOf('turbo', 0.5);
    const hi = colourOf('turbo', 1);
    expect(lo[2]).toBeGreaterThan(lo[0]);
    expect(mid[1]).toBeGreaterThan(Math.max(mid[0], mid[2]));
    expect(hi[0]).toBeGreaterThan(hi[2]);
    for (let k = 0; k <= 100; k++)
      for (const v of colourOf('turbo', k / 100)) expect(v >= 0 && v <= 255).toBe(true);
  });
  it('grey is the value itself, clamped', () => {
    expect(colourOf('grey', 0.5)).toEqual([127.5, 127.5, 127.5]);
    expect(colourOf('grey', 2)).toEqual([255, 255, 255]);
    expect(colourOf('grey', -1)).toEqual([0, 0, 0]);
  });
});

describe('bilinear upsampling', () => {
  it('keeps a constant map constant and a 1×1 map everywhere', () => {
    expect([...upsampleBilinear([2, 2, 2, 2], 2, 2, 5, 7)]).toEqual(new Array(35).fill(2));
    expect([...upsampleBilinear([3], 1, 1, 2, 3)]).toEqual(new Array(6).fill(3));
  });
  it('samples at pixel centres: 1×2 → 1×4 is 0, ¼, ¾, 1 of the way', () => {
    expect([...upsampleBilinear([0, 4], 1, 2, 1, 4)]).toEqual([0, 1, 3, 4]);
  });
  it('interpolates in both directions (the value at the centre of a 2×2 map is its mean)', () => {
    const up = upsampleBilinear([0, 1, 2, 3], 2, 2, 4, 4);
    // centre pixels (1,1),(1,2),(2,1),(2,2) sample at ¼/¾ of the way: their mean is the map's mean
    const centre = [up[5], up[6], up[9], up[10]];
    expect(centre.reduce((a, b) => a + b) / 4).toBeCloseTo(1.5, 6);
    expect(up[0]).toBe(0);
    expect(up[15]).toBe(3);
    expect(up[5]).toBeCloseTo(0.75, 6); // 0·9/16 + 1·3/16 + 2·3/16 + 3·1/16
  });
  it('an upsampled size equal to the map returns the map', () => {
    const m = [0.1, 0.9, 0.3, 0.4, 0.5, 0.6];
    expect([...upsampleBilinear(m, 2, 3, 2, 3)].map((v) => +v.toFixed(6))).toEqual(m);
  });
});

describe('overlay pixels', () => {
  it('normalises by the map range; a flat map is all zeros', () => {
    expect([...normalise([2, 4, 3])]).toEqual([0, 1, 0.5]);
    expect([...normalise([5, 5])]).toEqual([0, 0]);
  });
  it('is transparent where the map is low and the colormap’s top colour at the peak', () => {
    const px = overlayPixels([0, 0, 0, 1], 2, 2, 2, 2, 'viridis', 1);
    expect([...px.slice(0, 4)]).toEqual([68, 1, 84, 0]);
    expect([...px.slice(12, 16)]).toEqual([253, 231, 37, 255]);
  });
  it('differs between colormaps and scales its alpha with the opacity', () => {
    const map = [0, 0.2, 0.7, 1];
    const a = overlayPixels(map, 2, 2, 8, 8, 'jet', 0.6);
    const b = overlayPixels(map, 2, 2, 8, 8, 'inferno', 0.6);
    expect([...a]).not.toEqual([...b]);
    const full = overlayPixels(map, 2, 2, 8, 8, 'jet', 1);
    const last = 8 * 8 * 4 - 1;
    expect(full[last]).toBe(255);
    expect(a[last]).toBe(153);
  });
});
