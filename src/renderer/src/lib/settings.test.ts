// Decoding defaults: a valid stored beam width is used, anything else falls back to 3.
import { describe, expect, it } from 'vitest';
import { defaultBeam, setDefaultBeam } from './settings';

const memory = () => {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
};

describe('defaultBeam', () => {
  it('is 3 until set, then what was set', () => {
    const s = memory();
    expect(defaultBeam(s)).toBe(3);
    setDefaultBeam(1, s);
    expect(defaultBeam(s)).toBe(1);
  });

  it('ignores widths out of range or not whole', () => {
    const s = memory();
    for (const bad of [0, 21, 2.5, NaN]) setDefaultBeam(bad, s);
    expect(defaultBeam(s)).toBe(3);
    s.setItem('caption-studio.beam', 'many');
    expect(defaultBeam(s)).toBe(3);
    expect(defaultBeam(undefined)).toBe(3);
  });
});
