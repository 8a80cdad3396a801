// File names of exported images: the library file's own name, made safe for every format (no TAB,
// line break, `/` or `\`, which the Flickr8k lists and sidecars cannot carry) and unique by stem,
// case-insensitively (foo.jpg and foo.png would share foo.txt; macOS and Windows fold case).
import { basename, extname } from 'node:path';

export function safeName(path: string): string {
  const name = basename(path.replace(/\\/g, '/'))
    .replace(/[\t\r\n/\\]/g, '_')
    .replaceAll('\0', '_')
    .trim();
  return name === '' || name === '.' || name === '..' ? 'image' : name;
}

/** Gives every path a distinct export name; a clash gets `-<first 8 of the content hash>` (then a counter). */
export function uniqueNames(items: ReadonlyArray<{ path: string; hash: string }>): string[] {
  const used = new Set<string>();
  return items.map(({ path, hash }) => {
    const name = safeName(path);
    const ext = extname(name);
    const stem = name.slice(0, name.length - ext.length) || 'image';
    let candidate = `${stem}${ext}`;
    for (let n = 0; used.has(candidate.slice(0, candidate.length - ext.length).toLowerCase()); n++)
      candidate = `${stem}-${hash.slice(0, 8)}${n ? `-${n}` : ''}${ext}`;
    used.add(candidate.slice(0, candidate.length - ext.length).toLowerCase());
    return candidate;
  });
}
