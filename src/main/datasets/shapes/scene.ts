// Scenes of the synthetic shapes dataset: 1–3 non-overlapping shapes (circle, square, triangle;
// 6 colours; 3 sizes) on a plain background, with the pairwise relations that hold. The ground
// truth the captions are written from and generated captions are scored against.
import { randInt, pick, shuffled, type Rng } from '../../util/rng';

export const SHAPES = ['circle', 'square', 'triangle'] as const;
export type Shape = (typeof SHAPES)[number];

/** Six hues far apart, so a 64-pixel render leaves no doubt which colour a shape is. */
export const COLOURS = {
  red: [220, 38, 38],
  green: [34, 160, 60],
  blue: [37, 80, 220],
  yellow: [240, 200, 20],
  purple: [140, 60, 180],
  orange: [245, 130, 20],
} as const satisfies Record<string, readonly [number, number, number]>;
export type Colour = keyof typeof COLOURS;
export const COLOUR_NAMES = Object.keys(COLOURS) as Colour[];

/** Side of a shape's box as a fraction of the image side. */
export const SIZES = { small: 0.2, medium: 0.3, large: 0.4 } as const;
export type Size = keyof typeof SIZES;
export const SIZE_NAMES = Object.keys(SIZES) as Size[];

export const BACKGROUND = [240, 240, 240] as const;

export type Relation = 'left-of' | 'right-of' | 'above' | 'below';

export interface SceneObject {
  shape: Shape;
  colour: Colour;
  size: Size;
  /** Pixel box [x0, y0, x1, y1): the shape touches its edges (a square fills it). */
  bbox: [number, number, number, number];
}

/** `subject` is `relation` `object`, e.g. 0 left-of 1. Indices into `objects`. */
export interface RelationFact {
  subject: number;
  object: number;
  relation: Relation;
}

export interface Scene {
  width: number;
  height: number;
  objects: SceneObject[];
  relations: RelationFact[];
}

/** Pixels kept free between two boxes, so every relation is clear-cut at 64 px. */
const GAP = 2;

/**
 * Relations from boxes: A left-of B when A's box ends before B's begins (x1 ≤ x0), above
 * likewise in y. Boxes never overlap, so every pair has at least one relation; a diagonal pair
 * has two (left-of and above).
 */
export function relationsOf(objects: readonly SceneObject[]): RelationFact[] {
  const out: RelationFact[] = [];
  objects.forEach((a, i) =>
    objects.forEach((b, j) => {
      if (i === j) return;
      if (a.bbox[2] <= b.bbox[0]) out.push({ subject: i, object: j, relation: 'left-of' });
      if (a.bbox[0] >= b.bbox[2]) out.push({ subject: i, object: j, relation: 'right-of' });
      if (a.bbox[3] <= b.bbox[1]) out.push({ subject: i, object: j, relation: 'above' });
      if (a.bbox[1] >= b.bbox[3]) out.push({ subject: i, object: j, relation: 'below' });
    }),
  );
  return out;
}

const apart = (a: SceneObject['bbox'], b: SceneObject['bbox']): boolean =>
  a[2] + GAP <= b[0] || b[2] + GAP <= a[0] || a[3] + GAP <= b[1] || b[3] + GAP <= a[1];

/**
 * A random scene of 1–3 shapes at `size` × `size` pixels. No two objects share both shape and
 * colour, so "the red circle" always names one object. Deterministic given the generator state.
 */
export function generateScene(rng: Rng, size = 64): Scene {
  if (!Number.isInteger(size) || size < 32)
    throw new RangeError(`Shapes images need a size of at least 32 pixels (got ${size}).`);
  for (;;) {
    const n = randInt(rng, 1, 3);
    const kinds = shuffled(
      rng,
      SHAPES.flatMap((s) => COLOUR_NAMES.map((c) => [s, c] as const)),
    ).slice(0, n);
    const objects: SceneObject[] = [];
    for (const [shape, colour] of kinds) {
      const sz = pick(rng, SIZE_NAMES);
      const side = Math.round(SIZES[sz] * size);
      let placed = false;
      for (let t = 0; t < 100 && !placed; t++) {
        const x0 = randInt(rng, 1, size - side - 1);
        const y0 = randInt(rng, 1, size - side - 1);
        const bbox: SceneObject['bbox'] = [x0, y0, x0 + side, y0 + side];
        if (objects.every((o) => apart(o.bbox, bbox))) {
          objects.push({ shape, colour, size: sz, bbox });
          placed = true;
        }
      }
      if (!placed) break;
    }
    // Three large shapes rarely fit; draw the scene again (still deterministic for the seed).
    if (objects.length === n) return { width: size, height: size, objects, relations: relationsOf(objects) };
  }
}
