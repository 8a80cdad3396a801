// Shared by the dataset format, export, round-trip and health tests: a fresh core in a temp
// folder, distinct small real images made with sharp, and the library's content as plain data.
import sharp from 'sharp';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCore, type Core } from '../../src/main/services/index';
import type { ArgsOf, Method, ResultOf } from '../../src/shared/api';
import { sql } from '../helpers/sql';

/** Calls the core and fails the test with the error message when the call fails. */
export async function call<M extends Method>(c: Core, m: M, args: ArgsOf<M>): Promise<ResultOf<M>> {
  const r = await c.dispatch(m, args);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** A core over a new library under `root/<name>/lib`. */
export function openLibrary(root: string, name: string): Core {
  return createCore({ dbPath: join(root, name, 'lib', 'library.db') });
}

/** A small JPEG, different for every `i` (colour and size). */
export async function distinctJpeg(i: number): Promise<Buffer> {
  const colour = { r: (i * 67) % 256, g: (i * 131 + 40) % 256, b: (i * 29 + 90) % 256 };
  return sharp({ create: { width: 16 + (i % 5), height: 12 + (i % 3), channels: 3, background: colour } })
    .jpeg()
    .toBuffer();
}

/** Writes `names` as distinct images in `dir` (sub-folders created); returns the bytes by name. */
export async function writeImages(dir: string, names: string[], offset = 0): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const [i, name] of names.entries()) {
    const bytes = await distinctJpeg(i + offset);
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), bytes);
    out.set(name, bytes);
  }
  return out;
}

export interface ImageState {
  hash: string;
  split: string | null;
  captions: Array<[string, string]>;
}

/** Every image (by content hash) with its split and its captions (text, status) in order. */
export function libraryState(c: Core): ImageState[] {
  const images = sql(c.store).prepare('SELECT id, hash, split FROM images ORDER BY hash').all() as Array<{
    id: number;
    hash: string;
    split: string | null;
  }>;
  return images.map((i) => ({
    hash: i.hash,
    split: i.split,
    captions: c.store.captions.ofImage(i.id).map((cap) => [cap.text, cap.status] as [string, string]),
  }));
}

/** Every row of the tables an import writes, to compare before and after. */
export function snapshot(c: Core): unknown {
  const q = (query: string) => sql(c.store).prepare(query).all();
  return {
    images: q('SELECT * FROM images ORDER BY id'),
    captions: q('SELECT * FROM captions ORDER BY id'),
    history: q('SELECT * FROM caption_history ORDER BY id'),
    collections: q('SELECT * FROM collections ORDER BY id'),
    members: q('SELECT * FROM collection_images ORDER BY 1, 2'),
  };
}

/** Captions of the image stored at `path`. */
export function captionsAt(c: Core, path: string): string[] {
  const img = sql(c.store).prepare('SELECT id FROM images WHERE path = ?').get(path) as
    { id: number } | undefined;
  if (!img) throw new Error(`no image at ${path}`);
  return c.store.captions.ofImage(img.id).map((x) => x.text);
}

export function splitAt(c: Core, path: string): string | null {
  const r = sql(c.store).prepare('SELECT split FROM images WHERE path = ?').get(path) as
    { split: string | null } | undefined;
  if (!r) throw new Error(`no image at ${path}`);
  return r.split;
}
