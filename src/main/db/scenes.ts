// The scenes table: the ground truth of each synthetic image, stored as JSON beside the image row.
import type { Db } from './connection';
import type { Scene } from '../datasets/shapes/scene';

export class ScenesRepo {
  private readonly s;
  constructor(db: Db) {
    this.s = {
      put: db.prepare<[number, string, string], void>(
        'INSERT INTO scenes (image_id, kind, truth) VALUES (?, ?, ?) ON CONFLICT(image_id) DO UPDATE SET truth = excluded.truth',
      ),
      get: db.prepare<[number], { truth: string }>('SELECT truth FROM scenes WHERE image_id = ?'),
      count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM scenes'),
      ofSplit: db.prepare<[string], { id: number }>(
        'SELECT i.id FROM images i JOIN scenes s ON s.image_id = i.id WHERE i.split = ? ORDER BY i.id',
      ),
    };
  }

  put(imageId: number, scene: Scene): void {
    this.s.put.run(imageId, 'shapes', JSON.stringify(scene));
  }

  get(imageId: number): Scene | null {
    const r = this.s.get.get(imageId);
    return r ? (JSON.parse(r.truth) as Scene) : null;
  }

  /** Ids of the images of a split that have a scene, in id order. */
  imagesOfSplit(split: 'train' | 'val' | 'test'): number[] {
    return this.s.ofSplit.all(split).map((r) => r.id);
  }

  count(): number {
    return this.s.count.get()!.n;
  }
}
