// Cached WebP thumbnails for the grid: one file per content hash in a `thumbs/` folder beside the
// database, made on import and again whenever it is missing. Making one decodes the whole
// image, so it doubles as the import's integrity check.
import { existsSync, mkdirSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { FLATTEN_BACKGROUND, fromSharp, openSharp, probeImage, type DecodeOptions } from './decode';

/** Long side of a thumbnail: a 4-column grid on a 1080p screen, sharp on a 2× display at ~128 px. */
export const THUMB_SIZE = 256;

/** The thumbnails folder of a library: `<db dir>/thumbs` (the OS temp folder for `:memory:`). */
export function thumbsDirFor(dbPath: string): string {
  return dbPath === ':memory:' ? join(tmpdir(), 'caption-studio-thumbs') : join(dirname(dbPath), 'thumbs');
}

export const thumbPath = (dir: string, hash: string): string => join(dir, `${hash}.webp`);

/** Renders a thumbnail (EXIF-oriented, alpha on white, at most THUMB_SIZE on the long side). */
export async function renderThumbnail(
  bytes: Uint8Array,
  opts: DecodeOptions & { size?: number } = {},
): Promise<Buffer> {
  const info = await probeImage(bytes, opts);
  const size = opts.size ?? THUMB_SIZE;
  try {
    return await openSharp(bytes, opts)
      .rotate()
      .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: FLATTEN_BACKGROUND })
      .webp({ quality: 80 })
      .toBuffer();
  } catch (e) {
    throw fromSharp(e, info.format);
  }
}

/**
 * Makes `<dir>/<hash>.webp` unless it exists; returns its path. Written to a temporary name and
 * renamed, so a crash never leaves half a thumbnail under the real name.
 */
export async function ensureThumbnail(
  dir: string,
  hash: string,
  bytes: Uint8Array | (() => Promise<Uint8Array>),
  opts: DecodeOptions = {},
): Promise<{ path: string; created: boolean }> {
  const path = thumbPath(dir, hash);
  if (existsSync(path)) return { path, created: false };
  const data = typeof bytes === 'function' ? await bytes() : bytes;
  const webp = await renderThumbnail(data, opts);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, webp);
  await rename(tmp, path);
  return { path, created: true };
}
