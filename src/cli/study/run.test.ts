// The study's map check: a shape word counts as "looked at" when the peak cell of its map overlaps
// the named object's box; the chance level is the share of such cells.
import { describe, expect, it } from 'vitest';
import { distinctScenes, mapOnShapes } from './run';
import type { Scene } from '../../main/datasets/shapes/scene';

const scene: Scene = {
  width: 64,
  height: 64,
  objects: [
    { shape: 'circle', colour: 'red', size: 'small', bbox: [2, 2, 15, 15] }, // cells (0..1, 0..1) on an 8×8 grid
    { shape: 'square', colour: 'blue', size: 'large', bbox: [30, 30, 56, 56] },
  ],
  relations: [],
};
const peakAt = (cell: number) => Array.from({ length: 64 }, (_, i) => (i === cell ? 0.5 : 0.5 / 63));

describe('mapOnShapes', () => {
  it('counts shape words whose attention peak lies on the named object, with the chance level', () => {
    const tokens = ['a', 'red', 'circle', 'left', 'of', 'a', 'blue', 'square', '<eos>'];
    const data = tokens.map(() => peakAt(63));
    data[2] = peakAt(9); // row 1, col 1: inside the circle's box
    data[7] = peakAt(0); // top-left corner: not on the square
    const r = mapOnShapes(
      {
        source: 'x',
        caption: tokens.slice(0, -1).join(' '),
        tokens,
        probs: [],
        maps: { kind: 'attention', height: 8, width: 8, data },
      },
      scene,
    );
    expect(r.hits).toBe(1);
    expect(r.total).toBe(2);
    // the circle's box touches 2×2 cells, the square's 4×4 (cells 3..6 ∩ [30, 56)): 4/64 + 16/64
    expect(r.chance).toBeCloseTo(4 / 64 + 16 / 64, 6);
  });

  it('counts saliency maps as well, and ignores shapes that are not in the scene', () => {
    const tokens = ['a', 'green', 'triangle', '<eos>'];
    const maps = { kind: 'attention' as const, height: 8, width: 8, data: tokens.map(() => peakAt(0)) };
    expect(
      mapOnShapes({ source: 'x', caption: 'a green triangle', tokens, probs: [], maps }, scene).total,
    ).toBe(0);
    const sal = mapOnShapes(
      {
        source: 'x',
        caption: 'a red circle',
        tokens: ['a', 'red', 'circle'],
        probs: [],
        maps: { ...maps, kind: 'saliency' },
      },
      scene,
    );
    expect(sal).toEqual({ hits: 1, total: 1, chance: 4 / 64 });
  });

  it('counts nothing without maps', () => {
    expect(
      mapOnShapes({ source: 'x', caption: 'a red circle', tokens: ['a', 'red', 'circle'], probs: [] }, scene)
        .total,
    ).toBe(0);
  });
});

describe('distinctScenes', () => {
  it('counts identical scenes once, as the import keeps identical images once', () => {
    // the demo set: 1,000 scenes of data seed 7, two of them drawn twice (found on a full demo run,
    // whose reuse check expected 1,000 images and refused its own library of 998)
    expect(distinctScenes(1000, 7)).toBe(998);
    expect(distinctScenes(200, 7)).toBeLessThanOrEqual(200);
    expect(distinctScenes(1, 7)).toBe(1);
  });
});
