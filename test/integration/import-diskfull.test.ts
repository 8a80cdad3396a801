// A full disk during an import: the thumbnail write fails with ENOSPC (injected at the write
// seam, node:fs/promises writeFile, for thumbnails only). The report must say the disk is full,
// not that the photo is corrupt, stop there, and keep what was imported before.
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../helpers/tmp';
import { call, openLibrary, writeImages } from './formats-fixtures';

const disk = vi.hoisted(() => ({ thumbsLeft: Infinity }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile: typeof real.writeFile = async (file, data, opts) => {
    if (String(file).includes(`${'/'}thumbs${'/'}`) && disk.thumbsLeft-- <= 0) {
      const e = new Error(`ENOSPC: no space left on device, open '${String(file)}'`) as NodeJS.ErrnoException;
      e.code = 'ENOSPC';
      e.errno = -28;
      throw e;
    }
    return real.writeFile(file, data, opts);
  };
  return { ...real, default: { ...real, writeFile }, writeFile };
});

const root = tempDir();

beforeEach(() => {
  disk.thumbsLeft = Infinity;
});

describe('disk full during import', () => {
  it('says the disk is full (not corrupt), stops, and keeps the photos imported before', async () => {
    const dir = join(root, 'photos');
    await writeImages(dir, ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg']);
    const core = openLibrary(root, 'lib');
    try {
      disk.thumbsLeft = 2;
      const r = await call(core, 'import.folder', { path: dir });
      expect(r.added).toBe(2);
      expect(r.failed).toEqual([
        expect.objectContaining({
          path: join(dir, 'c.jpg'),
          reason: 'disk-full',
          message: expect.stringMatching(
            /The disk is full .*the photo is fine.*Free some space and import again/,
          ),
        }),
      ]);
      expect(r.failed.some((f) => f.reason === 'corrupt')).toBe(false);
      disk.thumbsLeft = Infinity;
      const again = await call(core, 'import.folder', { path: dir });
      expect(again).toMatchObject({ added: 2, unchanged: 2, failed: [] });
    } finally {
      core.close();
    }
  });
});
