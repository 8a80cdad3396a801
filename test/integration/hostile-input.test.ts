// Hostile and messy input through the core, as a careful user and an attacker would try it: the
// caption text rule at the API (refused, never changed), captions trimmed on import from every
// format and counted, control characters and lone surrogates repaired with a warning, over-long
// captions left out and listed, CSV rows wider than the header reported by line, sidecars that
// are binary, huge, /dev/zero or a FIFO reported while their image is imported, a FIFO named as
// a dataset's image refused at once, and a kohya file with a million keys refused quickly.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/services/index';
import type { DatasetFormat, ImportFailure, ImportReport } from '../../src/shared/types';
import { tempDir } from '../helpers/tmp';
import { call, captionsAt, openLibrary, writeImages } from './formats-fixtures';

const root = tempDir();
let n = 0;
/** A fresh library and a photos folder with `names` as distinct images. */
async function fresh(names: string[]): Promise<{ core: Core; dir: string }> {
  n++;
  const dir = join(root, `photos-${n}`);
  await writeImages(dir, names, n * 10);
  return { core: openLibrary(root, `lib-${n}`), dir };
}

describe('caption text at the API', () => {
  it('refuses NUL and other controls, lone surrogates, over-long text and edge spaces, changing nothing', async () => {
    const { core, dir } = await fresh(['a.jpg']);
    try {
      await call(core, 'import.folder', { path: dir });
      const c = await call(core, 'captions.add', { imageId: 1, text: 'a dog\non grass', status: 'draft' });
      const bad: Array<[string, RegExp]> = [
        ['nul\u0000inside', /control characters/],
        ['escape \u001b[31m red', /control characters/],
        ['lone \uD83D surrogate', /lone UTF-16 surrogate/],
        ['x'.repeat(20_001), /longer than 20,000 characters/],
        [' padded ', /starts or ends with spaces/],
      ];
      for (const [text, why] of bad) {
        for (const r of [
          await core.dispatch('captions.add', { imageId: 1, text }),
          await core.dispatch('captions.edit', { captionId: c.id, text }),
        ]) {
          expect(r.ok).toBe(false);
          if (!r.ok) {
            expect(r.error.code).toBe('invalid_argument');
            expect(r.error.message).toMatch(why);
          }
        }
      }
      expect(captionsAt(core, join(dir, 'a.jpg'))).toEqual(['a dog\non grass']);
      // A replacement may carry spaces, never control characters; results are trimmed in the preview.
      const nul = await core.dispatch('captions.findReplace', {
        find: 'dog',
        replace: 'cat\u0000',
        scope: { kind: 'all' },
        apply: true,
      });
      expect(nul).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
      const fr = await call(core, 'captions.findReplace', {
        find: 'a dog',
        replace: '',
        scope: { kind: 'all' },
        apply: false,
      });
      expect(fr.changes.map((x) => x.after)).toEqual(['on grass']);
      const long = await core.dispatch('captions.batch', {
        scope: { kind: 'all' },
        suffix: 'y'.repeat(1000),
      });
      expect(long.ok).toBe(true);
      for (let i = 0; i < 19; i++)
        await core.dispatch('captions.batch', { scope: { kind: 'all' }, suffix: 'y'.repeat(1000) });
      const over = await core.dispatch('captions.batch', {
        scope: { kind: 'all' },
        suffix: 'y'.repeat(1000),
      });
      expect(over).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
      expect(!over.ok && over.error.message).toMatch(/over the 20,000-character limit; nothing was changed/);
    } finally {
      core.close();
    }
  });
});

describe('captions on import', () => {
  /** One dataset file per format, each giving a.jpg the caption `text` (as that format writes it). */
  function datasetFile(dir: string, format: DatasetFormat, text: string): string {
    const p = (name: string, body: string) => {
      writeFileSync(join(dir, name), body);
      return join(dir, name);
    };
    switch (format) {
      case 'folder':
        writeFileSync(join(dir, 'a.txt'), text.replace(/\n/g, ' ') + '\n');
        return dir;
      case 'flickr8k':
        return p('Flickr8k.token.txt', `a.jpg#0\t${text.replace(/\n/g, ' ')}\n`);
      case 'karpathy':
        return p(
          'dataset.json',
          JSON.stringify({ images: [{ filename: 'a.jpg', sentences: [{ raw: text }] }] }),
        );
      case 'coco':
        return p(
          'captions.json',
          JSON.stringify({
            images: [{ id: 1, file_name: 'a.jpg' }],
            annotations: [{ id: 1, image_id: 1, caption: text }],
          }),
        );
      case 'kohya':
        return p('metadata.json', JSON.stringify({ a: { caption: text } }));
      case 'jsonl':
        return p('captions.jsonl', JSON.stringify({ file_name: 'a.jpg', caption: text }) + '\n');
      case 'csv':
        return p('captions.csv', `file_name,caption\r\na.jpg,"${text.replace(/"/g, '""')}"\r\n`);
    }
  }

  const FORMATS: DatasetFormat[] = ['folder', 'flickr8k', 'karpathy', 'coco', 'kohya', 'jsonl', 'csv'];

  it.each(FORMATS)(
    'trims surrounding whitespace from %s captions and counts it; inner line breaks stay',
    async (format) => {
      const { core, dir } = await fresh(['a.jpg']);
      try {
        const multiline = format !== 'folder' && format !== 'flickr8k';
        const text = multiline ? ' \tA cat on a table.\nIt sleeps.  \n' : 'A cat on a table.   ';
        const r = await call(core, 'import.dataset', { format, path: datasetFile(dir, format, text) });
        expect(r.failed).toEqual([]);
        expect(r).toMatchObject({ added: 1, captionsAdded: 1, captionsTrimmed: 1 });
        expect(captionsAt(core, join(dir, 'a.jpg'))).toEqual([
          multiline ? 'A cat on a table.\nIt sleeps.' : 'A cat on a table.',
        ]);
        // Importing again adds nothing: the trimmed caption is the same caption.
        const again = await call(core, 'import.dataset', { format, path: datasetFile(dir, format, text) });
        expect(again).toMatchObject({ captionsAdded: 0 });
      } finally {
        core.close();
      }
    },
  );

  it('repairs control characters and lone surrogates with a warning, and leaves out an over-long caption (the image stays)', async () => {
    const { core, dir } = await fresh(['a.jpg', 'b.jpg']);
    try {
      const rows = [
        { file_name: 'a.jpg', caption: 'nul\u0000 and bell\u0007 here' },
        { file_name: 'a.jpg', caption: 'broken \uD800 char' },
        { file_name: 'b.jpg', caption: 'z'.repeat(30_000) },
      ];
      const path = join(dir, 'captions.jsonl');
      writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
      const r = await call(core, 'import.dataset', { format: 'jsonl', path });
      expect(r.added).toBe(2);
      expect(captionsAt(core, join(dir, 'a.jpg'))).toEqual(['nul and bell here', 'broken \uFFFD char']);
      expect(captionsAt(core, join(dir, 'b.jpg'))).toEqual([]);
      expect(r.warnings.map((w) => w.message)).toEqual([
        expect.stringMatching(/control characters .* were removed/),
        expect.stringMatching(/lone UTF-16 surrogate\) was replaced by U\+FFFD/),
      ]);
      expect(r.failed).toEqual([
        expect.objectContaining({
          path: join(dir, 'b.jpg'),
          reason: 'too-large',
          message: expect.stringMatching(/30,000 characters is over the 20,000-character limit/),
        }),
      ]);
    } finally {
      core.close();
    }
  });

  it('reports a CSV row with more fields than the header by its line, and imports nothing from it', async () => {
    const { core, dir } = await fresh(['images/camera.jpg', 'images/dog.jpg']);
    try {
      const path = join(dir, 'captions.csv');
      writeFileSync(
        path,
        'file_name,caption\n' +
          'images/dog.jpg,"a dog,\nrunning"\n' +
          'images/camera.jpg,A man with a camera, on a tripod\n',
      );
      const r = await call(core, 'import.dataset', { format: 'csv', path, images: dir });
      expect(r.failed).toEqual([
        expect.objectContaining({
          path: `${path}:4`,
          reason: 'malformed',
          message: expect.stringMatching(
            /CSV line 4 has 3 fields but the header has 2; nothing was imported/,
          ),
        }),
      ]);
      expect(r.added).toBe(1);
      expect(captionsAt(core, join(dir, 'images/dog.jpg'))).toEqual(['a dog,\nrunning']);
      expect(() => captionsAt(core, join(dir, 'images/camera.jpg'))).toThrow(/no image/);
    } finally {
      core.close();
    }
  });
});

describe('sidecars and dataset entries that are not ordinary files', () => {
  const byPath = (r: ImportReport): Record<string, ImportFailure> =>
    Object.fromEntries(r.failed.map((f) => [f.path.split('/').pop()!, f]));

  it('imports the image and reports a binary, a huge, a /dev/zero and a FIFO sidecar, without hanging', async () => {
    const { core, dir } = await fresh(['bin.jpg', 'huge.jpg', 'zero.jpg', 'fifo.jpg', 'ok.jpg']);
    try {
      writeFileSync(join(dir, 'bin.txt'), Buffer.from([0x89, 0x50, 0x00, 0x00, 0xff]));
      writeFileSync(join(dir, 'huge.txt'), 'w'.repeat(5 * 1024 * 1024));
      symlinkSync('/dev/zero', join(dir, 'zero.txt'));
      execFileSync('mkfifo', [join(dir, 'fifo.txt')]);
      // Under the file cap, but one line is over the caption limit: that caption alone is left out.
      writeFileSync(join(dir, 'ok.txt'), `a fine caption\n${'q'.repeat(25_000)}\n`);
      const r = await call(core, 'import.folder', { path: dir });
      expect(r).toMatchObject({ added: 5, captionsAdded: 1 });
      expect(captionsAt(core, join(dir, 'ok.jpg'))).toEqual(['a fine caption']);
      const f = byPath(r);
      expect(f['ok.jpg']).toMatchObject({
        reason: 'too-large',
        message: expect.stringMatching(/25,000 characters/),
      });
      delete f['ok.jpg'];
      expect(Object.keys(f).sort()).toEqual(['bin.txt', 'fifo.txt', 'huge.txt', 'zero.txt']);
      expect(f['bin.txt']).toMatchObject({ reason: 'encoding', message: expect.stringMatching(/binary/) });
      expect(f['huge.txt']).toMatchObject({ reason: 'too-large' });
      expect(f['zero.txt'].message).toMatch(/character device .*not a regular file/);
      expect(f['fifo.txt'].message).toMatch(/named pipe .*not a regular file/);
      for (const x of Object.values(f)) expect(x.message).toMatch(/The image was imported without/);
    } finally {
      core.close();
    }
  });

  it('refuses a FIFO and a /dev/zero link named as a dataset image at once', async () => {
    const { core, dir } = await fresh(['ok.jpg']);
    try {
      execFileSync('mkfifo', [join(dir, 'pipe.jpg')]);
      symlinkSync('/dev/zero', join(dir, 'zero.jpg'));
      const path = join(dir, 'captions.jsonl');
      writeFileSync(
        path,
        ['ok.jpg', 'pipe.jpg', 'zero.jpg']
          .map((f) => JSON.stringify({ file_name: f, caption: 'c' }))
          .join('\n'),
      );
      const r = await call(core, 'import.dataset', { format: 'jsonl', path });
      expect(r.added).toBe(1);
      const f = byPath(r);
      expect(f['pipe.jpg']).toMatchObject({
        reason: 'unreadable',
        message: expect.stringMatching(/named pipe/),
      });
      expect(f['zero.jpg']).toMatchObject({
        reason: 'unreadable',
        message: expect.stringMatching(/character device/),
      });
    } finally {
      core.close();
    }
  });

  it('refuses a FIFO given as the dataset file itself', async () => {
    const { core, dir } = await fresh([]);
    try {
      const fifo = join(dir, 'captions.jsonl');
      mkdirSync(dir, { recursive: true });
      execFileSync('mkfifo', [fifo]);
      const r = await core.dispatch('import.dataset', { format: 'jsonl', path: fifo });
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
      expect(!r.ok && r.error.message).toMatch(/not a regular file or a folder/);
    } finally {
      core.close();
    }
  });

  it('refuses a kohya metadata file with a million keys quickly, with a clear error', async () => {
    const { core, dir } = await fresh(['a.jpg']);
    try {
      const keys: string[] = [];
      for (let i = 0; i < 1_000_000; i++) keys.push(`"img${i}":{"caption":"a cat"}`);
      const path = join(dir, 'metadata.json');
      writeFileSync(path, `{${keys.join(',')}}`);
      const r = await call(core, 'import.dataset', { format: 'kohya', path });
      expect(r).toMatchObject({ added: 0, scanned: 0 });
      expect(r.failed).toEqual([
        expect.objectContaining({
          path,
          message: expect.stringMatching(/more than 250,000 image keys; nothing was imported.*Split it/),
        }),
      ]);
    } finally {
      core.close();
    }
  });
});
