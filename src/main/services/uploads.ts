// Files dropped on the window in a browser (or dropped loose in Electron) are uploaded into the
// library's own folder, `uploads/<batch>/…` beside the database, and then imported from there.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import type { ApiMethods } from '../../shared/api';
import { AppError } from '../../shared/result';
import type { Store } from '../db/index';

export const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;

export const uploadsDirFor = (dbPath: string): string => join(dirname(resolve(dbPath)), 'uploads');

/** The file a relative upload path lands in, refusing anything that would leave the batch folder. */
export function uploadTarget(root: string, batchId: string, relPath: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(batchId))
    throw new AppError('invalid_argument', 'A batch id is 1–64 letters, digits, - or _.');
  const clean = normalize(relPath.replace(/\\/g, '/')).replace(/^(\.\/)+/, '');
  const batch = resolve(root, batchId);
  const full = resolve(batch, clean);
  if (!clean || clean.startsWith('..') || !full.startsWith(batch + sep)) {
    throw new AppError('invalid_argument', `The file name ${relPath} would leave the upload folder.`);
  }
  return full;
}

export function uploadsService(store: Store): {
  'import.upload': (a: ApiMethods['import.upload']['args']) => ApiMethods['import.upload']['result'];
} {
  const root = uploadsDirFor(store.path);
  return {
    'import.upload': ({ batchId, relPath, data }) => {
      const bytes = Buffer.from(data, 'base64');
      if (bytes.length > MAX_UPLOAD_BYTES)
        throw new AppError(
          'invalid_argument',
          `${relPath} is larger than ${MAX_UPLOAD_BYTES / 2 ** 20} MiB.`,
        );
      const target = uploadTarget(root, batchId, relPath);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, bytes);
      return { dir: join(root, batchId), bytes: bytes.length };
    },
  };
}
