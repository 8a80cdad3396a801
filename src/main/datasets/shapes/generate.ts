// Generates the shapes dataset: renders `count` seeded scenes to PNG files with caption sidecars
// in `datasets/shapes-<seed>/` beside the database, imports them (approved captions), stores each
// scene's ground truth and gives every new image a seeded split.
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { AppError } from '../../../shared/result';
import type { ShapesReport } from '../../../shared/types';
import type { Store } from '../../db/index';
import { encodePng } from '../../images/decode';
import { importFolder } from '../folder';
import { hashBytes } from '../ingest';
import { mixSeed, mulberry32 } from '../../util/rng';
import { assignSplits } from '../splits';
import { describeScene } from './captions';
import { renderScene } from './render';
import { generateScene, type Scene } from './scene';

export interface ShapesOptions {
  count: number;
  seed: number;
  /** Image side in pixels (64: the tiny presets' input size). */
  size?: number;
  /** True captions per image (5, like Flickr8k and COCO). */
  captionsPerImage?: number;
  /** Where the files go; default `<db dir>/datasets/shapes-<seed>`. */
  dir?: string;
  thumbsDir: string;
  signal?: AbortSignal;
  jobId?: string;
  onProgress?: (done: number, total: number, message: string) => void;
}

export const shapesDirFor = (dbPath: string, seed: number): string =>
  join(dbPath === ':memory:' ? tmpdir() : dirname(dbPath), 'datasets', `shapes-${seed}`);

/** Scene i of a seed: its own generator stream, so scene i is the same whatever the count. */
export function shapesItem(seed: number, i: number, size = 64, captionsPerImage = 5) {
  const rng = mulberry32(mixSeed(seed, i));
  const scene = generateScene(rng, size);
  return { scene, captions: describeScene(scene, rng, captionsPerImage) };
}

export async function generateShapesDataset(store: Store, opts: ShapesOptions): Promise<ShapesReport> {
  const { count, seed } = opts;
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000)
    throw new AppError(
      'invalid_argument',
      `--count must be a whole number from 1 to 1,000,000 (got ${count}).`,
    );
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new AppError(
      'invalid_argument',
      `--seed must be a whole number from 0 to 4294967295 (got ${seed}).`,
    );
  const size = opts.size ?? 64;
  if (!Number.isInteger(size) || size < 32 || size > 1024)
    throw new AppError(
      'invalid_argument',
      `--size must be a whole number of pixels from 32 to 1024 (got ${size}).`,
    );
  const dir = opts.dir ?? shapesDirFor(store.path, seed);
  mkdirSync(dir, { recursive: true });

  const scenes = new Map<string, Scene>();
  const width = String(count - 1).length;
  for (let i = 0; i < count; i++) {
    opts.signal?.throwIfAborted();
    const { scene, captions } = shapesItem(seed, i, size, opts.captionsPerImage ?? 5);
    const png = await encodePng(renderScene(scene));
    const name = `shape-${String(i).padStart(Math.max(width, 5), '0')}`;
    await writeFile(join(dir, `${name}.png`), png);
    await writeFile(join(dir, `${name}.txt`), captions.join('\n') + '\n');
    scenes.set(hashBytes(png), scene);
    opts.onProgress?.(i + 1, count * 2, `rendered ${name}.png`);
  }

  const report = await importFolder(store, dir, {
    thumbsDir: opts.thumbsDir,
    status: 'approved',
    collection: `shapes-${seed}`,
    signal: opts.signal,
    jobId: opts.jobId,
    onProgress: (done, total, path) =>
      opts.onProgress?.(count + Math.round((done / total) * count), count * 2, path),
  });

  const repo = store.scenes;
  store.transaction(
    () => {
      const known = [...scenes.keys()].flatMap((hash) => {
        const img = store.images.byHash(hash);
        return img ? [img] : [];
      });
      const splits = assignSplits(
        known.map((img) => ({ hash: img.hash, split: img.split })),
        { seed, mode: 'exact' },
      );
      for (const img of known) {
        repo.put(img.id, scenes.get(img.hash)!);
        if (img.split === null) store.images.setSplit(img.id, splits.get(img.hash)!);
      }
    },
    { immediate: true },
  );
  return { dir, seed, count, import: report };
}
