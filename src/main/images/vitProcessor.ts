// ViTImageProcessor as transformers runs it on a decoded RGB image: resize to the configured size
// with PIL's antialiased bilinear filter (resample 2) on 8-bit pixels, rescale by 1/255, normalise
// with the config's mean and std, and lay the result out channels-first ([3, H, W] pixel_values).
import { AppError } from '../../shared/result';
import type { RgbImage } from './decode';
import { resizePilBilinear, type Pixels } from './preprocess';

export interface VitProcessorConfig {
  doResize: boolean;
  height: number;
  width: number;
  /** PIL resample code; only 2 (BILINEAR) is implemented. */
  resample: 2;
  doRescale: boolean;
  rescaleFactor: number;
  doNormalize: boolean;
  mean: [number, number, number];
  std: [number, number, number];
}

/** ViTImageProcessor's defaults (IMAGENET_STANDARD mean/std 0.5) at a given square size. */
export const vitProcessorDefaults = (size: number): VitProcessorConfig => ({
  doResize: true,
  height: size,
  width: size,
  resample: 2,
  doRescale: true,
  rescaleFactor: 1 / 255,
  doNormalize: true,
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
});

const bad = (what: string) =>
  new AppError('invalid_argument', `preprocessor_config.json: ${what}. Use the checkpoint's own file.`);

function triple(v: unknown, key: string, dflt: [number, number, number]): [number, number, number] {
  if (v === undefined || v === null) return dflt;
  const arr = typeof v === 'number' ? [v, v, v] : v;
  if (
    !Array.isArray(arr) ||
    arr.length !== 3 ||
    !arr.every((x) => typeof x === 'number' && Number.isFinite(x))
  )
    throw bad(`"${key}" is ${JSON.stringify(v)}; expected three numbers`);
  if (key === 'image_std' && arr.some((x) => x === 0)) throw bad('"image_std" has a zero');
  return [arr[0], arr[1], arr[2]];
}

function flag(j: Record<string, unknown>, key: string, dflt: boolean): boolean {
  const v = j[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw bad(`"${key}" is ${JSON.stringify(v)}; expected true or false`);
  return v;
}

/**
 * Reads a ViTImageProcessor / ViTFeatureExtractor preprocessor_config.json. `size` may be a number
 * (old feature extractors) or {height, width}; resample must be 2 (PIL BILINEAR).
 */
export function parseVitProcessor(json: unknown, defaultSize: number): VitProcessorConfig {
  if (json === undefined) return vitProcessorDefaults(defaultSize);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw bad('it is not a JSON object');
  const j = json as Record<string, unknown>;
  const type = j.image_processor_type ?? j.feature_extractor_type;
  if (type !== undefined && !/^ViT(ImageProcessor|FeatureExtractor)(Fast)?$/.test(String(type)))
    throw bad(`the processor is ${JSON.stringify(type)}, not ViTImageProcessor`);
  const d = vitProcessorDefaults(defaultSize);
  let height = d.height;
  let width = d.width;
  const size = j.size;
  if (typeof size === 'number') height = width = size;
  else if (size && typeof size === 'object' && 'height' in size && 'width' in size) {
    height = (size as { height: number }).height;
    width = (size as { width: number }).width;
  } else if (size !== undefined && size !== null)
    throw bad(`"size" is ${JSON.stringify(size)}; expected a number or {"height", "width"}`);
  for (const v of [height, width])
    if (!Number.isInteger(v) || v < 1 || v > 4096)
      throw bad(`size ${JSON.stringify(size)} is not 1..4096 pixels`);
  const resample = j.resample ?? 2;
  if (resample !== 2)
    throw bad(
      `"resample": ${JSON.stringify(resample)} is not supported; only 2 (PIL BILINEAR) is implemented`,
    );
  const rescaleFactor = j.rescale_factor ?? 1 / 255;
  if (typeof rescaleFactor !== 'number' || !(rescaleFactor > 0))
    throw bad('"rescale_factor" is not a positive number');
  return {
    doResize: flag(j, 'do_resize', true),
    height,
    width,
    resample: 2,
    doRescale: flag(j, 'do_rescale', true),
    rescaleFactor,
    doNormalize: flag(j, 'do_normalize', true),
    mean: triple(j.image_mean, 'image_mean', d.mean),
    std: triple(j.image_std, 'image_std', d.std),
  };
}

/** The preprocessor_config.json ViTImageProcessor (transformers 4.46) writes for this config. */
export function vitProcessorJson(p: VitProcessorConfig): Record<string, unknown> {
  return {
    do_convert_rgb: null,
    do_normalize: p.doNormalize,
    do_rescale: p.doRescale,
    do_resize: p.doResize,
    image_mean: [...p.mean],
    image_processor_type: 'ViTImageProcessor',
    image_std: [...p.std],
    resample: p.resample,
    rescale_factor: p.rescaleFactor,
    size: { height: p.height, width: p.width },
  };
}

/**
 * pixel_values for one image, [3, H, W] channels-first float32, as ViTImageProcessor returns them
 * (its resize goes through PIL on the 8-bit image, so the resized values are whole numbers).
 */
export function vitPixelValues(img: RgbImage | Pixels<Uint8Array>, p: VitProcessorConfig): Float32Array {
  const px = p.doResize ? resizePilBilinear(img, p.width, p.height) : img;
  const { width: W, height: H } = px;
  const out = new Float32Array(3 * H * W);
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(p.doNormalize ? p.mean[c] : 0);
    const std = Math.fround(p.doNormalize ? p.std[c] : 1);
    const scale = p.doRescale ? p.rescaleFactor : 1;
    for (let i = 0; i < H * W; i++) {
      // transformers' order and rounding: rescale in float64 → float32, then normalise in float32.
      const x = Math.fround(px.data[i * 3 + c] * scale);
      out[c * H * W + i] = Math.fround(x - mean) / std;
    }
  }
  return out;
}
