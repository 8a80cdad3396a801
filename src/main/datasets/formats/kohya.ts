// kohya sd-scripts fine-tuning metadata JSON (merge_captions_to_metadata.py): `{"<image stem or
// path>": {"caption": "...", "tags": "..."}}`. A stem key is looked up with every image extension
// in the images folder, as sd-scripts does. When both caption and tags are present the caption is
// `caption, tags` (sd-scripts' FineTuningDataset appends the tags to the caption). The format holds
// one caption per image: our exporter writes the first in "caption" and, when there are more, all
// of them in a "captions" list (and the split in "split"); sd-scripts ignores keys it does not
// know, our importer prefers "captions" when present.
import { extname } from 'node:path';
import { IMAGE_EXTENSIONS } from '../walk';
import { isObject } from './json';
import { EntryBuilder, splitOf, type ExportFile, type ExportImage, type ParsedDataset } from './types';

export const KOHYA_FILE = 'metadata.json';

/**
 * The most image keys a kohya metadata file may hold: each key is looked up under every image
 * extension, so a file far beyond any fine-tuning set (a million keys) would run for many minutes;
 * it is refused, counted before the JSON is parsed.
 */
export const MAX_KOHYA_KEYS = 250_000;

/** Paths an image key may stand for: the key itself if it names an image, else key + each image extension. */
export function keyCandidates(key: string): string[] {
  if (IMAGE_EXTENSIONS.has(extname(key).toLowerCase())) return [key];
  const exts = [...IMAGE_EXTENSIONS];
  return [key, ...exts.map((e) => key + e), ...exts.map((e) => key + e.toUpperCase())];
}

export function parseKohya(json: unknown, file: string): ParsedDataset {
  const out: ParsedDataset = { entries: [], failed: [], warnings: [] };
  if (!isObject(json)) {
    out.failed.push({
      path: file,
      reason: 'malformed',
      message: 'This is not kohya metadata: expected an object of image keys. Check --format.',
    });
    return out;
  }
  const b = new EntryBuilder();
  for (const [key, md] of Object.entries(json)) {
    if (!isObject(md)) {
      out.failed.push({
        path: `${file}: ${key}`,
        reason: 'malformed',
        message: `The entry of ${key} is not an object.`,
      });
      continue;
    }
    const e = b.get(key, keyCandidates(key));
    e.split = splitOf(md.split);
    if (Array.isArray(md.captions)) {
      for (const c of md.captions) if (typeof c === 'string') e.captions.push(c);
      continue;
    }
    const caption = typeof md.caption === 'string' ? md.caption : null;
    const tags = typeof md.tags === 'string' && md.tags.length > 0 ? md.tags : null;
    const text = caption !== null && tags !== null ? `${caption}, ${tags}` : (caption ?? tags);
    if (text !== null && text !== '') e.captions.push(text);
  }
  out.entries = b.entries();
  return out;
}

/**
 * Keys are stems (the export's names are unique by stem), the sd-scripts default; a stem that
 * itself ends in an image extension (`a.jpg.png`) would name another file, so its key is the
 * whole file name.
 */
export function writeKohya(images: readonly ExportImage[]): ExportFile[] {
  const doc: Record<string, unknown> = {};
  for (const i of images) {
    const stem = i.name.slice(0, i.name.length - extname(i.name).length);
    doc[IMAGE_EXTENSIONS.has(extname(stem).toLowerCase()) ? i.name : stem] = {
      caption: i.captions[0] ?? '',
      ...(i.captions.length > 1 ? { captions: i.captions } : {}),
      ...(i.split ? { split: i.split } : {}),
    };
  }
  return [{ name: KOHYA_FILE, text: JSON.stringify(doc, null, 2) + '\n' }];
}
