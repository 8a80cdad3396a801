// Karpathy split JSON (dataset_flickr8k.json, dataset_coco.json: FIELD_NOTES §5): images[] with
// filename, optional filepath (COCO's train2014/val2014), split and sentences[]. Captions come from
// `raw` (the sentence as written), never `tokens` (lower-cased, punctuation stripped). `restval`
// is read as train, as every reader of these files merges it (113,287 / 5,000 / 5,000 for COCO).
import { captionWords } from '../../text/normalize';
import { isObject } from './json';
import { EntryBuilder, splitOf, type ExportFile, type ExportImage, type ParsedDataset } from './types';

export const KARPATHY_FILE = 'dataset.json';

export function parseKarpathy(json: unknown, file: string): ParsedDataset {
  const out: ParsedDataset = { entries: [], failed: [], warnings: [] };
  if (!isObject(json) || !Array.isArray(json.images)) {
    out.failed.push({
      path: file,
      reason: 'malformed',
      message: 'This is not a Karpathy split file: it has no "images" list. Check --format.',
    });
    return out;
  }
  const b = new EntryBuilder();
  json.images.forEach((img: unknown, i) => {
    const where = `${file}: images[${i}]`;
    if (!isObject(img) || typeof img.filename !== 'string' || img.filename === '') {
      out.failed.push({
        path: where,
        reason: 'malformed',
        message: `images[${i}] has no "filename"; fix or remove it.`,
      });
      return;
    }
    const dir = typeof img.filepath === 'string' ? img.filepath : '';
    const ref = dir ? `${dir}/${img.filename}` : img.filename;
    const e = b.get(ref, dir ? [ref, img.filename] : [ref]);
    e.split = splitOf(img.split);
    const sentences = Array.isArray(img.sentences) ? img.sentences : [];
    sentences.forEach((s: unknown, j) => {
      if (isObject(s) && typeof s.raw === 'string') e.captions.push(s.raw);
      else
        out.failed.push({
          path: `${where}.sentences[${j}]`,
          reason: 'malformed',
          message: `Sentence ${j} of ${ref} has no "raw" text; it was left out.`,
        });
    });
  });
  out.entries = b.entries();
  return out;
}

/** Images with no split have no "split" key (a Karpathy reader skips them; our importer leaves them unsplit). */
export function writeKarpathy(images: readonly ExportImage[]): ExportFile[] {
  let sentid = 0;
  const out = images.map((img, imgid) => {
    const sentences = img.captions.map((raw) => ({
      tokens: captionWords(raw),
      raw,
      imgid,
      sentid: sentid++,
    }));
    return {
      filepath: '',
      filename: img.name,
      imgid,
      ...(img.split ? { split: img.split } : {}),
      sentids: sentences.map((s) => s.sentid),
      sentences,
    };
  });
  return [{ name: KARPATHY_FILE, text: JSON.stringify({ dataset: 'caption-studio', images: out }) + '\n' }];
}
