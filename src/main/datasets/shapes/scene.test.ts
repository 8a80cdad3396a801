// Scenes: seeded, 1–3 shapes inside the image, boxes apart, relations read from the boxes.
import { describe, expect, it } from 'vitest';
import { mixSeed, mulberry32 } from '../../util/rng';
import { generateScene, relationsOf, type SceneObject } from './scene';

const obj = (bbox: SceneObject['bbox'], shape: SceneObject['shape'] = 'square'): SceneObject => ({
  shape,
  colour: 'red',
  size: 'small',
  bbox,
});

describe('relationsOf', () => {
  it('reads left/right/above/below from the boxes, two facts for a diagonal pair', () => {
    const rel = relationsOf([obj([0, 0, 10, 10]), obj([20, 0, 30, 10]), obj([20, 30, 30, 40])]);
    const has = (s: number, o: number, r: string) =>
      rel.some((f) => f.subject === s && f.object === o && f.relation === r);
    expect(has(0, 1, 'left-of')).toBe(true);
    expect(has(1, 0, 'right-of')).toBe(true);
    expect(has(0, 1, 'above')).toBe(false); // same rows
    expect(has(1, 2, 'above')).toBe(true);
    expect(has(2, 1, 'below')).toBe(true);
    expect(has(0, 2, 'left-of') && has(0, 2, 'above')).toBe(true);
    expect(rel).toHaveLength(8);
  });
});

describe('generateScene', () => {
  it('is deterministic for a seed', () => {
    expect(generateScene(mulberry32(11))).toEqual(generateScene(mulberry32(11)));
    expect(generateScene(mulberry32(11))).not.toEqual(generateScene(mulberry32(12)));
  });

  it('makes valid scenes: 1–3 objects inside, apart, distinct shape+colour, every pair related', () => {
    const counts = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const s = generateScene(mulberry32(mixSeed(5, i)), 64);
      counts.add(s.objects.length);
      const kinds = new Set(s.objects.map((o) => `${o.shape}/${o.colour}`));
      expect(kinds.size).toBe(s.objects.length);
      for (const o of s.objects) {
        expect(o.bbox[0]).toBeGreaterThanOrEqual(0);
        expect(o.bbox[2]).toBeLessThanOrEqual(64);
        expect(o.bbox[3]).toBeLessThanOrEqual(64);
      }
      for (let a = 0; a < s.objects.length; a++)
        for (let b = 0; b < s.objects.length; b++)
          if (a !== b) expect(s.relations.some((f) => f.subject === a && f.object === b)).toBe(true);
    }
    expect([...counts].sort()).toEqual([1, 2, 3]);
  });

  it('refuses images too small to hold three shapes', () => {
    expect(() => generateScene(mulberry32(1), 16)).toThrow(/at least 32/);
  });
});
