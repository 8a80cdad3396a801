// Dataset file import through the core on real files: Flickr8k (split lists, conflicts, bad lines),
// Karpathy (raw, filepath, restval), COCO (unknown images, images without annotations, a truncated
// file), kohya metadata, JSONL, CSV, the split folder; idempotent re-import, a failing import
// leaving the library as it was, progress, cancellation, and the CLI.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/services/index';
import { tempDir } from '../helpers/tmp';
import {
  call,
  captionsAt,
  libraryState,
  openLibrary,
  snapshot,
  splitAt,
  writeImages,
} from './formats-fixtures';

const root = tempDir();
let n = 0;
let core: Core | null = null;
afterEach(() => {
  core?.close();
  core = null;
});

function setup(): { dir: string; core: Core } {
  const name = `case${n++}`;
  const dir = join(root, name, 'data');
  mkdirSync(dir, { recursive: true });
  core = openLibrary(root, name);
  return { dir, core };
}

describe('Flickr8k import', () => {
  it('reads the token file with its split lists, reports conflicts and lines without a TAB', async () => {
    const { dir, core } = setup();
    const imgs = join(dir, 'Flicker8k_Dataset');
    await writeImages(imgs, ['1000_a.jpg', '1001_b.jpg', '1002_c.jpg', '1003_d.jpg']);
    writeFileSync(
      join(dir, 'Flickr8k.token.txt'),
      [
        '1000_a.jpg#0\tA child in a pink dress is climbing up a set of stairs in an entry way .',
        '1000_a.jpg#1\tA girl going into a wooden building .',
        '1001_b.jpg#0\tA black dog and a spotted dog are fighting',
        'this line has no tab',
        '1002_c.jpg#0\t"two\\nlines"',
        '1003_d.jpg#0\tcafé 🐱, "quoted" and\ta tab',
        '9999_missing.jpg#0\tnot on disk',
        '',
      ].join('\r\n'),
    );
    writeFileSync(join(dir, 'Flickr_8k.trainImages.txt'), '1000_a.jpg\n1001_b.jpg\n');
    writeFileSync(join(dir, 'Flickr_8k.devImages.txt'), '1002_c.jpg\n');
    writeFileSync(join(dir, 'Flickr_8k.testImages.txt'), '1001_b.jpg\n');

    const progress: number[] = [];
    const off = core.bus.on('job.progress', (p) => progress.push(p.done));
    const r = await call(core, 'import.dataset', {
      format: 'flickr8k',
      path: join(dir, 'Flickr8k.token.txt'),
      images: imgs,
    });
    off();
    expect(r).toMatchObject({ scanned: 5, added: 4, captionsAdded: 5, cancelled: false });
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    expect(r.failed.map((f) => [f.path, f.reason])).toEqual([
      [join(dir, 'Flickr8k.token.txt') + ':4', 'malformed'],
      ['9999_missing.jpg', 'missing'],
    ]);
    expect(r.failed[0].message).toMatch(/Line 4 has no TAB/);
    expect(r.warnings).toEqual([expect.objectContaining({ path: '1001_b.jpg' })]);
    expect(r.warnings[0].message).toMatch(/test and train/);

    expect(captionsAt(core, join(imgs, '1000_a.jpg'))).toEqual([
      'A child in a pink dress is climbing up a set of stairs in an entry way .',
      'A girl going into a wooden building .',
    ]);
    expect(captionsAt(core, join(imgs, '1002_c.jpg'))).toEqual(['two\nlines']);
    expect(captionsAt(core, join(imgs, '1003_d.jpg'))).toEqual(['café 🐱, "quoted" and\ta tab']);
    expect(
      ['1000_a.jpg', '1001_b.jpg', '1002_c.jpg', '1003_d.jpg'].map((f) => splitAt(core, join(imgs, f))),
    ).toEqual(['train', 'test', 'val', null]);

    // Idempotent: the same import again adds nothing and changes nothing.
    const before = snapshot(core);
    const again = await call(core, 'import.dataset', {
      format: 'flickr8k',
      path: join(dir, 'Flickr8k.token.txt'),
      images: imgs,
    });
    expect(again).toMatchObject({ added: 0, unchanged: 4, captionsAdded: 0 });
    expect(snapshot(core)).toEqual(before);
  });
});

describe('Flickr8k as shipped', () => {
  it('finds Flicker8k_Dataset beside Flickr8k_text without --images and reads a Latin-1 file with a warning', async () => {
    const { dir, core } = setup();
    await writeImages(join(dir, 'Flicker8k_Dataset'), ['a.jpg', 'b.jpg']);
    const text = join(dir, 'Flickr8k_text');
    mkdirSync(text);
    writeFileSync(
      join(text, 'Flickr8k.token.txt'),
      Buffer.from('a.jpg#0\tun caf\xe9\nb.jpg#0\tplain\n', 'latin1'),
    );
    const r = await call(core, 'import.dataset', {
      format: 'flickr8k',
      path: join(text, 'Flickr8k.token.txt'),
    });
    expect(r).toMatchObject({ added: 2, failed: [] });
    expect(r.warnings).toEqual([expect.objectContaining({ path: join(text, 'Flickr8k.token.txt') })]);
    expect(r.warnings[0].message).toMatch(/Latin-1/);
    expect(captionsAt(core, join(dir, 'Flicker8k_Dataset', 'a.jpg'))).toEqual(['un café']);
  });
});

describe('Karpathy import', () => {
  it('takes raw sentences, filepath under the images folder, restval as train', async () => {
    const { dir, core } = setup();
    await writeImages(dir, ['train2014/a.jpg', 'val2014/b.jpg', 'c.jpg']);
    const doc = {
      dataset: 'coco',
      images: [
        {
          filepath: 'train2014',
          filename: 'a.jpg',
          split: 'restval',
          cocoid: 1,
          sentences: [
            { tokens: ['a', 'man', 'riding', 'a', 'horse'], raw: 'A man, riding a horse!' },
            { tokens: ['two'], raw: 'Two\nlines' },
          ],
        },
        { filepath: 'val2014', filename: 'b.jpg', split: 'test', sentences: [{ tokens: ['x'], raw: 'X.' }] },
        { filename: 'c.jpg', split: 'val', sentences: [] },
      ],
    };
    writeFileSync(join(dir, 'dataset_coco.json'), JSON.stringify(doc));
    const r = await call(core, 'import.dataset', {
      format: 'karpathy',
      path: join(dir, 'dataset_coco.json'),
    });
    expect(r.failed).toEqual([]);
    expect(r).toMatchObject({ added: 3, captionsAdded: 3 });
    expect(captionsAt(core, join(dir, 'train2014/a.jpg'))).toEqual(['A man, riding a horse!', 'Two\nlines']);
    expect(splitAt(core, join(dir, 'train2014/a.jpg'))).toBe('train');
    expect(splitAt(core, join(dir, 'val2014/b.jpg'))).toBe('test');
    expect(captionsAt(core, join(dir, 'c.jpg'))).toEqual([]);
    expect(splitAt(core, join(dir, 'c.jpg'))).toBe('val');
  });
});

describe('COCO import', () => {
  const coco = {
    info: {},
    licenses: [],
    images: [
      { id: 57870, file_name: 'COCO_train2014_000000057870.jpg', width: 16, height: 12 },
      { id: 318556, file_name: 'COCO_train2014_000000318556.jpg', width: 17, height: 13 },
      { id: 3, file_name: 'lonely.jpg', width: 18, height: 14 },
    ],
    annotations: [
      { id: 48, image_id: 318556, caption: 'A very clean and well decorated empty bathroom' },
      { id: 67, image_id: 57870, caption: 'A long restaurant table with rattan rounded back chairs.' },
      { id: 99, image_id: 424242, caption: 'for an image the file does not list' },
      { id: 126, image_id: 318556, caption: 'A blue and white bathroom with butterfly themed wall tiles.' },
    ],
  };

  it('groups annotations, reports unknown images, imports images without annotations, applies --split', async () => {
    const { dir, core } = setup();
    await writeImages(
      dir,
      coco.images.map((i) => i.file_name),
    );
    writeFileSync(join(dir, 'captions_val2014.json'), JSON.stringify(coco));
    const r = await call(core, 'import.dataset', {
      format: 'coco',
      path: join(dir, 'captions_val2014.json'),
      split: 'val',
    });
    expect(r).toMatchObject({ added: 3, captionsAdded: 3 });
    expect(r.failed).toEqual([expect.objectContaining({ reason: 'unknown-image' })]);
    expect(r.failed[0].message).toMatch(/image_id 424242/);
    expect(captionsAt(core, join(dir, 'COCO_train2014_000000318556.jpg'))).toEqual([
      'A very clean and well decorated empty bathroom',
      'A blue and white bathroom with butterfly themed wall tiles.',
    ]);
    expect(captionsAt(core, join(dir, 'lonely.jpg'))).toEqual([]);
    expect(splitAt(core, join(dir, 'lonely.jpg'))).toBe('val');
  });

  it('reports a truncated file and imports nothing from it; the library is unchanged', async () => {
    const { dir, core } = setup();
    await writeImages(
      dir,
      coco.images.map((i) => i.file_name),
    );
    writeFileSync(join(dir, 'captions_train2014.json'), JSON.stringify(coco));
    await call(core, 'import.dataset', { format: 'coco', path: join(dir, 'captions_train2014.json') });
    const before = snapshot(core);
    const text = JSON.stringify({ ...coco, images: [...coco.images, { id: 4, file_name: 'new.jpg' }] });
    await writeImages(dir, ['new.jpg'], 50);
    writeFileSync(join(dir, 'cut.json'), text.slice(0, Math.floor(text.length * 0.8)));
    const r = await call(core, 'import.dataset', { format: 'coco', path: join(dir, 'cut.json') });
    expect(r).toMatchObject({ scanned: 0, added: 0, captionsAdded: 0 });
    expect(r.failed).toEqual([expect.objectContaining({ path: join(dir, 'cut.json'), reason: 'truncated' })]);
    expect(r.failed[0].message).toMatch(/cut short.*nothing was imported/);
    expect(snapshot(core)).toEqual(before);

    writeFileSync(join(dir, 'notjson.json'), '{"images" []}');
    const bad = await call(core, 'import.dataset', { format: 'coco', path: join(dir, 'notjson.json') });
    expect(bad.failed.map((f) => f.reason)).toEqual(['malformed']);
    expect(snapshot(core)).toEqual(before);
  });
});

describe('kohya metadata, JSONL and CSV import', () => {
  it('finds stem keys with any image extension and appends tags', async () => {
    const { dir, core } = setup();
    await writeImages(dir, ['one.jpg', 'two.JPEG', 'sub/three.jpg']);
    const meta = {
      one: { caption: 'a red square', tags: 'red, square' },
      two: { caption: 'second' },
      [join(dir, 'sub/three.jpg')]: { tags: 'tag only' },
      ghost: { caption: 'no file' },
    };
    writeFileSync(join(dir, 'meta_cap.json'), JSON.stringify(meta));
    const r = await call(core, 'import.dataset', { format: 'kohya', path: join(dir, 'meta_cap.json') });
    expect(r).toMatchObject({ added: 3, captionsAdded: 3 });
    expect(r.failed.map((f) => [f.path, f.reason])).toEqual([['ghost', 'missing']]);
    expect(captionsAt(core, join(dir, 'one.jpg'))).toEqual(['a red square, red, square']);
    expect(captionsAt(core, join(dir, 'two.JPEG'))).toEqual(['second']);
    expect(captionsAt(core, join(dir, 'sub/three.jpg'))).toEqual(['tag only']);
  });

  it('reads JSONL with default and configured field names', async () => {
    const { dir, core } = setup();
    await writeImages(dir, ['a.jpg', 'b.jpg']);
    writeFileSync(
      join(dir, 'metadata.jsonl'),
      '{"file_name": "a.jpg", "text": "first"}\n{"file_name": "a.jpg", "text": "second", "split": "dev"}\n' +
        '{"file_name": "b.jpg", "text": 7}\nnot json\n',
    );
    const r = await call(core, 'import.dataset', { format: 'jsonl', path: join(dir, 'metadata.jsonl') });
    expect(captionsAt(core, join(dir, 'a.jpg'))).toEqual(['first', 'second']);
    expect(splitAt(core, join(dir, 'a.jpg'))).toBe('val');
    expect(r.failed.map((f) => [f.path.replace(dir, ''), f.reason])).toEqual([
      ['/metadata.jsonl:4', 'malformed'],
      ['/metadata.jsonl:3', 'malformed'],
    ]);

    writeFileSync(join(dir, 'custom.jsonl'), '{"img": "b.jpg", "desc": "custom fields"}\n');
    const c = await call(core, 'import.dataset', {
      format: 'jsonl',
      path: join(dir, 'custom.jsonl'),
      fileField: 'img',
      captionField: 'desc',
    });
    expect(c.failed).toEqual([]);
    expect(captionsAt(core, join(dir, 'b.jpg'))).toEqual(['custom fields']);
  });

  it('reads RFC 4180 CSV: BOM, quoted commas, doubled quotes, quoted newlines', async () => {
    const { dir, core } = setup();
    await writeImages(dir, ['a,b.jpg', 'c.jpg']);
    writeFileSync(
      join(dir, 'captions.csv'),
      '\ufefffile,caption\r\n"a,b.jpg","a dog, running"\r\n"a,b.jpg","she said ""sit""\r\nand it sat"\r\nc.jpg,plain\r\n',
    );
    const r = await call(core, 'import.dataset', { format: 'csv', path: join(dir, 'captions.csv') });
    expect(r.failed).toEqual([]);
    expect(captionsAt(core, join(dir, 'a,b.jpg'))).toEqual([
      'a dog, running',
      'she said "sit"\r\nand it sat',
    ]);
    expect(captionsAt(core, join(dir, 'c.jpg'))).toEqual(['plain']);

    const before = snapshot(core);
    writeFileSync(join(dir, 'broken.csv'), 'file,caption\r\nc.jpg,"never closed\r\n');
    const bad = await call(core, 'import.dataset', { format: 'csv', path: join(dir, 'broken.csv') });
    expect(bad.failed).toEqual([
      expect.objectContaining({ reason: 'malformed', path: join(dir, 'broken.csv') + ':2' }),
    ]);
    expect(snapshot(core)).toEqual(before);
  });
});

describe('split folder import', () => {
  it('takes the split from train/ val|dev/ test/ and unquotes JSON-literal sidecar lines', async () => {
    const { dir, core } = setup();
    await writeImages(dir, ['train/a.jpg', 'dev/b.jpg', 'test/c.jpg', 'd.jpg', 'other/e.jpg']);
    writeFileSync(join(dir, 'train/a.txt'), '"line one\\nline two"\nartist \\(name\\)\n');
    writeFileSync(join(dir, 'test/c.txt'), 'plain caption\n');
    writeFileSync(join(dir, 'notes.md'), 'not an image');
    const r = await call(core, 'import.dataset', { format: 'folder', path: dir });
    expect(r).toMatchObject({ added: 5, failed: [], ignored: 1 });
    expect(captionsAt(core, join(dir, 'train/a.jpg'))).toEqual(['line one\nline two', 'artist \\(name\\)']);
    expect(
      ['train/a.jpg', 'dev/b.jpg', 'test/c.jpg', 'd.jpg', 'other/e.jpg'].map((p) =>
        splitAt(core, join(dir, p)),
      ),
    ).toEqual(['train', 'val', 'test', null, null]);
  });
});

describe('failures, cancellation and the CLI', () => {
  it('imports the good images of a file with a corrupt one, touching nothing already there', async () => {
    const { dir, core } = setup();
    await writeImages(dir, ['old.jpg', 'good.jpg']);
    writeFileSync(join(dir, 'old.jsonl'), '{"file": "old.jpg", "caption": "kept as is"}\n');
    await call(core, 'import.dataset', { format: 'jsonl', path: join(dir, 'old.jsonl') });
    const before = libraryState(core);
    writeFileSync(join(dir, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]));
    writeFileSync(
      join(dir, 'more.jsonl'),
      '{"file": "broken.jpg", "caption": "x"}\n{"file": "good.jpg", "caption": "y"}\n{"file": "old.jpg", "caption": "kept as is"}\n',
    );
    const r = await call(core, 'import.dataset', { format: 'jsonl', path: join(dir, 'more.jsonl') });
    expect(r).toMatchObject({ added: 1, unchanged: 1, captionsAdded: 1 });
    expect(r.failed.map((f) => [f.path, f.reason])).toEqual([[join(dir, 'broken.jpg'), 'truncated']]);
    const after = libraryState(core);
    for (const img of before) expect(after).toContainEqual(img);
    expect(after).toHaveLength(2);
  });

  it('stops on jobs.cancel, keeps what was committed, and a re-run finishes', async () => {
    const { dir, core } = setup();
    const names = Array.from({ length: 6 }, (_, i) => `img${i}.jpg`);
    await writeImages(dir, names);
    writeFileSync(
      join(dir, 'all.csv'),
      'file,caption\n' + names.map((f) => `${f},caption of ${f}`).join('\n'),
    );
    const jobId = 'cancel-me';
    const off = core.bus.on('job.progress', (p) => {
      if (p.jobId === jobId && p.done === 2) void core.dispatch('jobs.cancel', { jobId });
    });
    const r = await call(core, 'import.dataset', { format: 'csv', path: join(dir, 'all.csv'), jobId });
    off();
    expect(r.cancelled).toBe(true);
    expect(r.added).toBe(2);
    const rest = await call(core, 'import.dataset', { format: 'csv', path: join(dir, 'all.csv') });
    expect(rest).toMatchObject({ cancelled: false, added: 4, unchanged: 2 });
    expect(core.store.images.count()).toBe(6);
  });

  it('imports with `import --format` and refuses a bad format with exit code 2', async () => {
    const base = join(root, 'cli');
    const dir = join(base, 'data');
    await writeImages(dir, ['a.jpg']);
    writeFileSync(join(dir, 'c.csv'), 'file_name,text\na.jpg,from the CLI\n');
    const db = join(base, 'lib', 'library.db');
    const r = spawnSync(
      'node',
      ['bin/caption-studio.js', 'import', '--format', 'csv', join(dir, 'c.csv'), '--db', db, '--json'],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ added: 1, captionsAdded: 1 });
    const bad = spawnSync('node', ['bin/caption-studio.js', 'import', '--format', 'xml', 'x', '--db', db], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--format is one of folder, flickr8k/);
  });
});
