// The bounded reader: a regular file is read whole; a symbolic link to /dev/zero, a FIFO (which
// would block an ordinary open or read for ever), a folder and a file over the cap are refused at
// once, before a byte is read.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/tmp';
import { decodeFile } from '../images/decode';
import { BoundedReadError, readBounded, readBoundedSync } from './bounded';

const dir = tempDir();
const file = join(dir, 'a.txt');
writeFileSync(file, 'hello');
const zero = join(dir, 'zero.txt');
symlinkSync('/dev/zero', zero);
const fifo = join(dir, 'pipe.txt');
execFileSync('mkfifo', [fifo]);
const folder = join(dir, 'folder.txt');
mkdirSync(folder);

const reasonOf = async (f: () => Promise<unknown> | unknown): Promise<string> => {
  try {
    await f();
  } catch (e) {
    if (e instanceof BoundedReadError) return `${e.reason}: ${e.message}`;
    throw e;
  }
  return 'read';
};

describe.each([
  ['readBounded', (p: string, max: number) => readBounded(p, max, 'caption file')],
  ['readBoundedSync', (p: string, max: number) => readBoundedSync(p, max, 'caption file')],
])('%s', (_name, read) => {
  it('reads a regular file within its cap', async () => {
    expect((await read(file, 5)).toString()).toBe('hello');
  });

  it('refuses a link to /dev/zero, a FIFO and a folder as not regular files', async () => {
    expect(await reasonOf(() => read(zero, 1 << 20))).toMatch(/^not-a-file: .*character device/);
    expect(await reasonOf(() => read(fifo, 1 << 20))).toMatch(/^not-a-file: .*named pipe/);
    expect(await reasonOf(() => read(folder, 1 << 20))).toMatch(/^not-a-file: .*folder/);
  });

  it('refuses a file over the cap and says so; a missing file is missing', async () => {
    expect(await reasonOf(() => read(file, 4))).toMatch(/^too-large: .*over the .* limit for a caption file/);
    expect(await reasonOf(() => read(join(dir, 'nope'), 4))).toMatch(/^missing: /);
  });
});

describe('image reads (caption.generate, imports, thumbnails)', () => {
  it('refuse /dev/zero and a FIFO at once as unreadable images', async () => {
    await expect(decodeFile(zero)).rejects.toMatchObject({
      reason: 'unreadable',
      message: /character device/,
    });
    await expect(decodeFile(fifo)).rejects.toMatchObject({ reason: 'unreadable', message: /named pipe/ });
  });
});
