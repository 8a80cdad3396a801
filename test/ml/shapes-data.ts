// In-memory shapes data for trainer tests: seeded scenes rendered and preprocessed like the tiny
// presets (64 px, [-1, 1]), split by index, as the trainer's TrainData.
import { shapesItem } from '../../src/main/datasets/shapes/generate';
import { renderScene } from '../../src/main/datasets/shapes/render';
import type { Scene } from '../../src/main/datasets/shapes/scene';
import { PRESETS, preprocess } from '../../src/main/images/preprocess';
import type { Example, TrainData } from '../../src/main/ml/train/index';

export function shapesData(
  seed: number,
  counts: { train: number; val: number; test: number },
  captionFor?: (captions: string[]) => string[],
): TrainData & { scenes: Map<string, Scene> } {
  const pixels = new Map<string, Float32Array>();
  const scenes = new Map<string, Scene>();
  const make = (offset: number, n: number): Example[] =>
    Array.from({ length: n }, (_, j) => {
      const i = offset + j;
      const { scene, captions } = shapesItem(seed, i);
      const key = `shape-${seed}-${i}`;
      pixels.set(key, preprocess(renderScene(scene), PRESETS.tiny));
      scenes.set(key, scene);
      return { key, captions: captionFor ? captionFor(captions) : captions };
    });
  const train = make(0, counts.train);
  const val = make(counts.train, counts.val);
  const test = make(counts.train + counts.val, counts.test);
  return {
    train,
    val,
    test,
    scenes,
    preprocessing: 'tiny-64',
    async loadImages(keys, size) {
      const per = size * size * 3;
      const out = new Float32Array(keys.length * per);
      keys.forEach((k, i) => out.set(pixels.get(k)!, i * per));
      return out;
    },
  };
}
