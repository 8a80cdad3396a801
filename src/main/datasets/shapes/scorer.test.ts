// The scorer on hand-made scenes and captions, and on the generator's own captions (all true).
import { describe, expect, it } from 'vitest';
import { mixSeed, mulberry32 } from '../../util/rng';
import { describeScene } from './captions';
import { generateScene, relationsOf, type Scene, type SceneObject } from './scene';
import { accuracy, parseCaption, scoreCaption, sumScores } from './scorer';

// A small red circle on the left, a large blue square on the right, a medium green triangle
// below the square.
const objects: SceneObject[] = [
  { shape: 'circle', colour: 'red', size: 'small', bbox: [2, 10, 15, 23] },
  { shape: 'square', colour: 'blue', size: 'large', bbox: [30, 2, 56, 28] },
  { shape: 'triangle', colour: 'green', size: 'medium', bbox: [34, 40, 53, 59] },
];
const scene: Scene = { width: 64, height: 64, objects, relations: relationsOf(objects) };

describe('parseCaption', () => {
  it('finds object phrases, relations between neighbours and a stated count', () => {
    const p = parseCaption('Two shapes: a small red circle to the left of a big blue square.');
    expect(p.count).toBe(2);
    expect(p.mentions.map((m) => [m.size, m.colour, m.shape])).toEqual([
      ['small', 'red', 'circle'],
      ['large', 'blue', 'square'],
    ]);
    expect(p.relations).toEqual([{ subject: 0, object: 1, relation: 'left-of' }]);
  });

  it('reads "and" as no relation, and under/over as below/above', () => {
    expect(parseCaption('a circle and a square').relations).toEqual([]);
    expect(parseCaption('a triangle under a square').relations[0].relation).toBe('below');
    expect(parseCaption('a square over a triangle').relations[0].relation).toBe('above');
  });
});

describe('scoreCaption', () => {
  it('scores a fully true caption 100% on every count it makes', () => {
    const s = scoreCaption(
      'a small red circle left of a large blue square, and a green triangle below the blue square',
      scene,
    );
    expect(s.shape).toEqual({ correct: 4, total: 4 });
    expect(s.colour).toEqual({ correct: 4, total: 4 });
    expect(s.size).toEqual({ correct: 2, total: 2 });
    expect(s.relation).toEqual({ correct: 2, total: 2 });
    expect(s.recall).toEqual({ correct: 3, total: 3 });
  });

  it('counts a wrong colour, a wrong size, a missing shape and a false relation', () => {
    const s = scoreCaption('a large yellow circle right of a small blue square', scene);
    expect(s.shape).toEqual({ correct: 2, total: 2 });
    expect(s.colour).toEqual({ correct: 1, total: 2 }); // circle is red
    expect(s.size).toEqual({ correct: 0, total: 2 }); // circle small, square large
    expect(s.relation).toEqual({ correct: 0, total: 1 }); // the circle is left of the square
    const t = scoreCaption('a red star above a purple triangle', scene);
    expect(t.shape).toEqual({ correct: 1, total: 1 }); // "star" is no shape word; the triangle exists
    expect(t.colour).toEqual({ correct: 0, total: 1 });
    const u = scoreCaption('a red hexagon and two circles', scene);
    expect(u.shape).toEqual({ correct: 1, total: 1 });
    expect(
      scoreCaption('a blue triangle', {
        ...scene,
        objects: objects.slice(0, 2),
        relations: relationsOf(objects.slice(0, 2)),
      }).shape,
    ).toEqual({ correct: 0, total: 1 });
  });

  it('checks a stated count and how many objects the caption names', () => {
    const s = scoreCaption('two shapes: a red circle and a blue square', scene);
    expect(s.count).toEqual({ correct: 0, total: 1 });
    expect(s.recall).toEqual({ correct: 2, total: 3 });
    expect(accuracy(s.count)).toBe(0);
    expect(accuracy(scoreCaption('shapes', scene).colour)).toBeNull();
  });

  it('matches a mention to the object agreeing on colour before size', () => {
    const two: SceneObject[] = [
      { shape: 'circle', colour: 'red', size: 'large', bbox: [2, 2, 20, 20] },
      { shape: 'circle', colour: 'blue', size: 'small', bbox: [40, 2, 50, 12] },
    ];
    const sc = { width: 64, height: 64, objects: two, relations: relationsOf(two) };
    const s = scoreCaption('a small red circle left of a blue circle', sc);
    expect(s.colour).toEqual({ correct: 2, total: 2 });
    expect(s.size).toEqual({ correct: 0, total: 1 });
    expect(s.relation).toEqual({ correct: 1, total: 1 });
  });

  it("scores the generator's captions 100% on 300 scenes", () => {
    const scores = [];
    for (let i = 0; i < 300; i++) {
      const rng = mulberry32(mixSeed(21, i));
      const sc = generateScene(rng);
      const caps = describeScene(sc, rng);
      expect(caps).toHaveLength(5);
      for (const c of caps) scores.push(scoreCaption(c, sc));
    }
    const sum = sumScores(scores);
    for (const k of ['shape', 'colour', 'size', 'relation', 'count'] as const) {
      expect(sum[k].total).toBeGreaterThan(50);
      expect(sum[k].correct).toBe(sum[k].total);
    }
  });
});
