// The image_phash table: the dHash of each image's thumbnail and, where two dHashes meet, the pixel
// hash of the original (for the dataset health report).
import type { Split } from '../../shared/types';
import type { Db } from './connection';

export interface HashRow {
  id: number;
  path: string;
  split: Split | null;
  dhash: string;
  pixel_hash: string | null;
}

export class PhashRepo {
  private readonly s;
  constructor(db: Db) {
    this.s = {
      missing: db.prepare<[], { id: number; path: string; hash: string }>(
        'SELECT id, path, hash FROM images WHERE id NOT IN (SELECT image_id FROM image_phash) ORDER BY id',
      ),
      put: db.prepare<[number, string, number], void>(
        'INSERT INTO image_phash (image_id, dhash, computed_at) VALUES (?, ?, ?)',
      ),
      setPixels: db.prepare<[string, number], void>(
        'UPDATE image_phash SET pixel_hash = ? WHERE image_id = ?',
      ),
      all: db.prepare<[], HashRow>(
        `SELECT i.id, i.path, i.split, p.dhash, p.pixel_hash FROM image_phash p JOIN images i ON i.id = p.image_id
         ORDER BY i.id`,
      ),
      withoutApproved: db.prepare<[], { id: number }>(
        `SELECT id FROM images i WHERE NOT EXISTS
           (SELECT 1 FROM captions c WHERE c.image_id = i.id AND c.status = 'approved') ORDER BY id`,
      ),
    };
  }

  /** Images that have no dHash yet. */
  missing(): Array<{ id: number; path: string; hash: string }> {
    return this.s.missing.all();
  }

  put(imageId: number, dhash: string, at: number): void {
    this.s.put.run(imageId, dhash, at);
  }

  setPixels(pixelHash: string, imageId: number): void {
    this.s.setPixels.run(pixelHash, imageId);
  }

  all(): HashRow[] {
    return this.s.all.all();
  }

  /** Ids of images without an approved caption. */
  withoutApproved(): number[] {
    return this.s.withoutApproved.all().map((r) => r.id);
  }
}
