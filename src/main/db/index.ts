// The store: one connection and its repositories (all the SQL of the app lives in src/main/db).
import { openDatabase, type OpenOptions } from './connection';
import { CaptionsRepo } from './captions';
import { CollectionsRepo } from './collections';
import { ImagesRepo } from './images';
import { PhashRepo } from './phash';
import { RunsRepo } from './runs';
import { ScenesRepo } from './scenes';

export interface Store {
  path: string;
  images: ImagesRepo;
  captions: CaptionsRepo;
  collections: CollectionsRepo;
  runs: RunsRepo;
  scenes: ScenesRepo;
  phash: PhashRepo;
  /** Runs `fn` in one transaction (BEGIN IMMEDIATE with `immediate`: takes the write lock at once). */
  transaction<T>(fn: () => T, opts?: { immediate?: boolean }): T;
  close(): void;
}

export function openStore(path: string, opts: OpenOptions = {}): Store {
  const db = openDatabase(path, opts);
  return {
    path,
    images: new ImagesRepo(db),
    captions: new CaptionsRepo(db),
    collections: new CollectionsRepo(db),
    runs: new RunsRepo(db),
    scenes: new ScenesRepo(db),
    phash: new PhashRepo(db),
    transaction: (fn, opts = {}) => {
      const t = db.transaction(fn);
      return opts.immediate ? t.immediate() : t();
    },
    close: () => db.close(),
  };
}

export type { Db } from './connection';
