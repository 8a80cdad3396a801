// Reads what was dropped on the window: files and whole folders (walked recursively), each with
// its path relative to what was dropped, and uploads them for import.
import type { Client } from './client';

export interface DroppedFile {
  file: File;
  relPath: string;
}

export interface Dropped {
  files: DroppedFile[];
  /** Folders whose path on disk is known (Electron): imported in place, not copied. */
  folderPaths: string[];
}

function readEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  return new Promise((resolve, reject) => {
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, prefix: string, out: DroppedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject),
    );
    out.push({ file, relPath: prefix + entry.name });
  } else if (entry.isDirectory) {
    for (const child of await readEntries(entry as FileSystemDirectoryEntry)) {
      await walk(child, `${prefix}${entry.name}/`, out);
    }
  }
}

export async function readDrop(dt: DataTransfer, client: Client): Promise<Dropped> {
  const files: DroppedFile[] = [];
  const folderPaths: string[] = [];
  const items = [...dt.items].filter((i) => i.kind === 'file');
  const entries = items.map((i) => ({ entry: i.webkitGetAsEntry?.() ?? null, file: i.getAsFile() }));
  for (const { entry, file } of entries) {
    const onDisk = file ? client.pathForFile(file) : null;
    if (entry?.isDirectory && onDisk) folderPaths.push(onDisk);
    else if (entry) await walk(entry, '', files);
    else if (file) files.push({ file, relPath: file.name });
  }
  return { files, folderPaths };
}

/** The files' paths on disk when the transport knows every one of them (Electron), else null. */
export function pathsOnDisk(client: Client, files: File[]): string[] | null {
  const paths = files.map((f) => client.pathForFile(f));
  return paths.every((p): p is string => !!p) ? paths : null;
}

function toBase64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Uploads the files into one batch folder of the library and returns that folder. */
export async function upload(
  client: Client,
  files: DroppedFile[],
  onProgress: (done: number, total: number) => void,
  batchId = `drop-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
): Promise<string | null> {
  let dir: string | null = null;
  for (const [i, f] of files.entries()) {
    const data = toBase64(await f.file.arrayBuffer());
    dir = (await client.call('import.upload', { batchId, relPath: f.relPath, data })).dir;
    onProgress(i + 1, files.length);
  }
  return dir;
}
