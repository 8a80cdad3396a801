// Format sniffing by magic bytes, whatever the file is called.
import { describe, expect, it } from 'vitest';
import { READABLE_FORMATS, sniffFormat } from './sniff';

const bytes = (...parts: Array<number[] | string>) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));
const ftyp = (major: string, ...compat: string[]) => {
  const body = major + '\0\0\0\0' + compat.join('');
  const size = 8 + body.length;
  return bytes([0, 0, 0, size], 'ftyp', body);
};

describe('sniffFormat', () => {
  it('recognises the formats we read', () => {
    expect(sniffFormat(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(sniffFormat(bytes([0x89], 'PNG', [13, 10, 26, 10]))).toBe('png');
    expect(sniffFormat(bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '))).toBe('webp');
    expect(sniffFormat(bytes('GIF89a'))).toBe('gif');
    expect(sniffFormat(bytes('II', [42, 0]))).toBe('tiff');
    expect(sniffFormat(bytes('MM', [0, 42]))).toBe('tiff');
    expect(sniffFormat(ftyp('avif', 'mif1', 'avif', 'miaf'))).toBe('avif');
  });

  it('tells HEIC from AVIF by the ftyp brands', () => {
    expect(sniffFormat(ftyp('heic', 'mif1', 'heic'))).toBe('heic');
    expect(sniffFormat(ftyp('mif1', 'heic'))).toBe('heic');
    expect(sniffFormat(ftyp('mif1', 'avif'))).toBe('avif');
    expect(READABLE_FORMATS.has('heic')).toBe(false);
  });

  it('names formats we cannot read', () => {
    expect(sniffFormat(bytes('BM', [0, 0, 0, 0]))).toBe('bmp');
    expect(sniffFormat(bytes('8BPS'))).toBe('psd');
    expect(sniffFormat(bytes('<?xml version="1.0"?><svg xmlns="x">'))).toBe('svg');
    expect(sniffFormat(bytes('%PDF-1.7'))).toBe('pdf');
  });

  it('returns null for text and empty input', () => {
    expect(sniffFormat(bytes('hello, this is a caption'))).toBeNull();
    expect(sniffFormat(new Uint8Array(0))).toBeNull();
    expect(sniffFormat(bytes([0xff, 0xd8]))).toBeNull();
  });
});
