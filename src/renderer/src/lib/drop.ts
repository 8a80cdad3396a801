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

/** A file that could not be uploaded, and why. */
export interface UploadFailure {
  relPath: string;
  message: string;
}

/**
 * Uploads the files into one batch folder of the library and returns that folder (null when no
 * file made it). Each file is streamed on its own (serve mode: up to 512 MiB, a camera JPEG is
 * nothing); one that fails does not stop the others: `onFailed` hears of it, or, without
 * `onFailed`, the failures are thrown together once the rest are up.
 */
export async function upload(
  client: Client,
  files: DroppedFile[],
  onProgress: (done: number, total: number) => void,
  batchId = `drop-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
  onFailed?: (failure: UploadFailure) => void,
): Promise<string | null> {
  let dir: string | null = null;
  const failed: UploadFailure[] = [];
  for (const [i, f] of files.entries()) {
    try {
      dir = (await client.upload(batchId, f.relPath, f.file)).dir;
    } catch (e) {
      const failure = { relPath: f.relPath, message: (e as Error).message };
      if (onFailed) onFailed(failure);
      else failed.push(failure);
    }
    onProgress(i + 1, files.length);
  }
  if (failed.length)
    throw new Error(
      `${failed.length} of ${files.length} file(s) could not be uploaded: ` +
        failed.map((f) => `${f.relPath} (${f.message})`).join('; '),
    );
  return dir;
}
