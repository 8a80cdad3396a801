// Walks a folder tree for an import: recursive, follows symbolic links but never visits a real
// folder twice (so link loops end), skips OS junk and hidden folders, sorted for repeatable runs.
import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { isSidecarName } from './sidecar';

/** Extensions we import (case-insensitive); sniffing the bytes decides the real format. */
export const IMAGE_EXTENSIONS = new Set([
  '.jpg',
  '.jpeg',
  '.jpe',
  '.jfif',
  '.png',
  '.webp',
  '.gif',
  '.tif',
  '.tiff',
  '.avif',
]);

/** Image extensions we recognise but cannot read: reported as unsupported rather than ignored. */
export const UNSUPPORTED_EXTENSIONS = new Set([
  '.heic',
  '.heif',
  '.bmp',
  '.jxl',
  '.jp2',
  '.psd',
  '.ico',
  '.svg',
]);

const JUNK_FILES = new Set(['.ds_store', 'thumbs.db', 'ehthumbs.db', 'desktop.ini', 'icon\r']);
const JUNK_DIRS = new Set(['__macosx', '@eadir', '$recycle.bin', 'system volume information']);

/** Files and folders no user means to import: dot-files (incl. `._*` AppleDouble), OS metadata. */
export function isJunk(name: string, isDir: boolean): boolean {
  const lower = name.toLowerCase();
  if (name.startsWith('.')) return true;
  return isDir ? JUNK_DIRS.has(lower) : JUNK_FILES.has(lower);
}

export interface WalkResult {
  /** Candidate image files (by extension), sorted. */
  images: string[];
  /** Everything else that is not junk or a sidecar. */
  ignored: string[];
  /** Folders that could not be read, with the reason. */
  unreadable: Array<{ path: string; message: string }>;
}

export async function walkFolder(root: string, signal?: AbortSignal): Promise<WalkResult> {
  const out: WalkResult = { images: [], ignored: [], unreadable: [] };
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const visit = async (dir: string): Promise<void> => {
    signal?.throwIfAborted();
    let real: string;
    try {
      real = await realpath(dir);
    } catch (e) {
      out.unreadable.push({ path: dir, message: (e as Error).message });
      return;
    }
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      out.unreadable.push({ path: dir, message: (e as Error).message });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ent of entries) {
      const path = join(dir, ent.name);
      let isDir = ent.isDirectory();
      let isFile = ent.isFile();
      if (ent.isSymbolicLink()) {
        try {
          const s = await stat(path);
          isDir = s.isDirectory();
          isFile = s.isFile();
        } catch {
          continue; // a dangling link: nothing to import
        }
      }
      if (isJunk(ent.name, isDir)) continue;
      if (isDir) {
        await visit(path);
      } else if (isFile) {
        if (isSidecarName(ent.name)) continue;
        const ext = extname(ent.name).toLowerCase();
        if (!IMAGE_EXTENSIONS.has(ext) && !UNSUPPORTED_EXTENSIONS.has(ext)) {
          out.ignored.push(path);
          continue;
        }
        // The same file reached through two links is one file.
        const key = await realpath(path).catch(() => path);
        if (seenFiles.has(key)) continue;
        seenFiles.add(key);
        out.images.push(path);
      }
    }
  };
  await visit(root);
  return out;
}
