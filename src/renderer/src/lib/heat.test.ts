// The heatmap tints the photo only where the map is high, as strongly as the opacity control says.
import { describe, expect, it } from 'vitest';
import { heatAlpha, heatColour } from './heat';

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
