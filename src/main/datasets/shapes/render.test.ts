// Rendering: background, solid interiors in the scene's colour, shapes' outlines, anti-aliased edges.
import { describe, expect, it } from 'vitest';
import { renderScene } from './render';
import { BACKGROUND, COLOURS, relationsOf, type Scene, type SceneObject } from './scene';

const scene = (objects: SceneObject[]): Scene => ({
  width: 40,
  height: 40,
  objects,
  relations: relationsOf(objects),
});
const px = (img: { data: Uint8Array; width: number }, x: number, y: number) =>
  Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));

describe('renderScene', () => {
  it('paints a square solid, a circle round and a triangle pointing up', () => {
    const img = renderScene(
      scene([
        { shape: 'square', colour: 'blue', size: 'small', bbox: [2, 2, 12, 12] },
        { shape: 'circle', colour: 'red', size: 'small', bbox: [20, 2, 36, 18] },
        { shape: 'triangle', colour: 'green', size: 'small', bbox: [2, 22, 18, 38] },
      ]),
    );
    expect(px(img, 2, 2)).toEqual([...COLOURS.blue]); // square corner
    expect(px(img, 28, 10)).toEqual([...COLOURS.red]); // circle centre
    expect(px(img, 20, 2)).toEqual([...BACKGROUND]); // circle's box corner is outside the circle
    expect(px(img, 10, 36)).toEqual([...COLOURS.green]); // triangle base
    expect(px(img, 2, 23)).toEqual([...BACKGROUND]); // beside the apex
    expect(px(img, 39, 39)).toEqual([...BACKGROUND]);
  });

  it('anti-aliases edges (blend of shape and background) unless samples = 1', () => {
    const s = scene([{ shape: 'circle', colour: 'red', size: 'large', bbox: [4, 4, 36, 36] }]);
    const blended = (img: ReturnType<typeof renderScene>) => {
      let n = 0;
      for (let i = 0; i < img.data.length; i += 3) {
        const p = [img.data[i], img.data[i + 1], img.data[i + 2]];
        if (p.join() !== COLOURS.red.join() && p.join() !== BACKGROUND.join()) n++;
      }
      return n;
    };
    expect(blended(renderScene(s, 4))).toBeGreaterThan(40);
    expect(blended(renderScene(s, 1))).toBe(0);
  });
});
