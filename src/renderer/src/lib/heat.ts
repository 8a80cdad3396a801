// The heatmap's colours: blue → cyan → yellow → red, and how much of the photo each level covers:
// nothing below a third of the map's range (the photo shows as it is), rising to the chosen
// opacity at the map's peak.
export function heatColour(t: number): [number, number, number] {
  const r = Math.min(1, Math.max(0, 1.5 * t - 0.25));
  const g = Math.min(1, Math.max(0, 1.5 - Math.abs(3 * t - 1.5)));
  const b = Math.min(1, Math.max(0, 1.25 - 1.5 * t));
  return [r * 255, g * 255, b * 255];
}

/** Alpha (0–255) of a map value t in [0, 1] at an overlay opacity in [0, 1]. */
export function heatAlpha(t: number, opacity: number): number {
  const a = Math.min(1, Math.max(0, (t - 1 / 3) * 1.5));
  return Math.round(255 * Math.min(1, Math.max(0, opacity)) * a);
}
