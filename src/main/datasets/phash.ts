// Perceptual hashing for near-duplicate detection: dHash (Krawetz, "Kind of Like That", 2013) on a
// 9×8 grey image: each bit says whether a pixel is brighter than its right neighbour, 64 bits
// per image. Robust to resizing, recompression and small colour shifts; two images are near
// duplicates when their hashes differ in few bits (Krawetz: 0 the same picture, >10 different).
// Also a hash of the decoded pixels, equal for files that differ only in encoding or metadata.
// Grey levels are box-averaged into the grid (imagehash resizes with a Lanczos filter; on a
// thumbnail the difference is a bit or two at most, and every image is hashed the same way).
import { createHash } from 'node:crypto';
import type { RgbImage } from '../images/decode';

/** Default near-duplicate threshold in bits of 64, inside Krawetz's "≤ 10 likely similar". */
export const DEFAULT_PHASH_THRESHOLD = 8;

/** Grey level as PIL's convert('L') computes it (ITU-R 601-2 luma): (299 R + 587 G + 114 B) / 1000. */
const luma = (r: number, g: number, b: number) => (r * 299 + g * 587 + b * 114) / 1000;

/** Box-average of the grey image into a w × h grid (every source pixel in exactly one cell). */
export function greyGrid(img: RgbImage, w: number, h: number): Float64Array {
  const out = new Float64Array(w * h);
  const count = new Float64Array(w * h);
  for (let y = 0; y < img.height; y++) {
    const gy = Math.min(h - 1, Math.floor((y * h) / img.height));
    for (let x = 0; x < img.width; x++) {
      const gx = Math.min(w - 1, Math.floor((x * w) / img.width));
      const i = (y * img.width + x) * 3;
      out[gy * w + gx] += luma(img.data[i], img.data[i + 1], img.data[i + 2]);
      count[gy * w + gx]++;
    }
  }
  // A grid wider than the image leaves cells empty: give them their left neighbour's value.
  for (let i = 0; i < out.length; i++) out[i] = count[i] ? out[i] / count[i] : i % w ? out[i - 1] : 0;
  return out;
}

/**
 * Cells closer than this in grey level (0–255) count as equal: averaging a flat area over cells of
 * different pixel counts differs in the last bits of a float, and those must not become hash bits.
 */
const SAME_GREY = 1e-6;

/** dHash: 16 hex digits, row by row, bit set when a cell is brighter than the cell to its right. */
export function dhash(img: RgbImage): string {
  const g = greyGrid(img, 9, 8);
  let hex = '';
  for (let y = 0; y < 8; y++) {
    let byte = 0;
    for (let x = 0; x < 8; x++) byte = (byte << 1) | (g[y * 9 + x] > g[y * 9 + x + 1] + SAME_GREY ? 1 : 0);
    hex += byte.toString(16).padStart(2, '0');
  }
  return hex;
}

/** SHA-256 of the size and the decoded RGB pixels. */
export function pixelHash(img: RgbImage): string {
  return createHash('sha256').update(`${img.width}x${img.height}:`).update(img.data).digest('hex');
}

const popcount32 = (v: number): number => {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
};

/** A dHash as two 32-bit halves, for fast comparisons. */
export const splitHash = (hex: string): [number, number] => [
  parseInt(hex.slice(0, 8), 16) >>> 0,
  parseInt(hex.slice(8, 16), 16) >>> 0,
];

/** Number of differing bits between two dHashes. */
export function hamming(a: string, b: string): number {
  const [a1, a2] = splitHash(a);
  const [b1, b2] = splitHash(b);
  return popcount32((a1 ^ b1) >>> 0) + popcount32((a2 ^ b2) >>> 0);
}

/** Number of set bits in a dHash. */
export function bitCount(hex: string): number {
  const [a, b] = splitHash(hex);
  return popcount32(a) + popcount32(b);
}

/**
 * A dHash with (almost) no bit set or (almost) every bit set: the picture has no structure in grey
 * (a flat colour, a smooth left-to-right gradient). dHash cannot tell such pictures apart (a red and
 * a blue square hash alike), so they can only be exact duplicates, never near ones.
 */
export const featureless = (hex: string): boolean => {
  const bits = bitCount(hex);
  return bits <= 2 || bits >= 62;
};

/**
 * Groups of images whose dHashes are within `threshold` bits of another member (connected
 * components; all pairs compared, fine for tens of thousands of images). Singletons are left out.
 */
export function nearGroups(
  hashes: ReadonlyArray<{ id: number; dhash: string }>,
  threshold: number,
): number[][] {
  const n = hashes.length;
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  hashes.forEach((h, i) => ([hi[i], lo[i]] = splitHash(h.dhash)));
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      if (popcount32((hi[i] ^ hi[j]) >>> 0) + popcount32((lo[i] ^ lo[j]) >>> 0) <= threshold) {
        const a = find(i);
        const b = find(j);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    const g = groups.get(r) ?? [];
    g.push(hashes[i].id);
    groups.set(r, g);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}
