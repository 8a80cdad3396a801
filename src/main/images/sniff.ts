// Recognises an image format from its first bytes (magic numbers), so a file is judged by its
// content, not its name, and formats sharp cannot read here are refused by name.

export type SniffedFormat =
  | 'jpeg'
  | 'png'
  | 'webp'
  | 'gif'
  | 'tiff'
  | 'avif'
  | 'heic'
  | 'bmp'
  | 'jxl'
  | 'jp2'
  | 'psd'
  | 'ico'
  | 'svg'
  | 'pdf';

/** Formats we import: the ones sharp's prebuilt libvips decodes (HEIC is not among them). */
export const READABLE_FORMATS: ReadonlySet<SniffedFormat> = new Set([
  'jpeg',
  'png',
  'webp',
  'gif',
  'tiff',
  'avif',
]);

/** Human names for the error message ("HEIC images are not supported"). */
export const FORMAT_NAMES: Record<SniffedFormat, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  gif: 'GIF',
  tiff: 'TIFF',
  avif: 'AVIF',
  heic: 'HEIC/HEIF',
  bmp: 'BMP',
  jxl: 'JPEG XL',
  jp2: 'JPEG 2000',
  psd: 'Photoshop PSD',
  ico: 'ICO',
  svg: 'SVG',
  pdf: 'PDF',
};

const ascii = (b: Uint8Array, start: number, len: number): string =>
  String.fromCharCode(...b.subarray(start, start + len));

const startsWith = (b: Uint8Array, bytes: number[], at = 0): boolean =>
  b.length >= at + bytes.length && bytes.every((v, i) => b[at + i] === v);

/** HEIF-family files (ISO BMFF `ftyp` box): AVIF by its brands, HEIC by the HEVC brands. */
function sniffFtyp(b: Uint8Array): SniffedFormat | null {
  if (b.length < 12 || ascii(b, 4, 4) !== 'ftyp') return null;
  const size = Math.min(((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0, b.length, 256);
  const brands = [ascii(b, 8, 4)];
  for (let at = 16; at + 4 <= size; at += 4) brands.push(ascii(b, at, 4));
  if (brands.some((x) => x === 'avif' || x === 'avis')) return 'avif';
  if (brands.some((x) => ['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs'].includes(x)))
    return 'heic';
  if (brands.some((x) => x === 'mif1' || x === 'msf1')) return 'heic';
  if (brands.some((x) => x === 'jp2 ')) return 'jp2';
  return null;
}

/** The format of a file from its first bytes (at least 32 are useful), or null when unknown. */
export function sniffFormat(b: Uint8Array): SniffedFormat | null {
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp';
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return 'gif';
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  // BigTIFF
  if (startsWith(b, [0x49, 0x49, 0x2b, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2b])) return 'tiff';
  const ftyp = sniffFtyp(b);
  if (ftyp) return ftyp;
  if (b.length >= 2 && ascii(b, 0, 2) === 'BM') return 'bmp';
  if (startsWith(b, [0xff, 0x0a]) || startsWith(b, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return 'jxl';
  if (startsWith(b, [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20])) return 'jp2';
  if (b.length >= 4 && ascii(b, 0, 4) === '8BPS') return 'psd';
  if (startsWith(b, [0, 0, 1, 0])) return 'ico';
  if (b.length >= 5 && ascii(b, 0, 5) === '%PDF-') return 'pdf';
  const head = new TextDecoder('utf-8', { fatal: false })
    .decode(b.subarray(0, 256))
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'svg';
  return null;
}
