// Decodes image files to plain 8-bit RGB, the one way every format becomes pixels: EXIF orientation
// applied, grey/CMYK/16-bit/alpha converted the same way every time, a pixel limit against
// decompression bombs. The only module (with thumbs.ts) that imports sharp.
import sharp, { type Metadata, type Sharp } from 'sharp';
import { BoundedReadError, READ_CAPS, readBounded } from '../files/bounded';
import { ImageError, classifySharpError } from './errors';
import { FORMAT_NAMES, READABLE_FORMATS, sniffFormat, type SniffedFormat } from './sniff';

/** Decoded pixels, row-major HWC, 3 channels (R, G, B), one byte each. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3;
}

export interface DecodeOptions {
  /**
   * Refuse images with more pixels than this (width × height, before decoding). 100 MP covers
   * every camera photo (a 61 MP full-frame is 9504 × 6336) and stops a tiny file that claims
   * 50,000 × 50,000 pixels from allocating gigabytes.
   */
  maxPixels?: number;
}

export const DEFAULT_MAX_PIXELS = 100_000_000;

/** What the header says: the format and the size as displayed (after EXIF orientation). */
export interface ImageInfo {
  format: SniffedFormat;
  width: number;
  height: number;
}

/** Alpha is composited over white: transparent areas look like the page a person sees them on. */
export const FLATTEN_BACKGROUND = { r: 255, g: 255, b: 255 } as const;

/** The sharp instance for a file, with the pixel limit and strict failure on damaged data. */
export function openSharp(bytes: Uint8Array, opts: DecodeOptions = {}): Sharp {
  return sharp(bytes, {
    // 0 (or false) means no limit in sharp; only the header reader in probeImage asks for that.
    limitInputPixels: opts.maxPixels ?? DEFAULT_MAX_PIXELS,
    // 'warning' turns libjpeg's "premature end of data" into an error instead of grey rows.
    failOn: 'warning',
    // Animated GIF/WebP: the first frame only.
    pages: 1,
    page: 0,
  });
}

/** Checks bytes by magic number and header; throws ImageError with the reason category. */
export async function probeImage(bytes: Uint8Array, opts: DecodeOptions = {}): Promise<ImageInfo> {
  if (bytes.length === 0) throw new ImageError('empty', 'The file is empty (0 bytes).');
  const format = sniffFormat(bytes.subarray(0, 512));
  if (!format)
    throw new ImageError(
      'not-an-image',
      'The file is not an image (its first bytes match no image format), whatever its name says.',
    );
  if (!READABLE_FORMATS.has(format))
    throw new ImageError(
      'unsupported',
      `${FORMAT_NAMES[format]} images are not supported; convert it to JPEG or PNG first.`,
    );
  let meta: Metadata;
  try {
    // Header only: no pixel limit here, so the check below can say how large the image claims to be.
    meta = await openSharp(bytes, { ...opts, maxPixels: 0 }).metadata();
  } catch (e) {
    throw fromSharp(e, format);
  }
  const limit = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const w = meta.width ?? 0;
  const h = meta.pageHeight ?? meta.height ?? 0;
  if (!w || !h) throw new ImageError('corrupt', `The ${FORMAT_NAMES[format]} header gives no image size.`);
  if (w * h > limit)
    throw new ImageError(
      'too-large',
      `The image claims ${w} × ${h} pixels (${((w * h) / 1e6).toFixed(1)} MP), over the limit of ` +
        `${(limit / 1e6).toFixed(1)} MP; shrink it first or raise the pixel limit.`,
    );
  const swap = (meta.orientation ?? 1) >= 5;
  return { format, width: swap ? h : w, height: swap ? w : h };
}

export function fromSharp(e: unknown, format: SniffedFormat | null): ImageError {
  if (e instanceof ImageError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const reason = classifySharpError(msg);
  const name = format ? FORMAT_NAMES[format] : 'image';
  const advice: Record<string, string> = {
    'too-large': 'shrink it first or raise the pixel limit',
    truncated: 'the file is cut short or damaged; copy it again from its source',
    corrupt: 'the file is damaged; re-export it from its source',
    'not-an-image': 'it is not an image',
  };
  return new ImageError(reason, `Could not decode this ${name} (${msg}): ${advice[reason] ?? 'check it'}.`);
}

/**
 * Decodes to 8-bit sRGB: EXIF orientation applied (`rotate()` with no angle), alpha flattened
 * over white, grey expanded to three equal channels, CMYK converted with its profile (or libvips's
 * default CMYK profile), 16-bit scaled to 8-bit. Animated images give their first frame.
 */
export async function decodeRgb(bytes: Uint8Array, opts: DecodeOptions = {}): Promise<RgbImage> {
  const info = await probeImage(bytes, opts);
  try {
    const { data, info: out } = await openSharp(bytes, opts)
      .rotate()
      .flatten({ background: FLATTEN_BACKGROUND })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (out.channels !== 3) throw new Error(`expected 3 channels, got ${out.channels}`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: out.width,
      height: out.height,
      channels: 3,
    };
  } catch (e) {
    throw fromSharp(e, info.format);
  }
}

/** Reads and decodes a file; an unreadable file is an ImageError of reason 'unreadable'. */
export async function decodeFile(path: string, opts: DecodeOptions = {}): Promise<RgbImage> {
  return decodeRgb(await readBytes(path), opts);
}

/** Reads an image file through the bounded reader: a regular file of at most READ_CAPS.image bytes. */
export async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readBounded(path, READ_CAPS.image, 'image');
  } catch (e) {
    if (e instanceof BoundedReadError && e.reason === 'too-large')
      throw new ImageError('too-large', e.message);
    throw new ImageError('unreadable', e instanceof Error ? e.message : String(e));
  }
}

/** Encodes RGB pixels as PNG (lossless; used by the synthetic datasets and tests). */
export async function encodePng(img: RgbImage): Promise<Buffer> {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .png({ compressionLevel: 9 })
    .toBuffer();
}
