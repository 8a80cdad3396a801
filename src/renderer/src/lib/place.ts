// The place in the app kept in the URL's hash (#runs, #caption, #settings, #library/image/12), so that a
// reload returns to the open view and image.
export type View = 'library' | 'caption' | 'runs' | 'settings';

export interface Place {
  view: View;
  imageId: number | null;
}

export function readPlace(hash: string): Place {
  const parts = hash.replace(/^#\/?/, '').split('/');
  const view: View =
    parts[0] === 'caption' || parts[0] === 'runs' || parts[0] === 'settings' ? parts[0] : 'library';
  const id = view === 'library' && parts[1] === 'image' ? Number(parts[2]) : NaN;
  return { view, imageId: Number.isInteger(id) && id > 0 ? id : null };
}

export function writePlace(p: Place): string {
  return p.view === 'library' && p.imageId !== null ? `#library/image/${p.imageId}` : `#${p.view}`;
}
