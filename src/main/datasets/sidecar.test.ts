// Sidecar decoding (BOMs, UTF-16, Latin-1 fallback, refusals) and captions per line.
import { describe, expect, it } from 'vitest';
import { decodeSidecar, sidecarCandidates, splitCaptions } from './sidecar';

const enc = new TextEncoder();

function utf16(text: string, bigEndian: boolean): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out.set(bigEndian ? [0xfe, 0xff] : [0xff, 0xfe]);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out.set(bigEndian ? [c >> 8, c & 255] : [c & 255, c >> 8], 2 + i * 2);
  }
  return out;
}

describe('decodeSidecar', () => {
  it('reads UTF-8 with and without a BOM', () => {
    expect(decodeSidecar(enc.encode('un café'))).toEqual({
      ok: true,
      text: 'un café',
      encoding: 'utf-8',
      warning: null,
    });
    const bom = Uint8Array.from([0xef, 0xbb, 0xbf, ...enc.encode('naïve')]);
    expect(decodeSidecar(bom)).toMatchObject({ ok: true, text: 'naïve', encoding: 'utf-8-bom' });
  });

  it('reads UTF-16 LE and BE with a BOM', () => {
    expect(decodeSidecar(utf16('señal\r\nzwei', false))).toMatchObject({
      ok: true,
      text: 'señal\r\nzwei',
      encoding: 'utf-16le',
    });
    expect(decodeSidecar(utf16('日本', true))).toMatchObject({
      ok: true,
      text: '日本',
      encoding: 'utf-16be',
    });
  });

  it('falls back to Latin-1 with a warning for invalid UTF-8', () => {
    const r = decodeSidecar(Uint8Array.from([0x63, 0x61, 0x66, 0xe9])); // "café" in Latin-1
    expect(r).toMatchObject({ ok: true, text: 'café', encoding: 'latin1' });
    expect(r.ok && r.warning).toMatch(/not valid UTF-8/);
  });

  it('refuses binary and broken UTF-16', () => {
    expect(decodeSidecar(Uint8Array.from([0x61, 0, 0x62, 0]))).toMatchObject({ ok: false });
    expect(decodeSidecar(Uint8Array.from([0xff, 0xfe, 0x61, 0, 0x62]))).toMatchObject({ ok: false });
    expect(decodeSidecar(Uint8Array.from([0xff, 0xfe, 0x00, 0xd8, 0x61, 0x00]))).toMatchObject({ ok: false }); // lone surrogate
  });
});

describe('splitCaptions', () => {
  it('gives one caption per non-blank line, for LF, CRLF and CR, untrimmed (the caption rule trims)', () => {
    expect(splitCaptions('a dog\r\n\r\n  a cat  \rbirds\n \n')).toEqual(['a dog', '  a cat  ', 'birds']);
  });

  it('keeps everything else as is (case, punctuation, inner spaces, commas)', () => {
    expect(splitCaptions('A Dog,  running .  |||tag')).toEqual(['A Dog,  running .  |||tag']);
  });
});

describe('sidecarCandidates', () => {
  it('lists stem and full-name sidecars', () => {
    expect(sidecarCandidates('/p/foo.jpg')).toEqual([
      '/p/foo.txt',
      '/p/foo.caption',
      '/p/foo.jpg.txt',
      '/p/foo.jpg.caption',
    ]);
  });
});
