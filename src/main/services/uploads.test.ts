// Upload targets stay inside their batch folder; uploads stream to disk within their limit; what
// did not become a library image is removed.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { uploadTarget } from './uploads';

describe('uploadTarget', () => {
  it('keeps relative folders of a dropped folder', () => {
    expect(uploadTarget('/lib/uploads', 'b1', 'trip/day 1/a.jpg')).toBe(
      join('/lib/uploads/b1/trip/day 1/a.jpg'),
    );
    expect(uploadTarget('/lib/uploads', 'b1', 'trip\\b.txt')).toBe(join('/lib/uploads/b1/trip/b.txt'));
  });

  it('refuses paths that leave the batch folder, and odd batch ids', () => {
    for (const p of ['../x.jpg', 'a/../../x.jpg', '/etc/passwd', '..', '.']) {
      expect(() => uploadTarget('/lib/uploads', 'b1', p), p).toThrow(/would leave the upload folder/);
    }
    expect(() => uploadTarget('/lib/uploads', '../b', 'a.jpg')).toThrow(/batch id/);
  });
});

describe('upload batches are temporary', () => {
  it('streams to disk, refuses more than the limit and leaves no partial file', async () => {
    const { receiveUpload } = await import('./uploads');
    const root = mkdtempSync(join(tmpdir(), 'cs-up-'));
    try {
      const ok = await receiveUpload(
        root,
        'b1',
        'a/one.jpg',
        Readable.from([Buffer.alloc(1000), Buffer.alloc(24)]),
        2048,
      );
      expect(ok).toEqual({ dir: join(root, 'b1'), bytes: 1024 });
      expect(readFileSync(join(root, 'b1', 'a', 'one.jpg')).length).toBe(1024);
      const big = Readable.from([Buffer.alloc(2000), Buffer.alloc(2000)]);
      await expect(receiveUpload(root, 'b1', 'two.jpg', big, 2048)).rejects.toThrow(
        /two\.jpg is larger than/,
      );
      expect(readdirSync(join(root, 'b1')).sort()).toEqual(['a']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('at start, discards batches never imported and partial files, and leaves finished batches alone', async () => {
    const { createCore } = await import('./index');
    const { cleanStaleUploads, uploadsDirFor } = await import('./uploads');
    const dir = mkdtempSync(join(tmpdir(), 'cs-up-'));
    try {
      const core = createCore({ dbPath: join(dir, 'lib.db') });
      const up = uploadsDirFor(core.store.path);
      // b1 and caption-x: uploaded, then the app stopped before their import (still pending).
      mkdirSync(join(up, 'b1', 'trip'), { recursive: true });
      mkdirSync(join(up, 'caption-x'), { recursive: true });
      mkdirSync(join(up, '.pending'), { recursive: true });
      for (const b of ['b1', 'caption-x']) writeFileSync(join(up, '.pending', b), '');
      const kept = join(up, 'b1', 'trip', 'kept.jpg');
      writeFileSync(kept, 'jpeg');
      writeFileSync(join(up, 'b1', 'trip', 'kept.txt'), 'a caption');
      writeFileSync(join(up, 'b1', 'half.jpg.part-0123'), 'cut off');
      writeFileSync(join(up, 'caption-x', '0-a.jpg'), 'only captioned');
      core.store.images.upsert({ hash: 'k', path: kept, width: 1, height: 1 });
      // done: imported long ago; its photo was since removed from the library, and stays on disk.
      mkdirSync(join(up, 'done'), { recursive: true });
      writeFileSync(join(up, 'done', 'removed-from-library.jpg'), 'the library copy');
      writeFileSync(join(up, 'done', 'cut.jpg.part-99'), 'cut off');
      expect(cleanStaleUploads(core.store)).toEqual({ removed: 4, kept: 1 });
      expect(readdirSync(up, { recursive: true }).map(String).sort()).toEqual([
        '.pending',
        'b1',
        'b1/trip',
        'b1/trip/kept.jpg',
        'done',
        'done/removed-from-library.jpg',
      ]);
      core.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
