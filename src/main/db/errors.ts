// SQLite failures a person can act on (a damaged, cut-short, read-only or unreachable library, a
// full disk) as an AppError with a sentence saying what to do, instead of an SqliteError stack.
import { AppError } from '../../shared/result';

const BACKUPS = 'a copy named <library>.v<N>-<date>.bak is made beside it before every upgrade';

/** The AppError for an SQLite error about the library at `path`, or null for any other error. */
export function libraryError(e: unknown, path?: string): AppError | null {
  const lib = path ? `the library ${path}` : 'the library';
  const Lib = lib[0].toUpperCase() + lib.slice(1);
  if (e instanceof AppError) return null;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  const family = /^SQLITE_(NOTADB|CORRUPT|READONLY|CANTOPEN|FULL|IOERR|PERM|AUTH)/.exec(code)?.[1];
  switch (family) {
    case 'NOTADB':
      return new AppError(
        'unsupported',
        `${path ?? 'The library file'} is not a Caption Studio library: it is not an SQLite database (another kind of file, or its ` +
          `start was overwritten). Open the right file with --db FILE, or restore the library from a backup (${BACKUPS}).`,
      );
    case 'CORRUPT':
      return new AppError(
        'io',
        `${Lib} is damaged (cut short or overwritten). Quit Caption Studio and keep a copy of the file; ` +
          `then restore it from a backup (${BACKUPS}) or save what can be read with ` +
          `\`sqlite3 ${path ?? 'library.db'} .recover | sqlite3 recovered.db\` and open recovered.db with --db.`,
      );
    case 'READONLY':
    case 'PERM':
    case 'AUTH':
      return new AppError(
        'io',
        `Caption Studio cannot write ${lib}: the file, its folder or the disk is read-only. Make the ` +
          `file and its folder writable, or copy the library to a writable folder and open it there with --db FILE.`,
      );
    case 'CANTOPEN':
      return new AppError(
        'io',
        `Caption Studio cannot open ${lib}: the file or its folder cannot be read, written or ` +
          `created (a read-only folder or disk?). Check that the folder exists and that you may read and write ` +
          `it, or copy the library to a writable folder and open it there with --db FILE.`,
      );
    case 'FULL':
      return new AppError(
        'io',
        `The disk holding ${lib} is full; the change was not saved. Free some space and try again.`,
      );
    case 'IOERR':
      return new AppError(
        'io',
        `Reading or writing ${lib} failed (the disk reported an error: ${code}). Check the disk ` +
          `(is it still connected, is it full?) and try again; if it keeps failing, copy the library elsewhere.`,
      );
    default:
      return null;
  }
}
