// The one way a file is read whole: open (non-blocking, so a FIFO cannot hang the open), fstat the
// open descriptor, refuse anything but a regular file (devices such as /dev/zero, FIFOs, sockets,
// folders), refuse a file over the caller's size cap, then read at most the size fstat gave. Every
// reader of a file a user or a dataset names goes through readBounded / readBoundedSync.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { AppError } from '../../shared/result';

const MiB = 1024 * 1024;

/** Size caps per kind of file; a file over its cap is refused before a byte of it is read. */
export const READ_CAPS = {
  /** Photos: a 100 MP 16-bit TIFF is about 600 MB; nothing a camera makes comes near 1 GiB. */
  image: 1024 * MiB,
  /** A caption sidecar: one caption per line, 20,000 characters each at most. */
  sidecar: 4 * MiB,
  /** A dataset annotation file (COCO's largest captions file is about 90 MB). */
  dataset: 512 * MiB,
  /** A vocabulary or tokenizer file (GPT-2's tokenizer.json is 1.4 MB). */
  vocabulary: 64 * MiB,
  /** Model weights and checkpoints (ViT-GPT2 in float32 is about 1 GB). */
  weights: 4096 * MiB,
  /** One cached feature map, or a small JSON file of our own. */
  small: 256 * MiB,
} as const;

export type BoundedReadReason = 'missing' | 'not-a-file' | 'too-large' | 'unreadable';

/** Why a bounded read refused a file; `reason` for callers that report categories. */
export class BoundedReadError extends AppError {
  constructor(
    readonly reason: BoundedReadReason,
    message: string,
  ) {
    super(reason === 'missing' ? 'not_found' : reason === 'unreadable' ? 'io' : 'invalid_argument', message, {
      reason,
    });
    this.name = 'BoundedReadError';
  }
}

const FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

const mb = (n: number) => `${(n / MiB).toFixed(n < 10 * MiB ? 1 : 0)} MB`;

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device (such as /dev/zero)';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function check(path: string, st: Stats, max: number, what: string): number {
  if (!st.isFile())
    throw new BoundedReadError(
      'not-a-file',
      `The ${what} ${path} is ${kindOf(st)}, not a regular file; only regular files are read.`,
    );
  if (st.size > max)
    throw new BoundedReadError(
      'too-large',
      `The ${what} ${path} is ${mb(st.size)}, over the ${mb(max)} limit for a ${what}; it was not read.`,
    );
  return st.size;
}

function openError(path: string, e: unknown, what: string): BoundedReadError {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return new BoundedReadError('missing', `There is no ${what} ${path}.`);
  if (err.code === 'EISDIR')
    return new BoundedReadError('not-a-file', `The ${what} ${path} is a folder, not a regular file.`);
  return new BoundedReadError('unreadable', `Could not read the ${what} ${path}: ${err.message}`);
}

/**
 * Reads a regular file of at most `max` bytes. The amount read is bounded by the size fstat
 * reported, so a file that grows while it is read is cut at that size rather than read on.
 */
export async function readBounded(path: string, max: number, what = 'file'): Promise<Buffer> {
  let fh;
  try {
    fh = await open(path, FLAGS);
  } catch (e) {
    throw openError(path, e, what);
  }
  try {
    const size = check(path, await fh.stat(), max, what);
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await fh.read(buf, got, size - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === size ? buf : buf.subarray(0, got);
  } catch (e) {
    if (e instanceof BoundedReadError) throw e;
    throw openError(path, e, what);
  } finally {
    await fh.close();
  }
}

/**
 * Opens a regular file of at most `max` bytes without blocking (a FIFO cannot hang it) and checks it;
 * the caller reads from `fd` and closes it.
 */
export function openBoundedSync(path: string, max: number, what = 'file'): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, FLAGS);
  } catch (e) {
    throw openError(path, e, what);
  }
  try {
    return { fd, size: check(path, fstatSync(fd), max, what) };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** readBounded for synchronous callers (the training worker and the tokenizer loaders). */
export function readBoundedSync(path: string, max: number, what = 'file'): Buffer {
  const { fd, size } = openBoundedSync(path, max, what);
  try {
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return got === size ? buf : buf.subarray(0, got);
  } catch (e) {
    throw openError(path, e, what);
  } finally {
    closeSync(fd);
  }
}
