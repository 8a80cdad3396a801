// Collections repository: named sets of images.
import type { Db } from './connection';
import { AppError } from '../../shared/result';
import type { Collection } from '../../shared/types';

export class CollectionsRepo {
  private readonly s;
  constructor(private readonly db: Db) {
    this.s = {
      list: db.prepare<[], Collection>(
        `SELECT c.id, c.name, count(ci.image_id) AS count FROM collections c
         LEFT JOIN collection_images ci ON ci.collection_id = c.id GROUP BY c.id ORDER BY c.name`,
      ),
      byName: db.prepare<[string], { id: number }>('SELECT id FROM collections WHERE name = ?'),
      byId: db.prepare<[number], { id: number }>('SELECT id FROM collections WHERE id = ?'),
      create: db.prepare<[string, number], void>('INSERT INTO collections (name, created_at) VALUES (?, ?)'),
      add: db.prepare<[number, number], void>(
        'INSERT OR IGNORE INTO collection_images (collection_id, image_id) SELECT ?, id FROM images WHERE id = ?',
      ),
      remove: db.prepare<[number, number], void>(
        'DELETE FROM collection_images WHERE collection_id = ? AND image_id = ?',
      ),
      ofImages: db.prepare<[string], { image_id: number; collection_id: number }>(
        'SELECT image_id, collection_id FROM collection_images WHERE image_id IN (SELECT value FROM json_each(?))',
      ),
    };
  }

  list(): Collection[] {
    return this.s.list.all();
  }

  create(name: string): Collection {
    const clean = name.trim();
    if (!clean) throw new AppError('invalid_argument', 'A collection needs a name.');
    if (this.s.byName.get(clean))
      throw new AppError('conflict', `A collection named "${clean}" exists already.`);
    const id = Number(this.s.create.run(clean, Date.now()).lastInsertRowid);
    return { id, name: clean, count: 0 };
  }

  /** The collection with this name, created when missing. */
  ensure(name: string): number {
    return this.s.byName.get(name.trim())?.id ?? this.create(name).id;
  }

  addImages(collectionId: number, imageIds: number[]): number {
    this.require(collectionId);
    let n = 0;
    this.db.transaction(() => {
      for (const id of imageIds) n += Number(this.s.add.run(collectionId, id).changes);
    })();
    return n;
  }

  removeImages(collectionId: number, imageIds: number[]): number {
    this.require(collectionId);
    let n = 0;
    this.db.transaction(() => {
      for (const id of imageIds) n += Number(this.s.remove.run(collectionId, id).changes);
    })();
    return n;
  }

  ofImages(imageIds: number[]): Map<number, number[]> {
    const out = new Map<number, number[]>(imageIds.map((id) => [id, []]));
    for (const r of this.s.ofImages.all(JSON.stringify(imageIds))) out.get(r.image_id)?.push(r.collection_id);
    return out;
  }

  private require(id: number): void {
    if (!this.s.byId.get(id)) throw new AppError('not_found', `There is no collection ${id}.`);
  }
}
