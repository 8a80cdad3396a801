// Dataset health on real photos: an exact duplicate (same pixels as PNG), a near duplicate
// (resized, recompressed) leaking from train into test, caption length and vocabulary figures,
// OOV against a vocabulary file, images without an approved caption, hashes computed once and
// stored, a missing file reported, and the CLI.
import sharp from 'sharp';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/services/index';
import { thumbPath, thumbsDirFor } from '../../src/main/images/thumbs';
import { buildVocab } from '../../src/main/text/vocab';
import { tempDir } from '../helpers/tmp';
import { call, openLibrary } from './formats-fixtures';
import { sql } from '../helpers/sql';

const PHOTOS = join(import.meta.dirname, '../fixtures/photos');
const root = tempDir();
const dir = join(root, 'photos');
let core: Core;
const ids: Record<string, number> = {};

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  for (const f of ['chelsea.jpg', 'coffee.jpg', 'astronaut.jpg', 'rocket.jpg'])
    copyFileSync(join(PHOTOS, f), join(dir, f));
  writeFileSync(join(dir, 'chelsea-copy.png'), await sharp(join(PHOTOS, 'chelsea.jpg')).png().toBuffer());
  writeFileSync(
    join(dir, 'chelsea-small.jpg'),
    await sharp(join(PHOTOS, 'chelsea.jpg')).resize(150).jpeg({ quality: 50 }).toBuffer(),
  );
  writeFileSync(
    join(dir, 'lost.png'),
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#654321' } })
      .png()
      .toBuffer(),
  );
  writeFileSync(
    join(dir, 'doomed.png'),
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } })
      .png()
      .toBuffer(),
  );
  const captions: Record<string, string> = {
    'chelsea.jpg': 'a cat looks at the camera\na tabby cat with green eyes',
    'chelsea-copy.png': 'a cat',
    'chelsea-small.jpg': 'a small cat picture',
    'coffee.jpg': 'a cup of coffee on a saucer',
  };
  for (const [f, t] of Object.entries(captions)) writeFileSync(join(dir, f.replace(/\.\w+$/, '.txt')), t);
  core = openLibrary(root, 'lib');
  await call(core, 'import.folder', { path: dir });
  for (const f of Object.keys(captions).concat(['astronaut.jpg', 'rocket.jpg', 'doomed.png', 'lost.png']))
    ids[f] = (
      sql(core.store).prepare('SELECT id FROM images WHERE path = ?').get(join(dir, f)) as { id: number }
    ).id;
  const split = {
    'chelsea.jpg': 'train',
    'chelsea-copy.png': 'train',
    'chelsea-small.jpg': 'test',
    'coffee.jpg': 'val',
  } as const;
  for (const [f, s] of Object.entries(split)) core.store.images.setSplit(ids[f], s);
  core.store.captions.add({ imageId: ids['rocket.jpg'], text: 'a rocket on the pad', status: 'draft' }, null);
  // doomed.png: the file is gone but its thumbnail is kept (still checked); lost.png: both gone.
  rmSync(join(dir, 'doomed.png'));
  rmSync(join(dir, 'lost.png'));
  const lost = core.store.images.get(ids['lost.png'])!;
  rmSync(thumbPath(thumbsDirFor(core.store.path), lost.hash));
});

afterAll(() => core.close());

describe('library.health', () => {
  it('finds exact and near duplicates, the split leak, and says which files it could not hash', async () => {
    const r = await call(core, 'library.health', {});
    expect(r.images).toBe(8);
    expect(r.threshold).toBe(8);
    expect(r.exactDuplicates).toEqual([
      {
        imageIds: [ids['chelsea.jpg'], ids['chelsea-copy.png']].sort((a, b) => a - b),
        distance: 0,
        splits: ['train'],
      },
    ]);
    expect(r.nearDuplicates).toHaveLength(1);
    expect([...r.nearDuplicates[0].imageIds].sort()).toEqual(
      [ids['chelsea.jpg'], ids['chelsea-copy.png'], ids['chelsea-small.jpg']].sort(),
    );
    expect(r.nearDuplicates[0].distance).toBeLessThanOrEqual(8);
    expect(r.splitLeaks).toHaveLength(1);
    expect(r.splitLeaks[0].splits).toEqual(['test', 'train']);
    expect(r.unhashed).toEqual([expect.objectContaining({ path: join(dir, 'lost.png') })]);
  });

  it('never calls flat pictures of different colours near duplicates; identical ones are exact', async () => {
    const flatDir = join(root, 'flat');
    mkdirSync(flatDir, { recursive: true });
    const solid = (background: string, compressionLevel = 6) =>
      sharp({ create: { width: 64, height: 48, channels: 3, background } })
        .png({ compressionLevel })
        .toBuffer();
    writeFileSync(join(flatDir, 'red.png'), await solid('#dc2626'));
    writeFileSync(join(flatDir, 'blue.png'), await solid('#2563eb'));
    // The same pixels in another file: an exact duplicate.
    writeFileSync(join(flatDir, 'red-again.png'), await solid('#dc2626', 0));
    const flat = openLibrary(root, 'flat-lib');
    try {
      await call(flat, 'import.folder', { path: flatDir });
      const id = (f: string) =>
        (
          sql(flat.store).prepare('SELECT id FROM images WHERE path = ?').get(join(flatDir, f)) as {
            id: number;
          }
        ).id;
      flat.store.images.setSplit(id('red.png'), 'train');
      flat.store.images.setSplit(id('blue.png'), 'test');
      flat.store.images.setSplit(id('red-again.png'), 'test');
      const r = await call(flat, 'library.health', {});
      expect(r.nearDuplicates).toEqual([]);
      const reds = [id('red.png'), id('red-again.png')].sort((a, b) => a - b);
      expect(r.exactDuplicates).toEqual([{ imageIds: reds, distance: 0, splits: ['test', 'train'] }]);
      expect(r.splitLeaks).toEqual(r.exactDuplicates);
    } finally {
      flat.close();
    }
  });

  it('reports caption lengths, vocabulary, and images without an approved caption', async () => {
    const r = await call(core, 'library.health', {});
    // Approved: "a cat looks at the camera" (6), "a tabby cat with green eyes" (6), "a cat" (2),
    // "a small cat picture" (4), "a cup of coffee on a saucer" (7).
    expect(r.lengths).toMatchObject({ count: 5, median: 6, p95: 7, max: 7 });
    expect(r.lengths.mean).toBeCloseTo(25 / 5);
    expect(r.lengths.histogram).toEqual([0, 0, 1, 0, 1, 0, 2, 1]);
    expect(r.vocabularySize).toBe(17); // a cat looks at the camera tabby with green eyes small picture cup of coffee on saucer
    expect(r.oov).toBeNull();
    expect(r.withoutApproved.count).toBe(4);
    expect([...r.withoutApproved.imageIds].sort()).toEqual(
      [ids['astronaut.jpg'], ids['rocket.jpg'], ids['doomed.png'], ids['lost.png']].sort(),
    );
  });

  it('measures OOV against a vocabulary given inline or as a file', async () => {
    const vocab = buildVocab(['a cat looks at the camera', 'a cup of coffee']);
    const inline = await call(core, 'library.health', { vocab: vocab.toJSON() });
    // 25 words; unknown: tabby green eyes with (4), small picture (2), on saucer (2) → 8.
    expect(inline.oov).toMatchObject({ tokens: 25, unknown: 8 });
    expect(inline.oov!.rate).toBeCloseTo(8 / 25);
    const path = join(root, 'vocab.json');
    writeFileSync(path, JSON.stringify(vocab.toJSON()));
    expect((await call(core, 'library.health', { vocabPath: path })).oov).toEqual(inline.oov);
    writeFileSync(join(root, 'bad.json'), '{"kind": "something-else"}');
    const bad = await core.dispatch('library.health', { vocabPath: join(root, 'bad.json') });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(!bad.ok && bad.error.message).toMatch(/vocab\.json/);
  });

  it('computes each hash once and keeps it', async () => {
    const rows = () =>
      sql(core.store).prepare('SELECT image_id, dhash, computed_at FROM image_phash ORDER BY image_id').all();
    await call(core, 'library.health', {});
    const first = rows();
    expect(first).toHaveLength(7); // doomed.png from its thumbnail; lost.png not
    const progress: number[] = [];
    const off = core.bus.on('job.progress', (p) => progress.push(p.total));
    await call(core, 'library.health', {});
    off();
    expect(rows()).toEqual(first);
    expect(progress).toEqual([1]); // only the image with neither file nor thumbnail is tried again
    const pixels = sql(core.store)
      .prepare('SELECT image_id FROM image_phash WHERE pixel_hash IS NOT NULL ORDER BY image_id')
      .all()
      .map((r) => (r as { image_id: number }).image_id);
    // Only images sharing a dHash had their originals decoded.
    expect(pixels.length).toBeGreaterThanOrEqual(2);
    expect(pixels).not.toContain(ids['coffee.jpg']);
    expect(pixels).not.toContain(ids['rocket.jpg']);
  });
});

describe('health CLI', () => {
  it('prints the report, --json, and refuses a bad threshold', () => {
    const db = join(root, 'lib', 'lib', 'library.db');
    const vocabPath = join(root, 'cli-vocab.json');
    writeFileSync(vocabPath, JSON.stringify(buildVocab(['a cat']).toJSON()));
    const json = spawnSync(
      'node',
      ['bin/caption-studio.js', 'health', '--db', db, '--json', '--vocab', vocabPath],
      {
        encoding: 'utf8',
      },
    );
    expect(json.status).toBe(0);
    const r = JSON.parse(json.stdout);
    expect(r).toMatchObject({
      images: 8,
      splitLeaks: [expect.objectContaining({ splits: ['test', 'train'] })],
    });
    expect(r.oov.tokens).toBe(25);
    const text = spawnSync('node', ['bin/caption-studio.js', 'health', '--db', db], { encoding: 'utf8' });
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/Split leaks \(duplicates across train\/val\/test\): 1\./);
    expect(text.stdout).toMatch(/Images without an approved caption: 4\./);
    const bad = spawnSync('node', ['bin/caption-studio.js', 'health', '--db', db, '--threshold', '99'], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--threshold/);
  });
});
