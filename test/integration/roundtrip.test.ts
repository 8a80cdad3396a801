// Round trip for every format: a library with hard captions (line breaks, unicode in two
// normalisation forms, quotes, commas, tabs, inner space runs, backslashes, a caption wrapped in
// quotes) and hostile ones added through the API (spreadsheet formulas, a leading `'`, Unicode
// line separators and bidi overrides, the longest caption the API takes) and all splits is
// exported, imported into a new library, and must come back the same:
// images by content hash, captions byte for byte in order, splits. Exporting the copy again gives
// the same annotation files; importing the export a second time adds nothing.
import sharp from 'sharp';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashBytes } from '../../src/main/datasets/ingest';
import type { Core } from '../../src/main/services/index';
import type { DatasetFormat } from '../../src/shared/types';
import { tempDir } from '../helpers/tmp';
import { call, libraryState, openLibrary, snapshot, writeImages } from './formats-fixtures';

const root = tempDir();
let source: Core;

const CAPTIONS: string[][] = [
  ['A dog runs across the grass .', 'Two\nlines of caption', 'windows\r\nline end'],
  ['naïve café 🐱 — 東京', 'e\u0301 (decomposed) vs é', 'she said "hi", then left'],
  ['a,b,c with commas', 'tab\tinside', 'inner   runs  of\t\tspaces'],
  ['"wrapped in quotes"', 'artist \\(name\\), 1girl', 'back\\slash and \\n literal'],
  ['lone\rcarriage return', 'x'],
];
const SPLITS = ['train', 'val', 'test', null, 'train'] as const;
/** Added through the API (so the caption text rule admits them) to the last image. */
const HOSTILE = [
  '=HYPERLINK("http://example.com/x","click")',
  "+cmd|' /C calc'!A0",
  '-2+3',
  '@SUM(A1:A9)',
  "'=already quoted",
  "''-two quotes",
  "'plain leading quote",
  'line\u2028separator and\u2029paragraph',
  'bidi \u202Eoverride\u202C and zero\u200Bwidth',
  'family 👨‍👩‍👧 and flags 🇫🇷',
  'ends with a backslash \\',
  '"',
  'x'.repeat(19_990) + ' the end',
];
const TOTAL = CAPTIONS.flat().length + HOSTILE.length;

beforeAll(async () => {
  const dir = join(root, 'source', 'photos');
  const names = ['one.jpg', 'two.jpg', 'sub/three.jpg', 'other/one.jpg', 'five.jpg'];
  const bytes = await writeImages(dir, names);
  source = openLibrary(root, 'source');
  for (const [i, name] of names.entries()) {
    const b = bytes.get(name)!;
    const { width, height } = await sharp(b).metadata();
    const { image } = source.store.images.upsert({
      hash: hashBytes(b),
      path: join(dir, name),
      width: width!,
      height: height!,
      split: SPLITS[i],
    });
    for (const text of CAPTIONS[i])
      source.store.captions.add({ imageId: image.id, text, status: 'approved' }, null);
  }
  for (const text of HOSTILE) await call(source, 'captions.add', { imageId: 5, text, status: 'approved' });
  // Drafts are not exported by default.
  source.store.captions.add({ imageId: 1, text: 'a draft, not exported', status: 'draft' }, null);
});

afterAll(() => source.close());

const FORMATS: DatasetFormat[] = ['folder', 'flickr8k', 'karpathy', 'coco', 'kohya', 'jsonl', 'csv'];
const ANNOTATION: Record<DatasetFormat, string> = {
  folder: '',
  flickr8k: 'Flickr8k.token.txt',
  karpathy: 'dataset.json',
  coco: 'captions.json',
  kohya: 'metadata.json',
  jsonl: 'captions.jsonl',
  csv: 'captions.csv',
};

describe.each(FORMATS)('round trip through %s', (format) => {
  it('gives back the same images, captions and splits', async () => {
    const out = join(root, `export-${format}`);
    const exported = await call(source, 'export.dataset', { format, out });
    expect(exported).toMatchObject({ images: 5, captions: TOTAL, skipped: [] });
    const copy = openLibrary(root, `copy-${format}`);
    try {
      const path = ANNOTATION[format] ? join(out, ANNOTATION[format]) : out;
      const r = await call(copy, 'import.dataset', { format, path });
      expect(r.failed).toEqual([]);
      expect(r).toMatchObject({ added: 5, captionsAdded: TOTAL, captionsTrimmed: 0 });
      const want = libraryState(source).map((i) => ({
        ...i,
        captions: i.captions.filter(([, status]) => status === 'approved'),
      }));
      expect(libraryState(copy)).toEqual(want);

      const before = snapshot(copy);
      const again = await call(copy, 'import.dataset', { format, path });
      expect(again).toMatchObject({ added: 0, captionsAdded: 0, failed: [] });
      expect(snapshot(copy)).toEqual(before);

      const out2 = join(root, `export2-${format}`);
      const second = await call(copy, 'export.dataset', { format, out: out2 });
      expect(second.files).toEqual(exported.files);
      for (const f of exported.files) {
        const a = readFileSync(join(out, f));
        const b = readFileSync(join(out2, f));
        // COCO carries the export date and the library's image ids; everything else is byte-identical.
        if (format === 'coco' && f === 'captions.json') {
          const strip = (t: Buffer) => {
            const doc = JSON.parse(t.toString('utf8'));
            const names = new Map(
              doc.images.map((i: { id: number; file_name: string }) => [i.id, i.file_name]),
            );
            return {
              images: doc.images.map((i: object) => ({ ...i, id: null })),
              annotations: doc.annotations.map((x: { image_id: number; caption: string }) => [
                names.get(x.image_id),
                x.caption,
              ]),
            };
          };
          expect(strip(b)).toEqual(strip(a));
        } else expect(b.equals(a)).toBe(true);
      }
    } finally {
      copy.close();
    }
  });
});
