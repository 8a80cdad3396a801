// Decoding real files with real sharp: photos, EXIF rotation, grey/16-bit/alpha/CMYK/GIF/TIFF/WebP/
// AVIF to 8-bit RGB the same way every time, the pixel limit against a decompression bomb, each
// bad-input category, and cached thumbnails.
import sharp from 'sharp';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFile, decodeRgb, probeImage } from '../../src/main/images/decode';
import { ImageError } from '../../src/main/images/errors';
import { ensureThumbnail, thumbPath } from '../../src/main/images/thumbs';
import { tempDir } from '../helpers/tmp';
import { bombPng, heicHeader } from '../fixtures/make';

const PHOTOS = join(import.meta.dirname, '../fixtures/photos');
const dir = tempDir();

const solid = (w: number, h: number, background: string, channels: 3 | 4 = 3) =>
  sharp({ create: { width: w, height: h, channels, background } });

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ImageError);
    return (e as ImageError).reason;
  }
  return 'no error';
}

describe('decode real photos', () => {
  it.each([
    ['astronaut.jpg', 512, 512],
    ['chelsea.jpg', 451, 300],
    ['coffee.jpg', 600, 400],
    ['rocket.jpg', 640, 427],
  ])('%s decodes to %i × %i RGB', async (name, w, h) => {
    const img = await decodeFile(join(PHOTOS, name));
    expect([img.width, img.height, img.channels]).toEqual([w, h, 3]);
    expect(img.data.length).toBe(w * h * 3);
    expect(new Set(img.data).size).toBeGreaterThan(100); // a photo, not a flat fill
  });

  it('applies EXIF orientation 6 (rotate 90° clockwise): size and pixels', async () => {
    const raw = await decodeFile(join(PHOTOS, 'chelsea.jpg'));
    const base = sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 3 } });
    const plain = await base.clone().jpeg({ quality: 90 }).toBuffer();
    const rotated = await base.clone().jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toBuffer();
    expect(await probeImage(rotated)).toMatchObject({ format: 'jpeg', width: 300, height: 451 });
    const a = await decodeRgb(plain);
    const b = await decodeRgb(rotated);
    expect([b.width, b.height]).toEqual([300, 451]);
    // Displayed pixel (x, y) of the rotated file is stored pixel (y, H - 1 - x) of the plain one.
    for (const [x, y] of [
      [0, 0],
      [299, 0],
      [10, 400],
      [150, 225],
    ]) {
      const pb = (y * b.width + x) * 3;
      const pa = ((a.height - 1 - x) * a.width + y) * 3;
      expect(Array.from(b.data.subarray(pb, pb + 3))).toEqual(Array.from(a.data.subarray(pa, pa + 3)));
    }
  });
});

describe('every format becomes 8-bit RGB the same way', () => {
  const first = async (buf: Buffer) => Array.from((await decodeRgb(buf)).data.subarray(0, 3));

  it('grey → three equal channels; 16-bit grey scaled to 8 bits', async () => {
    expect(await first(await solid(4, 4, '#505050').toColourspace('b-w').png().toBuffer())).toEqual([
      80, 80, 80,
    ]);
    const px16 = new Uint16Array(16).fill(30000);
    const png16 = await sharp(px16, { raw: { width: 4, height: 4, channels: 1 } })
      .toColourspace('grey16')
      .png()
      .toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const v = await first(png16);
    expect(v[0]).toBe(v[1]);
    expect(Math.abs(v[0] - 30000 / 257)).toBeLessThanOrEqual(1);
  });

  it('alpha is flattened on white', async () => {
    expect(await first(await solid(4, 4, 'rgba(0,0,0,0)', 4).png().toBuffer())).toEqual([255, 255, 255]);
    const half = await first(await solid(4, 4, 'rgba(255,0,0,0.5)', 4).png().toBuffer());
    expect(half[0]).toBe(255);
    expect(Math.abs(half[1] - 128)).toBeLessThanOrEqual(2);
  });

  it('CMYK JPEG → sRGB', async () => {
    const cmyk = await solid(8, 8, '#ff0000').toColourspace('cmyk').jpeg().toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const [r, g, b] = await first(cmyk);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(60);
    expect(b).toBeLessThan(60);
  });

  it('GIF gives its first frame; TIFF, WebP (lossless) and AVIF decode', async () => {
    const frames = await Promise.all(['#ff0000', '#0000ff'].map((c) => solid(8, 8, c).png().toBuffer()));
    const gif = await sharp(frames, { join: { animated: true } })
      .gif()
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const g = await decodeRgb(gif);
    expect([g.width, g.height]).toEqual([8, 8]);
    expect(Array.from(g.data.subarray(0, 3))).toEqual([255, 0, 0]);
    const tiff = await first(await solid(4, 4, '#336699').tiff().toBuffer());
    tiff.forEach((v, i) => expect(Math.abs(v - [0x33, 0x66, 0x99][i])).toBeLessThanOrEqual(1));
    expect(await first(await solid(4, 4, '#336699').webp({ lossless: true }).toBuffer())).toEqual([
      0x33, 0x66, 0x99,
    ]);
    const avif = await decodeRgb(await solid(16, 16, '#336699').avif().toBuffer());
    expect(Math.abs(avif.data[0] - 0x33)).toBeLessThanOrEqual(4);
  });

  it('decoding twice gives identical bytes', async () => {
    const buf = readFileSync(join(PHOTOS, 'coffee.jpg'));
    expect(Buffer.from((await decodeRgb(buf)).data).equals(Buffer.from((await decodeRgb(buf)).data))).toBe(
      true,
    );
  });
});

describe('bad input, by reason', () => {
  it('refuses a decompression bomb from its header, and honours a configured limit', async () => {
    const bomb = bombPng(50_000, 50_000);
    expect(bomb.length).toBeLessThan(2000);
    await expect(probeImage(bomb)).rejects.toThrow(/50000 × 50000.*over the limit of 100\.0 MP/);
    expect(await reason(decodeRgb(bomb))).toBe('too-large');
    const small = await solid(100, 100, '#fff').png().toBuffer();
    expect(await reason(decodeRgb(small, { maxPixels: 5000 }))).toBe('too-large');
    expect((await decodeRgb(small, { maxPixels: 10_000 })).width).toBe(100);
  });

  it('empty, truncated, not an image, HEIC and BMP by magic', async () => {
    expect(await reason(decodeRgb(new Uint8Array(0)))).toBe('empty');
    const jpg = readFileSync(join(PHOTOS, 'rocket.jpg'));
    expect(await reason(decodeRgb(jpg.subarray(0, Math.floor(jpg.length / 2))))).toBe('truncated');
    expect(await reason(decodeRgb(Buffer.from('a dog on a beach\n')))).toBe('not-an-image');
    const heic = heicHeader();
    await expect(decodeRgb(heic)).rejects.toThrow(/HEIC\/HEIF images are not supported; convert it/);
    expect(await reason(decodeRgb(heic))).toBe('unsupported');
    expect(await reason(decodeRgb(Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)])))).toBe('unsupported');
  });

  it('an unreadable path is reason unreadable', async () => {
    expect(await reason(decodeFile(join(dir, 'missing.jpg')))).toBe('unreadable');
  });
});

describe('thumbnails', () => {
  it('writes a WebP at most 256 px on the long side, oriented, once, and again when missing', async () => {
    const thumbs = join(dir, 'thumbs');
    const raw = readFileSync(join(PHOTOS, 'rocket.jpg'));
    const rotated = await sharp(raw).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const t = await ensureThumbnail(thumbs, 'abc', rotated);
    expect(t).toEqual({ path: thumbPath(thumbs, 'abc'), created: true });
    const m = await sharp(t.path).metadata();
    expect(m.format).toBe('webp');
    expect([m.width, m.height]).toEqual([171, 256]); // 427 × 640 displayed → 256 high
    expect((await ensureThumbnail(thumbs, 'abc', rotated)).created).toBe(false);
    rmSync(t.path);
    expect((await ensureThumbnail(thumbs, 'abc', async () => rotated)).created).toBe(true);
    expect(existsSync(t.path)).toBe(true);
  });

  it('does not enlarge small images', async () => {
    const t = await ensureThumbnail(
      join(dir, 'thumbs'),
      'small',
      await solid(40, 20, '#000').png().toBuffer(),
    );
    const m = await sharp(t.path).metadata();
    expect([m.width, m.height]).toEqual([40, 20]);
  });
});
