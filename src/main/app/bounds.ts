// The window's saved size and position, made safe for the displays there are now: a window saved on
// a monitor that is gone, or larger than the screen, opens fully on a visible display instead.
// Pure (no Electron): the window module passes the displays' work areas.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SavedWindow extends Rect {
  maximized?: boolean;
}

export const MIN_SIZE = { width: 640, height: 480 };

const overlap = (a: Rect, b: Rect): number =>
  Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) *
  Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));

const finite = (r: Partial<Rect> | null | undefined): r is Rect =>
  !!r && [r.x, r.y, r.width, r.height].every((v) => typeof v === 'number' && Number.isFinite(v));

function centred(size: { width: number; height: number }, area: Rect): Rect {
  const width = Math.min(size.width, area.width);
  const height = Math.min(size.height, area.height);
  return {
    x: Math.round(area.x + (area.width - width) / 2),
    y: Math.round(area.y + (area.height - height) / 2),
    width,
    height,
  };
}

/**
 * Where to open the window: the saved bounds moved and shrunk onto the work area they overlap most;
 * when they overlap none (or nothing was saved), the default size centred on the first (primary)
 * work area. The window never ends up smaller than MIN_SIZE unless the display is.
 */
export function clampBounds(
  saved: Partial<SavedWindow> | null | undefined,
  workAreas: Rect[],
  defaults: { width: number; height: number },
): SavedWindow {
  const primary = workAreas[0];
  const maximized = saved?.maximized === true ? { maximized: true } : {};
  if (!primary) return { x: 0, y: 0, ...defaults };
  if (!finite(saved)) return centred(defaults, primary);
  const size = {
    width: Math.max(saved.width, MIN_SIZE.width),
    height: Math.max(saved.height, MIN_SIZE.height),
  };
  const r = { ...saved, ...size };
  let best: Rect | null = null;
  let bestArea = 0;
  for (const a of workAreas) {
    const o = overlap(r, a);
    if (o > bestArea) [best, bestArea] = [a, o];
  }
  if (!best) return { ...centred(defaults, primary), ...maximized };
  const width = Math.min(r.width, best.width);
  const height = Math.min(r.height, best.height);
  const x = Math.min(Math.max(r.x, best.x), best.x + best.width - width);
  const y = Math.min(Math.max(r.y, best.y), best.y + best.height - height);
  return { x: Math.round(x), y: Math.round(y), width, height, ...maximized };
}
