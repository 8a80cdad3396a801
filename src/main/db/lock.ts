// One app or server instance per library. The lock is an exclusive SQLite transaction held open on
// `<library>.lock.db`: the operating system holds it for this process and drops it when the process
// ends however it ends, so a lock is never stale and two processes can never both take it (there is
// no check-then-remove step to race on). `<library>.lock` holds the owner's pid, for the message.
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from '../../shared/result';
import { libraryError } from './errors';

/** Takes the library lock, or throws `busy` naming the process that holds it. Returns the release. */
export function acquireLibraryLock(dbPath: string): () => void {
  const binding = process.env.CAPTION_STUDIO_SQLITE_BINDING;
  mkdirSync(dirname(dbPath), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(`${dbPath}.lock.db`, binding ? { nativeBinding: binding } : {});
  } catch (e) {
    throw libraryError(e, dbPath) ?? e;
  }
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('journal_mode = DELETE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    db.close();
    if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw libraryError(e, dbPath) ?? e;
    const pid = ownerPid(dbPath);
    throw new AppError(
      'busy',
      `The library ${dbPath} is open in another Caption Studio${pid ? ` (process ${pid})` : ''}. Close that ` +
        `one first, or open another library with --db FILE.`,
    );
  }
  writeFileSync(`${dbPath}.lock`, String(process.pid));
  let released = false;
  return () => {
    if (released) return;
    released = true;
    rmSync(`${dbPath}.lock`, { force: true });
    db.exec('ROLLBACK');
    db.close();
  };
}

function ownerPid(dbPath: string): number | null {
  try {
    const pid = Number(readFileSync(`${dbPath}.lock`, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
