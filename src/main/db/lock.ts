// One app or server instance per library: a lock file beside the database holding the owner's pid.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { AppError } from '../../shared/result';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the library lock; a stale lock (its process gone) is taken over. Returns the release. */
export function acquireLibraryLock(dbPath: string): () => void {
  const path = `${dbPath}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (pid && pid !== process.pid && alive(pid)) {
        throw new AppError(
          'busy',
          `The library ${dbPath} is open in another Caption Studio (process ${pid}). Close that one first, ` +
            `or open another library with --db FILE.`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new AppError('busy', `Could not lock the library ${dbPath}.`);
}
