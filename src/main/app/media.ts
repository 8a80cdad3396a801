// The media:// protocol: serves library images (by id only) to the renderer; the grid asks for
// thumbnails and gets the cached WebP thumbnail, not the original.
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import type { Core } from '../services/index';
import { parseMediaUrl } from './policy';

export const registerMediaScheme = (): void =>
  protocol.registerSchemesAsPrivileged([
    { scheme: 'media', privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);

export function handleMedia(core: Core, resolve = core.media): void {
  protocol.handle('media', async (req) => {
    const m = parseMediaUrl(req.url);
    if (!m) return new Response('not found', { status: 404 });
    const file = await resolve(m.id, m.kind);
    if (!file) return new Response('not found', { status: 404 });
    return net.fetch(pathToFileURL(file).href);
  });
}
