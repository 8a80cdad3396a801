// What the trainer trains on: images (by a stable key) with their reference captions per split, a
// loader of preprocessed pixels, and the batching: seeded order per epoch, captions as padded ids.
import { mixSeed, mulberry32, shuffled } from '../../util/rng';
import type { Tokenizer } from '../../text/tokenizer';

export interface Example {
  /** Stable id of the image (its content hash), used for the feature cache and the order. */
  key: string;
  captions: string[];
}

export interface TrainData {
  train: Example[];
  val: Example[];
  test: Example[];
  /** Preprocessed pixels of these images at `size`×`size`, HWC floats, concatenated. */
  loadImages(keys: string[], size: number): Promise<Float32Array>;
  /** Names the preprocessing (e.g. "tiny-64-pil-bilinear"): part of the feature-cache key. */
  preprocessing: string;
}

/** One training sample: an image and one of its captions. */
export interface Sample {
  key: string;
  caption: string;
}

/** The samples of an epoch in their seeded order (the same for a seed and epoch, so resume replays it). */
export function epochSamples(
  examples: readonly Example[],
  mode: 'all' | 'one',
  seed: number,
  epoch: number,
): Sample[] {
  const rng = mulberry32(mixSeed(seed, epoch, 0x7e));
  const samples =
    mode === 'all'
      ? examples.flatMap((e) => e.captions.map((caption) => ({ key: e.key, caption })))
      : examples.map((e) => ({ key: e.key, caption: e.captions[Math.floor(rng() * e.captions.length)] }));
  return shuffled(rng, samples);
}

/**
 * Captions → [B, T] ids (bos … eos, then pad), T = the longest in the batch, at most maxLength, and
 * the mask of real tokens [B, T] (1 for bos, content, eos): the pad id may also be a real id.
 */
export function encodeCaptions(
  tok: Tokenizer,
  captions: readonly string[],
  maxLength: number,
): { ids: Int32Array; mask: Float32Array; t: number } {
  const seqs = captions.map((c) => [tok.bosId, ...tok.encode(c).slice(0, maxLength - 2), tok.eosId]);
  const t = Math.max(...seqs.map((s) => s.length));
  const ids = new Int32Array(captions.length * t).fill(tok.padId);
  const mask = new Float32Array(captions.length * t);
  seqs.forEach((s, i) => {
    ids.set(s, i * t);
    mask.fill(1, i * t, i * t + s.length);
  });
  return { ids, mask, t };
}

export function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}
