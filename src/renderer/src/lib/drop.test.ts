// pathsOnDisk: photos are read from where they are only when the transport knows every path.
import { describe, expect, it } from 'vitest';
import type { Client } from './client';
import { pathsOnDisk } from './drop';

const files = [new File(['a'], 'a.jpg'), new File(['b'], 'b.jpg')];
const clientWith = (pathFor: (f: File) => string | null) => ({ pathForFile: pathFor }) as unknown as Client;

describe('pathsOnDisk', () => {
  it('gives every path in Electron', () => {
    expect(
      pathsOnDisk(
        clientWith((f) => `/photos/${f.name}`),
        files,
      ),
    ).toEqual(['/photos/a.jpg', '/photos/b.jpg']);
  });

  it('gives null in a browser, or when one file has no path (then all are uploaded)', () => {
    expect(
      pathsOnDisk(
        clientWith(() => null),
        files,
      ),
    ).toBeNull();
    expect(
      pathsOnDisk(
        clientWith((f) => (f.name === 'a.jpg' ? '/photos/a.jpg' : '')),
        files,
      ),
    ).toBeNull();
  });
});
