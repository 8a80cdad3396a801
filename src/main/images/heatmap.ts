// Renders a model's per-word map over its photo as a PNG: the map is upsampled smoothly (bilinear)
// to the photo, coloured blue (low) → red (high) and blended at up to 60%. Used by the headless
// demo and the CLI; the app draws the same thing on a canvas.
import sharp from 'sharp';
import { decodeFile } from './decode';

/** Blue → cyan → yellow → red for t in [0, 1], as 0–255 RGB. */
export function heatColour(t: number): [number, number, number] {
  const c = (v: number) => Math.round(255 * Math.min(1, Math.max(0, v)));
  return [c(1.5 * t - 0.25), c(1.5 - Math.abs(3 * t - 1.5)), c(1.25 - 1.5 * t)];
}

/**
 * Bilinear upsampling of a row-major [h, w] map to [H, W], sampling at pixel centres (the map cell
 * (i, j) covers the photo's block i, j), normalised to [0, 1].
 */
export function upsampleMap(
  map: ArrayLike<number>,
  h: number,
  w: number,
  H: number,
  W: number,
): Float32Array {
  if (map.length !== h * w) throw new Error(`A ${h}×${w} map needs ${h * w} values, not ${map.length}.`);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < map.length; i++) {
    lo = Math.min(lo, map[i]);
    hi = Math.max(hi, map[i]);
  }
  const span = hi > lo ? hi - lo : 1;
  const out = new Float32Array(H * W);
  for (let y = 0; y < H; y++) {
    const fy = Math.min(h - 1, Math.max(0, ((y + 0.5) * h) / H - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(h - 1, y0 + 1);
    const dy = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = Math.min(w - 1, Math.max(0, ((x + 0.5) * w) / W - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(w - 1, x0 + 1);
      const dx = fx - x0;
      const v =
        (map[y0 * w + x0] * (1 - dx) + map[y0 * w + x1] * dx) * (1 - dy) +
        (map[y1 * w + x0] * (1 - dx) + map[y1 * w + x1] * dx) * dy;
      out[y * W + x] = (v - lo) / span;
    }
  }
  return out;
}

/** The photo at `size` px on its long side with the map blended over it, as PNG bytes. */
export async function renderHeatmapPng(
  photoPath: string,
  map: ArrayLike<number>,
  h: number,
  w: number,
  size = 256,
): Promise<Buffer> {
  const img = await decodeFile(photoPath);
  const scale = size / Math.max(img.width, img.height);
  const W = Math.max(1, Math.round(img.width * scale));
  const H = Math.max(1, Math.round(img.height * scale));
  const base = await sharp(Buffer.from(img.data), {
    raw: { width: img.width, height: img.height, channels: 3 },
  })
    .resize(W, H, { kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  const heat = upsampleMap(map, h, w, H, W);
  const out = Buffer.alloc(W * H * 3);
  for (let i = 0; i < W * H; i++) {
    const t = heat[i];
    const a = 0.25 + 0.35 * t;
    const c = heatColour(t);
    for (let k = 0; k < 3; k++) out[i * 3 + k] = Math.round(base[i * 3 + k] * (1 - a) + c[k] * a);
  }
  return sharp(out, { raw: { width: W, height: H, channels: 3 } })
    .png()
    .toBuffer();
}
