// Serves the built renderer's files, refusing any path that leaves its folder.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.avif': 'image/avif',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export const contentType = (path: string): string =>
  TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';

/** Resolves a URL path inside root, or null when it would leave root (after decoding). */
export function safeJoin(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const base = resolve(root);
  const full = resolve(join(base, decoded));
  return full === base || full.startsWith(base + sep) ? full : null;
}

const SMALL = 256 * 1024;

export async function sendFile(
  res: ServerResponse,
  path: string,
  headers: Record<string, string> = {},
): Promise<boolean> {
  try {
    const st = await stat(path);
    if (!st.isFile()) return false;
    res.writeHead(200, { 'content-type': contentType(path), 'content-length': String(st.size), ...headers });
    // Small files (thumbnails, the app's assets) in one write; large ones (photos) streamed.
    if (st.size <= SMALL) res.end(await readFile(path));
    else
      await new Promise<void>((done, fail) => {
        createReadStream(path).on('error', fail).on('end', done).pipe(res);
      });
    return true;
  } catch {
    return false;
  }
}
