// Which file to send for a library image: the original, or its cached WebP thumbnail (made on
// first ask when missing). Only ids in the library resolve; nothing else is ever served.
import { existsSync } from 'node:fs';
import type { Store } from '../db/index';
import { readBytes } from '../images/decode';
import { ensureThumbnail, thumbsDirFor } from '../images/thumbs';

export type MediaKind = 'full' | 'thumb';
export type MediaResolver = (imageId: number, kind: MediaKind) => Promise<string | null>;

export function mediaResolver(store: Store): MediaResolver {
  const dir = thumbsDirFor(store.path);
  return async (imageId, kind) => {
    const img = store.images.get(imageId);
    if (!img || !existsSync(img.path)) return null;
    if (kind === 'full') return img.path;
    try {
      return (await ensureThumbnail(dir, img.hash, () => readBytes(img.path))).path;
    } catch {
      // A file that cannot be thumbnailed (changed on disk since import) is shown as it is.
      return img.path;
    }
  };
}
