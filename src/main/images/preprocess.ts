// Model preprocessing as pure functions over decoded RGB: resize (a stated kernel, including
// PIL's antialiased bilinear that Hugging Face image processors use), centre crop, seeded random
// crop and horizontal flip, and per-model normalisation to a Float32Array, HWC.
import type { RgbImage } from './decode';

/** 3-channel pixels, row-major HWC; bytes after decoding, floats in [0, 255] after a float resize. */
export interface Pixels<T extends Uint8Array | Float32Array = Uint8Array | Float32Array> {
  data: T;
  width: number;
  height: number;
}

export type ResizeKernel = 'pil-bilinear' | 'bilinear' | 'nearest';

// ---- PIL-compatible antialiased bilinear (Pillow src/libImaging/Resample.c) --------------------
// Pillow resizes in two passes (horizontal, then vertical on an 8-bit intermediate). For each
// output pixel it centres a triangle filter on (x + 0.5) · scale in input coordinates; when
// shrinking (scale > 1) the filter's support is widened by the scale, so every input pixel
// contributes (that is the antialiasing). Weights are normalised to sum 1, then turned into
// 22-bit fixed point (PRECISION_BITS = 32 - 8 - 2), and each sum starts at one half for rounding
// and is clipped to 0..255.

const PRECISION_BITS = 22;

/** Per output pixel: the first input index and the fixed-point weights. */
export function pilCoefficients(
  inSize: number,
  outSize: number,
): Array<{ start: number; weights: number[] }> {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = 1 * filterscale; // bilinear support is 1
  const out: Array<{ start: number; weights: number[] }> = [];
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C's (int) truncates toward zero; negative values are clamped to 0 next anyway.
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    const w: number[] = [];
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) / filterscale);
      const v = t < 1 ? 1 - t : 0;
      w.push(v);
      sum += v;
    }
    const weights = w.map((v) => {
      const k = sum !== 0 ? v / sum : v;
      return Math.trunc(k < 0 ? -0.5 + k * 2 ** PRECISION_BITS : 0.5 + k * 2 ** PRECISION_BITS);
    });
    out.push({ start: xmin, weights });
  }
  return out;
}

const clip8 = (acc: number): number => Math.min(255, Math.max(0, Math.floor(acc / 2 ** PRECISION_BITS)));

/** Pillow's `Image.resize(size, Image.BILINEAR)` on an 8-bit RGB image, bit for bit. */
export function resizePilBilinear(
  img: Pixels<Uint8Array>,
  width: number,
  height: number,
): Pixels<Uint8Array> {
  checkSize(width, height);
  let src = img;
  if (width !== img.width) {
    const cx = pilCoefficients(img.width, width);
    const out = new Uint8Array(width * img.height * 3);
    for (let y = 0; y < img.height; y++)
      for (let xx = 0; xx < width; xx++) {
        const { start, weights } = cx[xx];
        for (let c = 0; c < 3; c++) {
          let acc = 2 ** (PRECISION_BITS - 1);
          for (let k = 0; k < weights.length; k++)
            acc += src.data[(y * src.width + start + k) * 3 + c] * weights[k];
          out[(y * width + xx) * 3 + c] = clip8(acc);
        }
      }
    src = { data: out, width, height: img.height };
  }
  if (height !== img.height) {
    const cy = pilCoefficients(img.height, height);
    const out = new Uint8Array(width * height * 3);
    for (let yy = 0; yy < height; yy++) {
      const { start, weights } = cy[yy];
      for (let x = 0; x < width; x++)
        for (let c = 0; c < 3; c++) {
          let acc = 2 ** (PRECISION_BITS - 1);
          for (let k = 0; k < weights.length; k++)
            acc += src.data[((start + k) * width + x) * 3 + c] * weights[k];
          out[(yy * width + x) * 3 + c] = clip8(acc);
        }
    }
    src = { data: out, width, height };
  }
  return src === img ? { data: img.data.slice(), width, height } : src;
}

// ---- other kernels ----------------------------------------------------------------------------

/**
 * Bilinear without antialiasing, half-pixel centres: `tf.image.resize(img, [h, w])` (TF 2 default,
 * what the TensorFlow captioning tutorial does before Inception v3). Floats, not rounded.
 */
export function resizeBilinear(img: Pixels, width: number, height: number): Pixels<Float32Array> {
  checkSize(width, height);
  const out = new Float32Array(width * height * 3);
  const sx = img.width / width;
  const sy = img.height / height;
  const axis = (o: number, s: number, n: number) => {
    const f = (o + 0.5) * s - 0.5;
    const lo = Math.floor(f);
    return { a: Math.min(Math.max(lo, 0), n - 1), b: Math.min(Math.max(lo + 1, 0), n - 1), t: f - lo };
  };
  for (let y = 0; y < height; y++) {
    const ay = axis(y, sy, img.height);
    for (let x = 0; x < width; x++) {
      const ax = axis(x, sx, img.width);
      for (let c = 0; c < 3; c++) {
        const p = (yy: number, xx: number) => img.data[(yy * img.width + xx) * 3 + c];
        const top = p(ay.a, ax.a) + (p(ay.a, ax.b) - p(ay.a, ax.a)) * ax.t;
        const bot = p(ay.b, ax.a) + (p(ay.b, ax.b) - p(ay.b, ax.a)) * ax.t;
        out[(y * width + x) * 3 + c] = top + (bot - top) * ay.t;
      }
    }
  }
  return { data: out, width, height };
}

/** Nearest neighbour, the pixel whose centre is closest (half-pixel centres). */
export function resizeNearest<T extends Uint8Array | Float32Array>(
  img: Pixels<T>,
  width: number,
  height: number,
): Pixels<T> {
  checkSize(width, height);
  const out = alloc(img.data, width * height * 3);
  for (let y = 0; y < height; y++) {
    const iy = Math.min(img.height - 1, Math.floor((y + 0.5) * (img.height / height)));
    for (let x = 0; x < width; x++) {
      const ix = Math.min(img.width - 1, Math.floor((x + 0.5) * (img.width / width)));
      for (let c = 0; c < 3; c++) out[(y * width + x) * 3 + c] = img.data[(iy * img.width + ix) * 3 + c];
    }
  }
  return { data: out, width, height };
}

export function resize(img: Pixels<Uint8Array>, width: number, height: number, kernel: ResizeKernel): Pixels {
  if (kernel === 'pil-bilinear') return resizePilBilinear(img, width, height);
  if (kernel === 'bilinear') return resizeBilinear(img, width, height);
  return resizeNearest(img, width, height);
}

// ---- crops and flips --------------------------------------------------------------------------

/** The `width` × `height` window at (left, top). */
export function crop<T extends Uint8Array | Float32Array>(
  img: Pixels<T>,
  left: number,
  top: number,
  width: number,
  height: number,
): Pixels<T> {
  if (left < 0 || top < 0 || left + width > img.width || top + height > img.height || width < 1 || height < 1)
    throw new RangeError(
      `Crop ${width}×${height} at (${left}, ${top}) does not fit in ${img.width}×${img.height}.`,
    );
  const out = alloc(img.data, width * height * 3);
  for (let y = 0; y < height; y++)
    out.set(
      img.data.subarray(((top + y) * img.width + left) * 3, ((top + y) * img.width + left + width) * 3),
      y * width * 3,
    );
  return { data: out, width, height };
}

/** Centre crop; an odd margin puts the extra pixel on the right/bottom (as torchvision rounds). */
export function centerCrop<T extends Uint8Array | Float32Array>(
  img: Pixels<T>,
  width: number,
  height: number,
): Pixels<T> {
  return crop(img, Math.round((img.width - width) / 2), Math.round((img.height - height) / 2), width, height);
}

/** A crop at a position drawn from `rng` (uniform over every position that fits). */
export function randomCrop<T extends Uint8Array | Float32Array>(
  img: Pixels<T>,
  width: number,
  height: number,
  rng: () => number,
): Pixels<T> {
  const left = Math.floor(rng() * (img.width - width + 1));
  const top = Math.floor(rng() * (img.height - height + 1));
  return crop(img, left, top, width, height);
}

export function flipHorizontal<T extends Uint8Array | Float32Array>(img: Pixels<T>): Pixels<T> {
  const out = alloc(img.data, img.data.length);
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++)
      for (let c = 0; c < 3; c++)
        out[(y * img.width + x) * 3 + c] = img.data[(y * img.width + (img.width - 1 - x)) * 3 + c];
  return { data: out, width: img.width, height: img.height };
}

// ---- normalisation and presets ----------------------------------------------------------------

export interface NormalizePreset {
  /** Square input side. */
  size: number;
  kernel: ResizeKernel;
  /** Per channel, applied as ((x / 255) - mean) / std. */
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/**
 * - inception: 299 px, [-1, 1] (Keras `inception_v3.preprocess_input`: x / 127.5 - 1), resized
 *   like `tf.image.resize` (bilinear, no antialiasing), as the TensorFlow captioning tutorial does.
 * - vit: 224 px, mean 0.5 std 0.5 (google/vit-base-patch16-224-in21k preprocessor_config.json),
 *   PIL bilinear (ViTImageProcessor's `resample: 2`), which antialiases when shrinking.
 * - tiny: 64 px for the CPU presets, [-1, 1] like both full models so the same code path feeds
 *   all of them, PIL bilinear because a photo shrunk to 64 px without antialiasing aliases badly.
 */
export const PRESETS = Object.freeze({
  inception: Object.freeze({
    size: 299,
    kernel: 'bilinear',
    mean: [0.5, 0.5, 0.5],
    std: [0.5, 0.5, 0.5],
  } as const),
  vit: Object.freeze({
    size: 224,
    kernel: 'pil-bilinear',
    mean: [0.5, 0.5, 0.5],
    std: [0.5, 0.5, 0.5],
  } as const),
  tiny: Object.freeze({
    size: 64,
    kernel: 'pil-bilinear',
    mean: [0.5, 0.5, 0.5],
    std: [0.5, 0.5, 0.5],
  } as const),
}) satisfies Record<string, NormalizePreset>;
export type PresetName = keyof typeof PRESETS;

/** ((x / 255) - mean) / std per channel, to a Float32Array in HWC order. */
export function normalize(img: Pixels, mean: readonly number[], std: readonly number[]): Float32Array {
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < img.data.length; i++) {
    const c = i % 3;
    out[i] = (img.data[i] / 255 - mean[c]) / std[c];
  }
  return out;
}

export interface PreprocessOptions {
  /** Training augmentation: resize to 1.125 × size, random crop back to size, flip with p = 0.5. */
  augment?: { rng: () => number };
}

/**
 * Decoded image → model input, [size, size, 3] HWC floats. Evaluation squashes the whole image to
 * size × size (as ViTImageProcessor does: no crop, aspect ratio not kept). Augmentation first
 * resizes to ceil(1.125 · size), a 12.5% margin like the 256 → 224 of ImageNet training recipes.
 */
export function preprocess(
  img: RgbImage | Pixels<Uint8Array>,
  preset: NormalizePreset,
  opts: PreprocessOptions = {},
): Float32Array {
  const { size } = preset;
  if (!opts.augment) return normalize(resize(img, size, size, preset.kernel), preset.mean, preset.std);
  const big = Math.ceil(size * 1.125);
  let px = randomCrop(resize(img, big, big, preset.kernel), size, size, opts.augment.rng);
  if (opts.augment.rng() < 0.5) px = flipHorizontal(px);
  return normalize(px, preset.mean, preset.std);
}

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new RangeError(`Resize target must be whole positive pixels, got ${width}×${height}.`);
}

function alloc<T extends Uint8Array | Float32Array>(like: T, n: number): T {
  return (like instanceof Float32Array ? new Float32Array(n) : new Uint8Array(n)) as T;
}
