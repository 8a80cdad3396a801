// Renders a shapes scene into an RGB buffer in pure TypeScript, with optional anti-aliasing by
// supersampling (each pixel's colour is the fraction of its s × s sample points inside the shape).
import type { RgbImage } from '../../images/decode';
import { BACKGROUND, COLOURS, type Scene, type SceneObject } from './scene';

/** Is the point (x, y), in pixel units, inside the object? */
export function inside(o: SceneObject, x: number, y: number): boolean {
  const [x0, y0, x1, y1] = o.bbox;
  if (x < x0 || x >= x1 || y < y0 || y >= y1) return false;
  switch (o.shape) {
    case 'square':
      return true;
    case 'circle': {
      const r = (x1 - x0) / 2;
      const dx = x - (x0 + r);
      const dy = y - (y0 + r);
      return dx * dx + dy * dy <= r * r;
    }
    case 'triangle': {
      // Apex at the top centre, base along the bottom edge: inside when within the half-width
      // that grows linearly from the apex down.
      const half = ((y - y0) / (y1 - y0)) * ((x1 - x0) / 2);
      return Math.abs(x - (x0 + x1) / 2) <= half;
    }
  }
}

/** `samples` per axis: 1 gives hard edges, 4 (default) 16 samples per pixel. */
export function renderScene(scene: Scene, samples = 4): RgbImage {
  const { width, height } = scene;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(BACKGROUND, i * 3);
  const n = samples * samples;
  for (const o of scene.objects) {
    const colour = COLOURS[o.colour];
    const [x0, y0, x1, y1] = o.bbox;
    for (let py = Math.max(0, Math.floor(y0)); py < Math.min(height, Math.ceil(y1)); py++)
      for (let px = Math.max(0, Math.floor(x0)); px < Math.min(width, Math.ceil(x1)); px++) {
        let hits = 0;
        for (let sy = 0; sy < samples; sy++)
          for (let sx = 0; sx < samples; sx++)
            if (inside(o, px + (sx + 0.5) / samples, py + (sy + 0.5) / samples)) hits++;
        if (hits === 0) continue;
        const a = hits / n;
        const at = (py * width + px) * 3;
        for (let c = 0; c < 3; c++) data[at + c] = Math.round(colour[c] * a + data[at + c] * (1 - a));
      }
  }
  return { data, width, height, channels: 3 };
}
