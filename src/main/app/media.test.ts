// The media:// handler (Electron mocked: its protocol and net.fetch): the grid's thumbnail URL gets
// the cached WebP thumbnail of the library image, the editor's full URL the original.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createCore } from '../services/index';

const handlers = new Map<string, (req: { url: string }) => Promise<Response>>();
vi.mock('electron', () => ({
  protocol: {
    handle: (scheme: string, fn: (req: { url: string }) => Promise<Response>) => handlers.set(scheme, fn),
    registerSchemesAsPrivileged: () => {},
  },
  net: { fetch: async (url: string) => new Response(url) },
}));

const dir = mkdtempSync(join(tmpdir(), 'cs-media-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('media:// in the app', () => {
  it('serves thumbnails as thumbnails and originals only when asked', async () => {
    const { handleMedia } = await import('./media');
    const photo = join(dir, 'photo.png');
    await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#3a6' } })
      .png()
      .toFile(photo);
    const core = createCore({ dbPath: join(dir, 'lib.db') });
    const id = core.store.images.upsert({ hash: 'h1', path: photo, width: 1200, height: 800 }).image.id;
    handleMedia(core);
    const get = async (url: string) => {
      const res = await handlers.get('media')!({ url });
      return res.status === 200 ? fileURLToPath(await res.text()) : res.status;
    };
    const thumb = await get(`media://image/thumb/${id}`);
    expect(thumb).not.toBe(photo);
    const meta = await sharp(thumb as string).metadata();
    expect(meta.format).toBe('webp');
    expect(Math.max(meta.width!, meta.height!)).toBeLessThan(1200);
    expect(await get(`media://image/full/${id}`)).toBe(photo);
    expect(await get('media://image/full/99999')).toBe(404);
    expect(await get('media://image/full/../../etc/passwd')).toBe(404);
    core.close();
  });
});
