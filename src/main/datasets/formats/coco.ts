// COCO captions JSON (annotations/captions_*.json: FIELD_NOTES §5): images[] {id, file_name, width,
// height} and annotations[] {id, image_id, caption}; and the results list for evaluation,
// `[{"image_id", "caption"}]` (tylin/coco-caption). COCO has no split field: the file is the
// split, so the importer takes one (--split); our exporter adds a `split` key to each image,
// which COCO readers ignore and our importer reads back.
import { isObject } from './json';
import { EntryBuilder, splitOf, type ExportFile, type ExportImage, type ParsedDataset } from './types';

export const COCO_FILE = 'captions.json';
export const COCO_RESULTS_FILE = 'results.json';

export function parseCoco(json: unknown, file: string): ParsedDataset {
  const out: ParsedDataset = { entries: [], failed: [], warnings: [] };
  if (!isObject(json) || !Array.isArray(json.images) || !Array.isArray(json.annotations)) {
    out.failed.push({
      path: file,
      reason: 'malformed',
      message: 'This is not a COCO captions file: it needs "images" and "annotations" lists. Check --format.',
    });
    return out;
  }
  const b = new EntryBuilder();
  const byId = new Map<string, string>();
  json.images.forEach((img: unknown, i) => {
    if (!isObject(img) || typeof img.file_name !== 'string' || img.file_name === '' || img.id === undefined) {
      out.failed.push({
        path: `${file}: images[${i}]`,
        reason: 'malformed',
        message: `images[${i}] needs an "id" and a "file_name"; fix or remove it.`,
      });
      return;
    }
    const id = String(img.id);
    if (byId.has(id)) {
      out.failed.push({
        path: `${file}: images[${i}]`,
        reason: 'malformed',
        message: `Image id ${id} appears twice (${byId.get(id)} and ${img.file_name}); the second was left out.`,
      });
      return;
    }
    byId.set(id, img.file_name);
    b.get(img.file_name).split = splitOf(img.split);
  });
  json.annotations.forEach((a: unknown, i) => {
    const where = `${file}: annotations[${i}]`;
    if (!isObject(a) || typeof a.caption !== 'string' || a.image_id === undefined) {
      out.failed.push({
        path: where,
        reason: 'malformed',
        message: `annotations[${i}] needs "image_id" and "caption".`,
      });
      return;
    }
    const name = byId.get(String(a.image_id));
    if (name === undefined) {
      out.failed.push({
        path: where,
        reason: 'unknown-image',
        message: `annotations[${i}] (id ${String(a.id)}) is for image_id ${String(a.image_id)}, which "images" does not list; it was left out.`,
      });
      return;
    }
    b.get(name).captions.push(a.caption);
  });
  out.entries = b.entries();
  return out;
}

/** Image ids are the library's image ids, so a results file and a captions file agree. */
export function writeCoco(images: readonly ExportImage[]): ExportFile[] {
  let annId = 1;
  const doc = {
    info: { description: 'Exported by Caption Studio', date_created: new Date().toISOString() },
    licenses: [],
    images: images.map((i) => ({
      id: i.id,
      file_name: i.name,
      width: i.width,
      height: i.height,
      ...(i.split ? { split: i.split } : {}),
    })),
    annotations: images.flatMap((i) =>
      i.captions.map((caption) => ({ id: annId++, image_id: i.id, caption })),
    ),
  };
  return [{ name: COCO_FILE, text: JSON.stringify(doc) + '\n' }];
}

/** One caption per image (its first chosen caption), as coco-caption's loadRes expects. */
export function writeCocoResults(images: readonly ExportImage[]): ExportFile[] {
  const res = images
    .filter((i) => i.captions.length > 0)
    .map((i) => ({ image_id: i.id, caption: i.captions[0] }));
  return [{ name: COCO_RESULTS_FILE, text: JSON.stringify(res) + '\n' }];
}
