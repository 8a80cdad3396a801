// The media:// protocol: serves library images (by id only) to the renderer.
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import type { Core } from '../services/index';

export const registerMediaScheme = (): void =>
  protocol.registerSchemesAsPrivileged([
    { scheme: 'media', privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);

export function handleMedia(
  core: Core,
  resolve?: (id: number, kind: 'full' | 'thumb') => Promise<string | null>,
): void {
  protocol.handle('media', async (req) => {
    const m = /^media:\/\/image\/(full|thumb)\/(\d+)$/.exec(req.url);
    if (!m) return new Response('not found', { status: 404 });
    const id = Number(m[2]);
    const file = resolve
      ? await resolve(id, m[1] as 'full' | 'thumb')
      : (core.store.images.get(id)?.path ?? null);
    if (!file) return new Response('not found', { status: 404 });
    return net.fetch(pathToFileURL(file).href);
  });
}
