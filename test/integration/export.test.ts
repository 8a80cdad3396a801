// Export through the core on real files: caption choice (approved by default, all, a status),
// split and collection filters, images without captions, hard links, a missing file skipped,
// COCO results, refusing a non-empty output without force, atomic replacement, cancellation
// leaving nothing behind, and the CLI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/services/index';
import { tempDir } from '../helpers/tmp';
import { call, openLibrary, writeImages } from './formats-fixtures';
import { sql } from '../helpers/sql';

const root = tempDir();
let core: Core;
let dir: string;

beforeAll(async () => {
  dir = join(root, 'photos');
  await writeImages(dir, ['train/a.jpg', 'train/b.jpg', 'val/c.jpg', 'd.jpg', 'e.jpg']);
  writeFileSync(join(dir, 'train/a.txt'), 'approved a\n');
  writeFileSync(join(dir, 'train/b.txt'), 'approved b\n');
  writeFileSync(join(dir, 'val/c.txt'), 'approved c\n');
  core = openLibrary(root, 'lib');
  await call(core, 'import.dataset', { format: 'folder', path: dir });
  const idOf = (p: string) =>
    (sql(core.store).prepare('SELECT id FROM images WHERE path = ?').get(join(dir, p)) as { id: number }).id;
  core.store.captions.add({ imageId: idOf('train/a.jpg'), text: 'draft a', status: 'draft' }, null);
  core.store.captions.add({ imageId: idOf('d.jpg'), text: 'rejected d', status: 'rejected' }, null);
  const coll = await call(core, 'collections.create', { name: 'picked' });
  await call(core, 'collections.addImages', {
    collectionId: coll.id,
    imageIds: [idOf('train/b.jpg'), idOf('val/c.jpg')],
  });
});

afterAll(() => core.close());

const out = (name: string) => join(root, 'out', name);
const jsonl = (path: string) =>
  readFileSync(join(path, 'captions.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('export selection', () => {
  it('exports approved captions by default, and only images that have one', async () => {
    const r = await call(core, 'export.dataset', { format: 'jsonl', out: out('default') });
    expect(r).toMatchObject({ images: 3, captions: 3, skipped: [] });
    expect(jsonl(out('default'))).toEqual([
      { file_name: 'a.jpg', caption: 'approved a', split: 'train' },
      { file_name: 'b.jpg', caption: 'approved b', split: 'train' },
      { file_name: 'c.jpg', caption: 'approved c', split: 'val' },
    ]);
    expect(readFileSync(join(out('default'), 'a.jpg')).equals(readFileSync(join(dir, 'train/a.jpg')))).toBe(
      true,
    );
  });

  it('chooses all captions or one status, a split, a collection, and images without captions', async () => {
    const all = await call(core, 'export.dataset', { format: 'jsonl', out: out('all'), captions: 'all' });
    expect(all).toMatchObject({ images: 4, captions: 5 });
    const drafts = await call(core, 'export.dataset', {
      format: 'jsonl',
      out: out('drafts'),
      captions: 'draft',
    });
    expect(jsonl(out('drafts')).map((r) => r.caption)).toEqual(['draft a']);
    expect(drafts.images).toBe(1);
    await call(core, 'export.dataset', { format: 'jsonl', out: out('val'), split: 'val' });
    expect(jsonl(out('val')).map((r) => r.file_name)).toEqual(['c.jpg']);
    const picked = core.store.collections.list().find((c) => c.name === 'picked')!;
    await call(core, 'export.dataset', { format: 'jsonl', out: out('coll'), collectionId: picked.id });
    expect(jsonl(out('coll')).map((r) => r.file_name)).toEqual(['b.jpg', 'c.jpg']);
    const every = await call(core, 'export.dataset', {
      format: 'coco',
      out: out('every'),
      includeUncaptioned: true,
    });
    expect(every.images).toBe(5);
    const doc = JSON.parse(readFileSync(join(out('every'), 'captions.json'), 'utf8'));
    expect(doc.images).toHaveLength(5);
    expect(doc.annotations).toHaveLength(3);
    const missing = await core.dispatch('export.dataset', {
      format: 'csv',
      out: out('x'),
      collectionId: 999,
    });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('writes the folder layout with split subfolders, and COCO results with one caption per image', async () => {
    await call(core, 'export.dataset', { format: 'folder', out: out('folder'), captions: 'all' });
    expect(readFileSync(join(out('folder'), 'train/a.txt'), 'utf8')).toBe('approved a\ndraft a\n');
    expect(existsSync(join(out('folder'), 'val/c.jpg'))).toBe(true);
    expect(readFileSync(join(out('folder'), 'd.txt'), 'utf8')).toBe('rejected d\n');
    const res = await call(core, 'export.dataset', {
      format: 'coco-results',
      out: out('results'),
      captions: 'all',
    });
    expect(res.files).toEqual(['results.json']);
    const list = JSON.parse(readFileSync(join(out('results'), 'results.json'), 'utf8'));
    expect(list).toHaveLength(4);
    expect(list[0]).toEqual({ image_id: expect.any(Number), caption: 'approved a' });
  });

  it('hard-links images when asked', async () => {
    await call(core, 'export.dataset', { format: 'csv', out: out('linked'), images: 'link' });
    expect(statSync(join(out('linked'), 'a.jpg')).ino).toBe(statSync(join(dir, 'train/a.jpg')).ino);
    await call(core, 'export.dataset', { format: 'csv', out: out('copied') });
    expect(statSync(join(out('copied'), 'a.jpg')).ino).not.toBe(statSync(join(dir, 'train/a.jpg')).ino);
  });
});

describe('export output safety', () => {
  it('refuses a non-empty output without force, writes into an empty one, replaces with force', async () => {
    const target = out('safe');
    mkdirSync(target, { recursive: true });
    await call(core, 'export.dataset', { format: 'karpathy', out: target });
    expect(readdirSync(target).sort()).toEqual(['a.jpg', 'b.jpg', 'c.jpg', 'dataset.json']);
    const refused = await core.dispatch('export.dataset', { format: 'csv', out: target });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(!refused.ok && refused.error.message).toMatch(/--force/);
    expect(readdirSync(target)).toContain('dataset.json');
    const forced = await call(core, 'export.dataset', { format: 'csv', out: target, force: true });
    expect(forced.images).toBe(3);
    expect(readdirSync(target).sort()).toEqual(['a.jpg', 'b.jpg', 'c.jpg', 'captions.csv']);
    expect(readdirSync(join(root, 'out')).filter((n) => n.includes('.tmp-'))).toEqual([]);
    writeFileSync(out('a-file'), 'not a folder');
    expect(await core.dispatch('export.dataset', { format: 'csv', out: out('a-file') })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
  });

  it('leaves nothing behind when cancelled', async () => {
    const jobId = 'cancel-export';
    const off = core.bus.on('job.progress', (p) => {
      if (p.jobId === jobId) void core.dispatch('jobs.cancel', { jobId });
    });
    const r = await core.dispatch('export.dataset', { format: 'kohya', out: out('cancelled'), jobId });
    off();
    expect(r).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(existsSync(out('cancelled'))).toBe(false);
    expect(readdirSync(join(root, 'out')).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('skips and reports an image whose file is gone', async () => {
    const lib = openLibrary(root, 'gone');
    try {
      const d = join(root, 'gone-photos');
      await writeImages(d, ['x.jpg', 'y.jpg'], 20);
      writeFileSync(join(d, 'x.txt'), 'x\n');
      writeFileSync(join(d, 'y.txt'), 'y\n');
      await call(lib, 'import.dataset', { format: 'folder', path: d });
      rmSync(join(d, 'y.jpg'));
      const r = await call(lib, 'export.dataset', { format: 'flickr8k', out: out('gone') });
      expect(r.images).toBe(1);
      expect(r.skipped).toEqual([expect.objectContaining({ path: join(d, 'y.jpg') })]);
      expect(readFileSync(join(out('gone'), 'Flickr8k.token.txt'), 'utf8')).toBe('x.jpg#0\tx\n');
    } finally {
      lib.close();
    }
  });
});

describe('export CLI', () => {
  it('exports with --format/--out, refuses an existing output without --force (exit 1), checks arguments (exit 2)', () => {
    const db = join(root, 'lib', 'lib', 'library.db');
    const run = (...args: string[]) =>
      spawnSync('node', ['bin/caption-studio.js', 'export', '--db', db, ...args], { encoding: 'utf8' });
    const target = out('cli');
    const ok = run('--format', 'kohya', '--out', target, '--json');
    expect(ok.stderr).not.toMatch(/error/);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ images: 3, format: 'kohya' });
    expect(JSON.parse(readFileSync(join(target, 'metadata.json'), 'utf8'))).toMatchObject({
      a: { caption: 'approved a' },
    });
    const again = run('--format', 'kohya', '--out', target);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/--force/);
    expect(run('--format', 'kohya', '--out', target, '--force', '--collection', 'picked').status).toBe(0);
    expect(Object.keys(JSON.parse(readFileSync(join(target, 'metadata.json'), 'utf8')))).toEqual(['b', 'c']);
    const bad = run('--format', 'yaml', '--out', target);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--format is one of/);
  });
});
