// The store: one connection and its repositories.
import { openDatabase, type Db, type OpenOptions } from './connection';
import { CaptionsRepo } from './captions';
import { CollectionsRepo } from './collections';
import { ImagesRepo } from './images';

export interface Store {
  db: Db;
  path: string;
  images: ImagesRepo;
  captions: CaptionsRepo;
  collections: CollectionsRepo;
  close(): void;
}

export function openStore(path: string, opts: OpenOptions = {}): Store {
  const db = openDatabase(path, opts);
  return {
    db,
    path,
    images: new ImagesRepo(db),
    captions: new CaptionsRepo(db),
    collections: new CollectionsRepo(db),
    close: () => db.close(),
  };
}

export type { Db } from './connection';
