// The renderer's own preferences (decoding defaults, how maps are drawn), kept in the page's
// localStorage: small, per machine, nothing the library needs.
import { isColormap, type Colormap } from './heat';

const BEAM_KEY = 'caption-studio.beam';

/** The default beam width for captioning (1 = greedy), 3 unless the user chose another. */
export function defaultBeam(store: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): number {
  const n = Number(store?.getItem(BEAM_KEY));
  return Number.isInteger(n) && n >= 1 && n <= 20 ? n : 3;
}

export function setDefaultBeam(n: number, store: Pick<Storage, 'setItem'> = localStorage): void {
  if (Number.isInteger(n) && n >= 1 && n <= 20) store.setItem(BEAM_KEY, String(n));
}

const HEAT_KEY = 'caption-studio.heatmap';

/** How the Caption page draws its maps: the colormap and the overlay's opacity at the map's peak. */
export interface HeatSettings {
  colormap: Colormap;
  opacity: number;
}

export const HEAT_DEFAULTS: Readonly<HeatSettings> = Object.freeze({ colormap: 'jet', opacity: 0.6 });

/** The stored heatmap settings; anything missing or invalid falls back to its default. */
export function heatSettings(
  store: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage,
): HeatSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(store?.getItem(HEAT_KEY) ?? 'null');
  } catch {
    raw = null;
  }
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const opacity = typeof o.opacity === 'number' && o.opacity >= 0 && o.opacity <= 1 ? o.opacity : null;
  return {
    colormap: isColormap(o.colormap) ? o.colormap : HEAT_DEFAULTS.colormap,
    opacity: opacity ?? HEAT_DEFAULTS.opacity,
  };
}

export function setHeatSettings(s: HeatSettings, store: Pick<Storage, 'setItem'> = localStorage): void {
  if (isColormap(s.colormap) && s.opacity >= 0 && s.opacity <= 1)
    store.setItem(HEAT_KEY, JSON.stringify({ colormap: s.colormap, opacity: s.opacity }));
}
