// The format parsers and writers on text: layouts from FIELD_NOTES §5, every bad case reported.
import { describe, expect, it } from 'vitest';
import { parseCoco, writeCoco, writeCocoResults } from './coco';
import { parseFlickr8k, parseSplitLists, writeFlickr8k } from './flickr8k';
import { readJson } from './json';
import { parseKarpathy, writeKarpathy } from './karpathy';
import { keyCandidates, parseKohya, writeKohya } from './kohya';
import { parseCsvDataset, parseJsonl, writeCsvDataset, writeJsonl } from './tabular';
import type { ExportImage } from './types';

const img = (
  id: number,
  name: string,
  captions: string[],
  split: ExportImage['split'] = null,
): ExportImage => ({
  id,
  name,
  captions,
  split,
  width: 4,
  height: 3,
});

describe('Flickr8k', () => {
  it('reads token lines, split lists (dev → val), and reports lines without a TAB', () => {
    const { splits, warnings } = parseSplitLists([
      { split: 'test', name: 't', text: 'b.jpg\r\n' },
      { split: 'val', name: 'v', text: 'c.jpg\n' },
      { split: 'train', name: 'tr', text: 'a.jpg\nb.jpg\n\n' },
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ path: 'b.jpg' });
    expect(warnings[0].message).toMatch(/test and train/);
    const p = parseFlickr8k(
      'a.jpg#0\tA dog .\r\na.jpg#1\tA dog\twith a tab\nno tab here\n\nb.jpg#0\t"two\\nlines"\n',
      'tok.txt',
      splits,
    );
    expect(p.failed).toEqual([expect.objectContaining({ path: 'tok.txt:3', reason: 'malformed' })]);
    expect(p.entries).toEqual([
      { ref: 'a.jpg', candidates: ['a.jpg'], captions: ['A dog .', 'A dog\twith a tab'], split: 'train' },
      { ref: 'b.jpg', candidates: ['b.jpg'], captions: ['two\nlines'], split: 'test' },
      { ref: 'c.jpg', candidates: ['c.jpg'], captions: [], split: 'val' },
    ]);
  });

  it('writes what it reads', () => {
    const files = writeFlickr8k([img(1, 'x#1.jpg', ['a\nb', ' c'], 'val'), img(2, 'y.jpg', ['d'])]);
    expect(files.map((f) => f.name)).toEqual([
      'Flickr8k.token.txt',
      'Flickr_8k.trainImages.txt',
      'Flickr_8k.devImages.txt',
      'Flickr_8k.testImages.txt',
    ]);
    expect(files[0].text).toBe('x#1.jpg#0\t"a\\nb"\nx#1.jpg#1\t" c"\ny.jpg#0\td\n');
    const { splits } = parseSplitLists([{ split: 'val', name: '', text: files[2].text }]);
    const back = parseFlickr8k(files[0].text, 't', splits).entries;
    expect(back.map((e) => [e.ref, e.captions, e.split])).toEqual([
      ['x#1.jpg', ['a\nb', ' c'], 'val'],
      ['y.jpg', ['d'], null],
    ]);
  });
});

describe('Karpathy', () => {
  it('reads raw (not tokens), filepath, and restval as train', () => {
    const p = parseKarpathy(
      {
        images: [
          {
            filepath: 'val2014',
            filename: 'a.jpg',
            split: 'restval',
            sentences: [{ tokens: ['a', 'cat'], raw: 'A Cat, sitting.' }, { tokens: [] }],
          },
          { filename: 'b.jpg', split: 'test', sentences: [] },
          { split: 'train' },
        ],
      },
      'k.json',
    );
    expect(p.entries).toEqual([
      {
        ref: 'val2014/a.jpg',
        candidates: ['val2014/a.jpg', 'a.jpg'],
        captions: ['A Cat, sitting.'],
        split: 'train',
      },
      { ref: 'b.jpg', candidates: ['b.jpg'], captions: [], split: 'test' },
    ]);
    expect(p.failed.map((f) => f.reason)).toEqual(['malformed', 'malformed']);
    expect(parseKarpathy({ foo: 1 }, 'k.json').failed[0].message).toMatch(/no "images" list/);
  });

  it('writes sentences with raw and tokens, and omits the split of unsplit images', () => {
    const doc = JSON.parse(
      writeKarpathy([img(7, 'a.jpg', ['A dog, "hi"'], 'train'), img(8, 'b.jpg', [])])[0].text,
    );
    expect(doc.images[0]).toMatchObject({ filename: 'a.jpg', split: 'train', imgid: 0, sentids: [0] });
    expect(doc.images[0].sentences[0]).toEqual({
      tokens: ['a', 'dog', 'hi'],
      raw: 'A dog, "hi"',
      imgid: 0,
      sentid: 0,
    });
    expect('split' in doc.images[1]).toBe(false);
  });
});

describe('COCO', () => {
  it('groups annotations by image, reports unknown images, keeps images without annotations', () => {
    const p = parseCoco(
      {
        images: [
          { id: 1, file_name: 'a.jpg' },
          { id: 2, file_name: 'b.jpg', split: 'val' },
        ],
        annotations: [
          { id: 10, image_id: 1, caption: 'one' },
          { id: 11, image_id: 99, caption: 'lost' },
          { id: 12, image_id: 1, caption: 'two' },
        ],
      },
      'c.json',
    );
    expect(p.entries.map((e) => [e.ref, e.captions, e.split])).toEqual([
      ['a.jpg', ['one', 'two'], null],
      ['b.jpg', [], 'val'],
    ]);
    expect(p.failed).toEqual([
      expect.objectContaining({ reason: 'unknown-image', path: 'c.json: annotations[1]' }),
    ]);
  });

  it('writes captions and results with the library ids', () => {
    const images = [img(5, 'a.jpg', ['x', 'y'], 'test'), img(9, 'b.jpg', [])];
    const doc = JSON.parse(writeCoco(images)[0].text);
    expect(doc.images).toEqual([
      { id: 5, file_name: 'a.jpg', width: 4, height: 3, split: 'test' },
      { id: 9, file_name: 'b.jpg', width: 4, height: 3 },
    ]);
    expect(doc.annotations).toEqual([
      { id: 1, image_id: 5, caption: 'x' },
      { id: 2, image_id: 5, caption: 'y' },
    ]);
    expect(JSON.parse(writeCocoResults(images)[0].text)).toEqual([{ image_id: 5, caption: 'x' }]);
  });

  it('tells a truncated file from a malformed one', () => {
    expect(readJson('{"images": [{"id": 1, "file_name": "a')).toMatchObject({ ok: false, truncated: true });
    expect(readJson('{"images": [1, 2')).toMatchObject({ ok: false, truncated: true });
    expect(readJson('{"images" 1}')).toMatchObject({ ok: false, truncated: false });
    expect(readJson('\ufeff{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
  });
});

describe('kohya metadata', () => {
  it('reads stems and paths, appends tags to the caption, prefers a captions list', () => {
    expect(keyCandidates('dir/a.png')).toEqual(['dir/a.png']);
    expect(keyCandidates('a')).toContain('a.jpg');
    expect(keyCandidates('a')).toContain('a.WEBP');
    const p = parseKohya(
      {
        a: { caption: 'a cat', tags: '1girl, solo' },
        b: { tags: 'tree' },
        c: { caption: 'first', captions: ['first', 'second'], split: 'val' },
        d: 'oops',
      },
      'm.json',
    );
    expect(p.entries.map((e) => [e.ref, e.captions, e.split])).toEqual([
      ['a', ['a cat, 1girl, solo'], null],
      ['b', ['tree'], null],
      ['c', ['first', 'second'], 'val'],
    ]);
    expect(p.failed).toEqual([expect.objectContaining({ path: 'm.json: d', reason: 'malformed' })]);
  });

  it('writes stems with caption, captions and split', () => {
    const doc = JSON.parse(
      writeKohya([img(1, 'a.b.png', ['x', 'y'], 'train'), img(2, 'c.jpg', ['z'])])[0].text,
    );
    expect(doc).toEqual({
      'a.b': { caption: 'x', captions: ['x', 'y'], split: 'train' },
      c: { caption: 'z' },
    });
    const odd = JSON.parse(writeKohya([img(3, 'p.jpg.png', ['q']), img(4, 'p.jpg', ['r'])])[0].text);
    expect(odd).toEqual({ 'p.jpg.png': { caption: 'q' }, p: { caption: 'r' } });
    expect(keyCandidates('p.jpg.png')[0]).toBe('p.jpg.png');
  });
});

describe('JSONL and CSV', () => {
  it('reads default and configured field names, groups rows, reports bad lines', () => {
    const p = parseJsonl(
      '{"file_name": "a.jpg", "text": "one"}\n{"file_name": "a.jpg", "text": "two"}\n{bad\n[1]\n',
      'x.jsonl',
    );
    expect(p.entries.map((e) => [e.ref, e.captions])).toEqual([['a.jpg', ['one', 'two']]]);
    expect(p.failed.map((f) => f.path)).toEqual(['x.jsonl:3', 'x.jsonl:4']);
    const q = parseJsonl('{"img": "b.png", "desc": "d"}\n', 'y.jsonl', {
      fileField: 'img',
      captionField: 'desc',
    });
    expect(q.entries.map((e) => [e.ref, e.captions])).toEqual([['b.png', ['d']]]);
    const r = parseJsonl('{"file": "b.png"}\n', 'z.jsonl');
    expect(r.failed[0].message).toMatch(/has no caption field \(caption \/ text\)/);
    const s = parseJsonl('{"caption": "c"}\n', 'z.jsonl');
    expect(s.failed[0].message).toMatch(/has no image file field \(file \/ file_name \/ image\)/);
  });

  it('reads CSV with a BOM and quoted fields; a broken file imports nothing', () => {
    const p = parseCsvDataset(
      '\ufeffimage,caption,split\r\n"a,1.jpg","x, ""y""\r\nz",dev\r\nb.jpg,,\r\n',
      'c.csv',
    );
    expect(p.entries.map((e) => [e.ref, e.captions, e.split])).toEqual([
      ['a,1.jpg', ['x, "y"\r\nz'], 'val'],
      ['b.jpg', [], null],
    ]);
    const bad = parseCsvDataset('file,caption\na.jpg,"open\n', 'c.csv');
    expect(bad.entries).toEqual([]);
    expect(bad.failed).toEqual([expect.objectContaining({ path: 'c.csv:2', reason: 'malformed' })]);
    expect(parseCsvDataset('name,words\na,b\n', 'c.csv').failed[0].message).toMatch(/--file-field/);
  });

  it('writes one row per caption and reads it back', () => {
    const images = [img(1, 'a b.jpg', ['x,y', 'q"\nr'], 'test'), img(2, 'c.jpg', [])];
    for (const [write, read] of [
      [writeJsonl, parseJsonl],
      [writeCsvDataset, parseCsvDataset],
    ] as const) {
      const back = read(write(images)[0].text, 'f');
      expect(back.failed).toEqual([]);
      expect(back.entries.map((e) => [e.ref, e.captions, e.split])).toEqual([
        ['a b.jpg', ['x,y', 'q"\nr'], 'test'],
        ['c.jpg', [], null],
      ]);
    }
  });
});
