// Raw SQL for tests that set up or inspect a library directly: a second connection to the store's
// file (the app's own code reaches SQLite only through the repositories of src/main/db).
import { openDatabase, type Db } from '../../src/main/db/connection';

const open = new Map<string, Db>();

/** A connection to the library file of `store` (one per file, kept open for the test process). */
export function sql(store: { path: string }): Db {
  let db = open.get(store.path);
  if (!db || !db.open) {
    db = openDatabase(store.path);
    open.set(store.path, db);
  }
  return db;
}
