// What the trainer feeds a model: training-only augmentation (a seeded random crop of each image,
// resized back to the model's input; no flip, which would teach "left of" as "right of"), and the
// frozen-encoder feature cache, which holds a fixed number of crops per image keyed by crop.
// Evaluation always sees the whole image. Pixels arrive normalised by the preprocessing.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { mixSeed, mulberry32 } from '../../util/rng';
import type { CaptionModel } from '../models/contract';
import { FeatureCache, DEFAULT_CACHE_BUDGET } from './cache';
import type { TrainData } from './data';

export interface AugmentConfig {
  seed: number;
  /** Side of the random crop as a fraction of the image side (1 = no augmentation). */
  cropScale: number;
  /** With a frozen encoder: the crops per image whose features are cached (each epoch picks one). */
  cachedCrops: number;
}

/** A crop box [y1, x1, y2, x2] in [0, 1] (tf.image.cropAndResize's form), or null for the whole image. */
export type Box = [number, number, number, number] | null;

/** A 32-bit number of an image key (FNV-1a), to seed its crops. */
function keyNumber(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function boxFrom(rng: () => number, scale: number): [number, number, number, number] {
  const y = rng() * (1 - scale);
  const x = rng() * (1 - scale);
  return [y, x, y + scale, x + scale];
}

/**
 * The crop of an image in a training epoch, seeded by (seed, epoch, image). With a frozen encoder it
 * is one of `cachedCrops` fixed crops of the image (seeded by (seed, image, crop)), so the cache holds
 * a bounded number of features per image; `crop` names it (null: no augmentation).
 */
export function trainCrop(
  a: AugmentConfig,
  key: string,
  epoch: number,
  frozen: boolean,
): { box: Box; crop: number | null } {
  if (a.cropScale >= 1) return { box: null, crop: null };
  const pick = mulberry32(mixSeed(a.seed, epoch, keyNumber(key), 0xc7));
  if (!frozen) return { box: boxFrom(pick, a.cropScale), crop: null };
  const crop = Math.floor(pick() * a.cachedCrops);
  return { box: boxFrom(mulberry32(mixSeed(a.seed, keyNumber(key), crop, 0xc8)), a.cropScale), crop };
}

/** Model inputs for training and evaluation: pixels (cropped for training) or cached features. */
export class FeatureSource {
  private readonly mem = new Map<string, { shape: number[]; data: Float32Array }>();
  private readonly disk: FeatureCache | null;
  private fingerprint: string | null = null;

  constructor(
    private readonly model: CaptionModel,
    private readonly data: TrainData,
    private readonly augment: AugmentConfig,
    cache: { dir?: string | null; budgetBytes?: number },
  ) {
    this.disk = cache.dir ? new FeatureCache(cache.dir, cache.budgetBytes ?? DEFAULT_CACHE_BUDGET) : null;
  }

  /** The encoder weights changed (fine-tuning, the best checkpoint loaded): cached features are stale. */
  encoderChanged(): void {
    this.fingerprint = null;
  }

  /** images [B, S, S, 3], each cropped to its box and resized back (whole images where the box is null). */
  async images(keys: readonly string[], boxes: readonly Box[] = []): Promise<tf.Tensor4D> {
    const s = this.model.imageSize;
    const px = await this.data.loadImages([...keys], s);
    const whole = tf.tensor4d(px, [keys.length, s, s, 3]); // [B, S, S, 3]
    if (!boxes.some((b) => b)) return whole;
    const cropped = tf.image.cropAndResize(
      whole,
      boxes.map((b) => b ?? [0, 0, 1, 1]),
      keys.map((_, i) => i),
      [s, s],
      'bilinear',
    ); // [B, S, S, 3]
    whole.dispose();
    return cropped;
  }

  /** A training batch's input: cached features of its crops (frozen encoder) or its cropped pixels. */
  async train(keys: readonly string[], epoch: number, frozen: boolean): Promise<tf.Tensor> {
    const crops = keys.map((k) => trainCrop(this.augment, k, epoch, frozen));
    if (!frozen)
      return this.images(
        keys,
        crops.map((c) => c.box),
      );
    return this.cached(
      keys,
      crops.map((c) => c.box),
      crops.map((c) => (c.crop === null ? 'whole' : `crop${c.crop}of${this.augment.cachedCrops}`)),
    );
  }

  /** Evaluation input (no gradient, never augmented): cached features when frozen, else computed now. */
  async eval(keys: readonly string[], frozen: boolean): Promise<tf.Tensor> {
    if (frozen)
      return this.cached(
        keys,
        keys.map(() => null),
        keys.map(() => 'whole'),
      );
    const imgs = await this.images(keys);
    const f = tf.tidy(() => this.model.features(imgs));
    imgs.dispose();
    return f;
  }

  /** The model's encoder config and weights, so changed weights never hit stale features. */
  private async encoderFingerprint(): Promise<string> {
    const h = createHash('sha256').update(
      JSON.stringify([this.model.config.model, (this.model.config as { encoder?: unknown }).encoder]),
    );
    for (const [name, v] of this.model.params.entries())
      if (this.model.isEncoderParam(name)) {
        h.update(name);
        h.update(new Uint8Array(((await v.data()) as Float32Array).buffer));
      }
    return h.digest('hex');
  }

  /** Features of a frozen encoder per (image, crop), from the cache or computed (and cached) now: [B, ...]. */
  private async cached(keys: readonly string[], boxes: readonly Box[], crops: readonly string[]) {
    this.fingerprint ??= await this.encoderFingerprint();
    const fp = this.fingerprint;
    const ck = keys.map((k, i) => FeatureCache.key(fp, `${this.data.preprocessing}/${crops[i]}`, k));
    const found = ck.map((c) => this.mem.get(c) ?? this.disk?.get(c) ?? null);
    const missing = [...new Set(ck.filter((_, i) => !found[i]))];
    if (missing.length) {
      const at = missing.map((c) => ck.indexOf(c));
      const imgs = await this.images(
        at.map((i) => keys[i]),
        at.map((i) => boxes[i]),
      );
      const f = tf.tidy(() => this.model.features(imgs)); // [M, ...]
      imgs.dispose();
      const all = (await f.data()) as Float32Array;
      const shape = f.shape.slice(1);
      const per = all.length / missing.length;
      f.dispose();
      missing.forEach((c, j) => {
        const d = all.slice(j * per, (j + 1) * per);
        if (this.disk) this.disk.put(c, shape, d);
        // float16 round trip here too, so the first epoch sees what later ones read back
        const back = this.disk?.get(c) ?? { shape, data: d };
        if (!this.disk) this.mem.set(c, back);
        ck.forEach((cc, i) => cc === c && (found[i] = back));
      });
    }
    const shape = found[0]!.shape;
    const per = found[0]!.data.length;
    const buf = new Float32Array(keys.length * per);
    found.forEach((f, i) => buf.set(f!.data, i * per));
    return tf.tensor(buf, [keys.length, ...shape]);
  }
}
