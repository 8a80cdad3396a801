// The heatmap overlay: colormaps (jet, viridis, inferno, turbo, grey), how much of the photo each
// level covers (nothing below a third of the map's range, rising to the chosen opacity at the
// peak), and the overlay's pixels: the map's values upsampled bilinearly to the photo's size, then
// coloured (interpolating values, not colours, keeps the colormap's own colours).

export const COLORMAPS = ['jet', 'viridis', 'inferno', 'turbo', 'grey'] as const;
export type Colormap = (typeof COLORMAPS)[number];

export const isColormap = (x: unknown): x is Colormap => COLORMAPS.includes(x as Colormap);

type Rgb = [number, number, number];

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

/** Jet-like: blue → cyan → yellow → red. */
export function heatColour(t: number): Rgb {
  const r = clamp01(1.5 * t - 0.25);
  const g = clamp01(1.5 - Math.abs(3 * t - 1.5));
  const b = clamp01(1.25 - 1.5 * t);
  return [r * 255, g * 255, b * 255];
}

// Matplotlib's viridis and inferno sampled at nine evenly spaced points (sRGB), linear between.
const VIRIDIS: readonly Rgb[] = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 73, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [110, 206, 88],
  [253, 231, 37],
];
const INFERNO: readonly Rgb[] = [
  [0, 0, 4],
  [27, 12, 65],
  [74, 12, 107],
  [120, 28, 109],
  [165, 44, 96],
  [207, 68, 70],
  [237, 105, 37],
  [251, 155, 6],
  [252, 255, 164],
];

// Turbo (Google's improved rainbow) at nine points: the ends from its published table, the inner
// seven from its published polynomial fit.
const TURBO: readonly Rgb[] = [
  [48, 18, 59],
  [68, 106, 238],
  [38, 189, 225],
  [64, 243, 146],
  [150, 250, 80],
  [238, 208, 45],
  [255, 128, 29],
  [201, 45, 12],
  [122, 4, 3],
];

function fromStops(stops: readonly Rgb[], t: number): Rgb {
  const x = clamp01(t) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [stops[i], stops[i + 1]];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** The colour (0–255 per channel) of a map value t in [0, 1] under a colormap. */
export function colourOf(map: Colormap, t: number): Rgb {
  switch (map) {
    case 'jet':
      return heatColour(clamp01(t));
    case 'viridis':
      return fromStops(VIRIDIS, t);
    case 'inferno':
      return fromStops(INFERNO, t);
    case 'turbo':
      return fromStops(TURBO, t);
    case 'grey':
      return [clamp01(t) * 255, clamp01(t) * 255, clamp01(t) * 255];
  }
}

/** Alpha (0–255) of a map value t in [0, 1] at an overlay opacity in [0, 1]. */
export function heatAlpha(t: number, opacity: number): number {
  const a = clamp01((t - 1 / 3) * 1.5);
  return Math.round(255 * clamp01(opacity) * a);
}

/** For each of N output positions over n inputs: the lower input index and the weight of the upper. */
function axis(n: number, N: number): { i0: Int32Array; f: Float32Array; step: number } {
  const i0 = new Int32Array(N);
  const f = new Float32Array(N);
  for (let o = 0; o < N && n > 1; o++) {
    const s = Math.min(n - 1, Math.max(0, ((o + 0.5) * n) / N - 0.5));
    i0[o] = Math.min(n - 2, Math.floor(s));
    f[o] = s - i0[o];
  }
  return { i0, f, step: n > 1 ? 1 : 0 };
}

/**
 * Bilinear upsampling of a row-major h×w map to H×W, pixel centres aligned (as image resizers do:
 * output pixel x samples the map at (x + ½)·w/W − ½, clamped at the edges).
 */
export function upsampleBilinear(
  map: ArrayLike<number>,
  h: number,
  w: number,
  H: number,
  W: number,
): Float32Array {
  const out = new Float32Array(H * W);
  const xa = axis(w, W);
  const ya = axis(h, H);
  for (let y = 0; y < H; y++) {
    const r0 = ya.i0[y] * w;
    const r1 = r0 + ya.step * w;
    const fy = ya.f[y];
    for (let x = 0; x < W; x++) {
      const x0 = xa.i0[x];
      const x1 = x0 + xa.step;
      const fx = xa.f[x];
      const top = map[r0 + x0] * (1 - fx) + map[r0 + x1] * fx;
      const bottom = map[r1 + x0] * (1 - fx) + map[r1 + x1] * fx;
      out[y * W + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** The map scaled to [0, 1] by its own range (all zeros when flat). */
export function normalise(map: ArrayLike<number>): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < map.length; i++) {
    lo = Math.min(lo, map[i]);
    hi = Math.max(hi, map[i]);
  }
  const out = new Float32Array(map.length);
  if (hi > lo) for (let i = 0; i < map.length; i++) out[i] = (map[i] - lo) / (hi - lo);
  return out;
}

/**
 * The overlay's RGBA pixels (H×W, row-major) for an h×w map: normalised to its range, upsampled
 * bilinearly, coloured by the colormap and transparent where the map is low. Drawn over the photo.
 */
export function overlayPixels(
  map: ArrayLike<number>,
  h: number,
  w: number,
  H: number,
  W: number,
  colormap: Colormap,
  opacity: number,
): Uint8ClampedArray<ArrayBuffer> {
  const up = upsampleBilinear(normalise(map), h, w, H, W);
  // A 256-level table: the colour and alpha of every level, computed once.
  const lut = new Uint8ClampedArray(256 * 4);
  for (let k = 0; k < 256; k++) {
    const [r, g, b] = colourOf(colormap, k / 255);
    lut.set([r, g, b, heatAlpha(k / 255, opacity)], k * 4);
  }
  const px = new Uint8ClampedArray(H * W * 4);
  for (let i = 0; i < up.length; i++) {
    const k = Math.round(clamp01(up[i]) * 255) * 4;
    px[i * 4] = lut[k];
    px[i * 4 + 1] = lut[k + 1];
    px[i * 4 + 2] = lut[k + 2];
    px[i * 4 + 3] = lut[k + 3];
  }
  return px;
}
