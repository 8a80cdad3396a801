// Upload targets stay inside their batch folder.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
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
