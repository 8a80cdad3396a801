// Decoding defaults and the heatmap's look: a valid stored value is used, anything else falls back.
import { describe, expect, it } from 'vitest';
import { defaultBeam, heatSettings, setDefaultBeam, setHeatSettings } from './settings';

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

describe('heatmap settings', () => {
  it('are jet at 0.6 until set, then what was set', () => {
    const s = memory();
    expect(heatSettings(s)).toEqual({ colormap: 'jet', opacity: 0.6 });
    setHeatSettings({ colormap: 'viridis', opacity: 0.35 }, s);
    expect(heatSettings(s)).toEqual({ colormap: 'viridis', opacity: 0.35 });
  });

  it('keep each valid part of a damaged value and never store a bad one', () => {
    const s = memory();
    s.setItem('caption-studio.heatmap', '{not json');
    expect(heatSettings(s)).toEqual({ colormap: 'jet', opacity: 0.6 });
    s.setItem('caption-studio.heatmap', JSON.stringify({ colormap: 'inferno', opacity: 7 }));
    expect(heatSettings(s)).toEqual({ colormap: 'inferno', opacity: 0.6 });
    s.setItem('caption-studio.heatmap', JSON.stringify({ colormap: 'rainbow', opacity: 0.2 }));
    expect(heatSettings(s)).toEqual({ colormap: 'jet', opacity: 0.2 });
    setHeatSettings({ colormap: 'nope' as never, opacity: 0.5 }, s);
    setHeatSettings({ colormap: 'grey', opacity: -1 }, s);
    expect(heatSettings(s)).toEqual({ colormap: 'jet', opacity: 0.2 });
    expect(heatSettings(undefined)).toEqual({ colormap: 'jet', opacity: 0.6 });
  });
});
