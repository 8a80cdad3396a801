// Restoring the window's bounds onto the displays there are now.
import { describe, expect, it } from 'vitest';
import { clampBounds, MIN_SIZE } from './bounds';

const laptop = { x: 0, y: 0, width: 1440, height: 860 };
const right = { x: 1440, y: 0, width: 2560, height: 1400 };
const defaults = { width: 1280, height: 840 };

describe('clampBounds', () => {
  it('keeps bounds that fit where they are', () => {
    const saved = { x: 100, y: 50, width: 900, height: 700 };
    expect(clampBounds(saved, [laptop, right], defaults)).toEqual(saved);
    const there = { x: 1600, y: 100, width: 1800, height: 1000, maximized: true };
    expect(clampBounds(there, [laptop, right], defaults)).toEqual(there);
  });

  it('centres the default size on the primary display when nothing (or garbage) was saved', () => {
    const c = { x: 80, y: 10, width: 1280, height: 840 };
    expect(clampBounds(null, [laptop, right], defaults)).toEqual(c);
    expect(clampBounds({ x: 1, y: 2 }, [laptop], defaults)).toEqual(c);
    expect(clampBounds({ x: NaN, y: 0, width: 10, height: 10 }, [laptop], defaults)).toEqual(c);
  });

  it('brings back a window saved on a monitor that is gone, keeping maximized', () => {
    const saved = { x: 2000, y: 200, width: 1000, height: 800, maximized: true };
    expect(clampBounds(saved, [laptop], defaults)).toEqual({
      x: 80,
      y: 10,
      width: 1280,
      height: 840,
      maximized: true,
    });
  });

  it('moves a window half off screen fully onto the display it overlaps most', () => {
    const saved = { x: 900, y: -100, width: 900, height: 600 };
    expect(clampBounds(saved, [laptop, right], defaults)).toEqual({ x: 540, y: 0, width: 900, height: 600 });
    // Mostly on the right-hand display: moved onto that one.
    const mostlyRight = { x: 1300, y: 1200, width: 1000, height: 600 };
    expect(clampBounds(mostlyRight, [laptop, right], defaults)).toEqual({
      x: 1440,
      y: 800,
      width: 1000,
      height: 600,
    });
  });

  it('shrinks a window larger than its display, and grows one below the minimum', () => {
    const huge = { x: -50, y: -50, width: 5000, height: 3000 };
    expect(clampBounds(huge, [laptop], defaults)).toEqual(laptop);
    const tiny = { x: 10, y: 10, width: 20, height: 20 };
    expect(clampBounds(tiny, [laptop], defaults)).toEqual({ x: 10, y: 10, ...MIN_SIZE });
  });

  it('gives something usable with no display information', () => {
    expect(clampBounds(null, [], defaults)).toEqual({ x: 0, y: 0, ...defaults });
  });
});
