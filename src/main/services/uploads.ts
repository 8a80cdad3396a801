// Files dropped on the window in a browser (or dropped loose in Electron) are uploaded into the
// library's own folder, `uploads/<batch>/…` beside the database, and then imported from there.
// Serve mode streams each file to disk (never held whole in memory). A batch stays "pending"
// (`uploads/.pending/<batch>`) until it is first imported or captioned; then what did not become a
// library image is removed (at the next start if that never came). A finished batch is never
// touched again: its photos are the library's copies, kept even if removed from the library.
import { randomBytes } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { MAX_UPLOAD_BYTES, type ApiMethods, type UploadResult } from '../../shared/api';
import { AppError } from '../../shared/result';
import type { Store } from '../db/index';

export { MAX_UPLOAD_BYTES };

export const uploadsDirFor = (dbPath: string): string => join(dirname(resolve(dbPath)), 'uploads');

const BATCH_ID = /^[A-Za-z0-9_-]{1,64}$/;
const PART = '.part-';

/** The file a relative upload path lands in, refusing anything that would leave the batch folder. */
export function uploadTarget(root: string, batchId: string, relPath: string): string {
  if (!BATCH_ID.test(batchId))
    throw new AppError('invalid_argument', 'A batch id is 1–64 letters, digits, - or _.');
  const clean = normalize(relPath.replace(/\\/g, '/')).replace(/^(\.\/)+/, '');
  const batch = resolve(root, batchId);
  const full = resolve(batch, clean);
  if (!clean || clean.startsWith('..') || !full.startsWith(batch + sep) || clean.includes(PART)) {
    throw new AppError('invalid_argument', `The file name ${relPath} would leave the upload folder.`);
  }
  return full;
}

const pendingMarker = (root: string, batchId: string) => join(root, '.pending', batchId);

function markPending(root: string, batchId: string): void {
  mkdirSync(join(root, '.pending'), { recursive: true });
  writeFileSync(pendingMarker(root, batchId), '');
}

const tooLarge = (relPath: string, limit: number) =>
  new AppError('invalid_argument', `${relPath} is larger than ${limit / 2 ** 20} MiB; it was not uploaded.`, {
    tooLarge: true,
  });

/**
 * Streams one upload to its place in the batch: written to a `.part-…` file first and renamed when
 * complete, so a cut-off or oversized upload leaves nothing behind.
 */
export async function receiveUpload(
  root: string,
  batchId: string,
  relPath: string,
  body: Readable,
  limit = MAX_UPLOAD_BYTES,
): Promise<UploadResult> {
  const target = uploadTarget(root, batchId, relPath);
  mkdirSync(dirname(target), { recursive: true });
  markPending(root, batchId);
  const part = `${target}${PART}${randomBytes(6).toString('hex')}`;
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(bytes > limit ? tooLarge(relPath, limit) : null, chunk);
    },
  });
  try {
    await pipeline(body, count, createWriteStream(part, { flags: 'wx' }));
    renameSync(part, target);
  } catch (e) {
    rmSync(part, { force: true });
    throw e;
  }
  return { dir: join(root, batchId), bytes };
}

/** For a pending batch: removes its files that are not library images (and empty folders); ends pending. */
export function discardBatch(store: Store, root: string, batchId: string): { removed: number; kept: number } {
  if (!BATCH_ID.test(batchId))
    throw new AppError('invalid_argument', 'A batch id is 1–64 letters, digits, - or _.');
  if (!existsSync(pendingMarker(root, batchId))) return { removed: 0, kept: 0 };
  const r = prune(store, join(root, batchId));
  rmSync(pendingMarker(root, batchId), { force: true });
  return r;
}

/** After an import or captioning from upload batches: removes what did not become a library image. */
export function discardBatchesOf(store: Store, paths: readonly string[]): void {
  const root = uploadsDirFor(store.path);
  const batches = new Set<string>();
  for (const p of paths) {
    const rel = relative(root, resolve(p));
    const batch = rel.split(sep)[0];
    if (rel && !rel.startsWith('..') && !isAbsolute(rel) && BATCH_ID.test(batch)) batches.add(batch);
  }
  for (const b of batches) discardBatch(store, root, b);
}

/**
 * At start (no upload can be running): batches uploaded but never imported are discarded like after
 * an import, and half-written `.part-…` files anywhere are removed.
 */
export function cleanStaleUploads(store: Store): { removed: number; kept: number } {
  const root = uploadsDirFor(store.path);
  const total = { removed: 0, kept: 0 };
  let batches: string[];
  try {
    batches = readdirSync(root).filter((b) => BATCH_ID.test(b));
  } catch {
    return total;
  }
  for (const b of batches) {
    const r = discardBatch(store, root, b);
    const parts = prune(store, join(root, b), (name) => name.includes(PART));
    total.removed += r.removed + parts.removed;
    total.kept += r.kept;
  }
  return total;
}

/** Removes the files under dir that are not library images (and match `only`), and empty folders. */
function prune(
  store: Store,
  dir: string,
  only: (name: string) => boolean = () => true,
): { removed: number; kept: number } {
  const keep = new Set(store.images.pathsUnder(dir + sep));
  let removed = 0;
  let kept = 0;
  const visit = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const ent of entries) {
      const p = join(d, ent.name);
      if (ent.isDirectory()) visit(p);
      else if (keep.has(p)) kept++;
      else if (only(ent.name)) {
        rmSync(p, { force: true });
        removed++;
      }
    }
    try {
      rmdirSync(d); // only when empty
    } catch {
      /* still holds library images */
    }
  };
  visit(dir);
  return { removed, kept };
}

export function uploadsService(store: Store): {
  'import.upload': (a: ApiMethods['import.upload']['args']) => ApiMethods['import.upload']['result'];
  'import.uploadDone': (
    a: ApiMethods['import.uploadDone']['args'],
  ) => ApiMethods['import.uploadDone']['result'];
} {
  const root = uploadsDirFor(store.path);
  return {
    'import.upload': ({ batchId, relPath, data }) => {
      const bytes = Buffer.from(data, 'base64');
      if (bytes.length > MAX_UPLOAD_BYTES) throw tooLarge(relPath, MAX_UPLOAD_BYTES);
      const target = uploadTarget(root, batchId, relPath);
      mkdirSync(dirname(target), { recursive: true });
      markPending(root, batchId);
      writeFileSync(target, bytes);
      return { dir: join(root, batchId), bytes: bytes.length };
    },
    'import.uploadDone': ({ batchId }) => discardBatch(store, root, batchId),
  };
}
