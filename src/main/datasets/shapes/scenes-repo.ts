// The scenes table: the ground truth of each synthetic image, stored as JSON beside the image row.
import type { Db } from '../../db/index';
import type { Scene } from './scene';

export class ScenesRepo {
  private readonly s;
  constructor(db: Db) {
    this.s = {
      put: db.prepare<[number, string, string], void>(
        'INSERT INTO scenes (image_id, kind, truth) VALUES (?, ?, ?) ON CONFLICT(image_id) DO UPDATE SET truth = excluded.truth',
      ),
      get: db.prepare<[number], { truth: string }>('SELECT truth FROM scenes WHERE image_id = ?'),
      count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM scenes'),
    };
  }

  put(imageId: number, scene: Scene): void {
    this.s.put.run(imageId, 'shapes', JSON.stringify(scene));
  }

  get(imageId: number): Scene | null {
    const r = this.s.get.get(imageId);
    return r ? (JSON.parse(r.truth) as Scene) : null;
  }

  count(): number {
    return this.s.count.get()!.n;
  }
}
