// Folder import through the core on real files: formats and sidecars, idempotent re-import, moved
// files relinked, junk ignored, symlink loops, every bad-input reason, a failing import leaving
// the library as it was, progress, cancellation, and the CLI.
import sharp from 'sharp';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/services/index';
import type { ArgsOf, Method, ResultOf } from '../../src/shared/api';
import { hashBytes } from '../../src/main/datasets/ingest';
import { thumbPath, thumbsDirFor } from '../../src/main/images/thumbs';
import { tempDir } from '../helpers/tmp';
import { bombPng, heicHeader } from '../fixtures/make';
import { sql } from '../helpers/sql';

const PHOTOS = join(import.meta.dirname, '../fixtures/photos');
const root = tempDir();
let n = 0;
let core: Core | null = null;

afterEach(() => {
  core?.close();
  core = null;
});

function setup(): { dir: string; core: Core } {
  const base = join(root, `case${n++}`);
  const dir = join(base, 'photos');
  mkdirSync(dir, { recursive: true });
  core = createCore({ dbPath: join(base, 'lib', 'library.db') });
  return { dir, core };
}

async function call<M extends Method>(c: Core, m: M, args: ArgsOf<M>): Promise<ResultOf<M>> {
  const r = await c.dispatch(m, args);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

const jpeg = (colour: string, w = 32, h = 24) =>
  sharp({ create: { width: w, height: h, channels: 3, background: colour } })
    .jpeg()
    .toBuffer();

/** Every row a library holds, to compare before and after. */
function snapshot(c: Core) {
  const q = (query: string) => sql(c.store).prepare(query).all();
  return {
    images: q('SELECT * FROM images ORDER BY id'),
    captions: q('SELECT * FROM captions ORDER BY id'),
    history: q('SELECT * FROM caption_history ORDER BY id'),
    collections: q('SELECT * FROM collections ORDER BY id'),
    members: q('SELECT * FROM collection_images ORDER BY 1, 2'),
  };
}

const captionsOf = (c: Core, path: string) => {
  const img = sql(c.store).prepare('SELECT id FROM images WHERE path = ?').get(path) as
    { id: number } | undefined;
  if (!img) throw new Error(`no image at ${path}`);
  return c.store.captions.ofImage(img.id);
};

describe('folder import', () => {
  it('imports every supported format with its sidecars, thumbnails and collection', async () => {
    const { dir, core } = setup();
    const sub = join(dir, 'nested', 'deeper');
    mkdirSync(sub, { recursive: true });
    copyFileSync(join(PHOTOS, 'chelsea.jpg'), join(dir, 'cat.jpg'));
    writeFileSync(join(dir, 'cat.txt'), 'a cat lying on a rug\r\n\r\n  a tabby cat looks up  \r\n');
    writeFileSync(
      join(dir, 'red.png'),
      await sharp({ create: { width: 20, height: 10, channels: 4, background: '#f00' } })
        .png()
        .toBuffer(),
    );
    const u16 = Buffer.from('\ufeffune tache rouge\nzweite Zeile', 'utf16le');
    writeFileSync(join(dir, 'red.caption'), u16);
    writeFileSync(
      join(sub, 'blue.webp'),
      await sharp({ create: { width: 8, height: 8, channels: 3, background: '#00f' } })
        .webp()
        .toBuffer(),
    );
    writeFileSync(
      join(sub, 'blue.webp.txt'),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a blue square, naïve')]),
    );
    writeFileSync(
      join(dir, 'green.gif'),
      await sharp({ create: { width: 8, height: 8, channels: 3, background: '#0f0' } })
        .gif()
        .toBuffer(),
    );
    writeFileSync(join(dir, 'green.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])); // "café" in Latin-1
    writeFileSync(
      join(dir, 'grey.TIFF'),
      await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } })
        .tiff()
        .toBuffer(),
    );
    writeFileSync(
      join(dir, 'pale.avif'),
      await sharp({ create: { width: 16, height: 16, channels: 3, background: '#abc' } })
        .avif()
        .toBuffer(),
    );
    const turned = await sharp(join(PHOTOS, 'rocket.jpg')).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    writeFileSync(join(dir, 'turned.jpeg'), turned);
    writeFileSync(join(dir, 'notes.md'), '# not an image');

    const r = await call(core, 'import.folder', { path: dir, collection: 'Trip' });
    expect(r.failed).toEqual([]);
    expect(r).toMatchObject({
      scanned: 7,
      added: 7,
      relinked: 0,
      unchanged: 0,
      ignored: 1,
      cancelled: false,
    });
    expect(r.captionsAdded).toBe(6);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0].path).toBe(join(dir, 'green.txt'));

    expect(captionsOf(core, join(dir, 'cat.jpg')).map((c) => [c.text, c.status, c.source])).toEqual([
      ['a cat lying on a rug', 'approved', 'human'],
      ['a tabby cat looks up', 'approved', 'human'],
    ]);
    expect(captionsOf(core, join(dir, 'red.png')).map((c) => c.text)).toEqual([
      'une tache rouge',
      'zweite Zeile',
    ]);
    expect(captionsOf(core, join(sub, 'blue.webp')).map((c) => c.text)).toEqual(['a blue square, naïve']);
    expect(captionsOf(core, join(dir, 'green.gif')).map((c) => c.text)).toEqual(['café']);
    const t = core.store.images.byHash(hashBytes(turned))!;
    expect([t.width, t.height]).toEqual([427, 640]);
    for (const id of r.imageIds) {
      const img = core.store.images.get(id)!;
      expect(existsSync(thumbPath(thumbsDirFor(core.store.path), img.hash))).toBe(true);
    }
    const [trip] = core.store.collections.list();
    expect(trip).toMatchObject({ name: 'Trip', count: 7 });
  });

  it('--status draft marks sidecar captions as drafts', async () => {
    const { dir, core } = setup();
    writeFileSync(join(dir, 'a.jpg'), await jpeg('#123456'));
    writeFileSync(join(dir, 'a.txt'), 'a dark blue field');
    await call(core, 'import.folder', { path: dir, status: 'draft' });
    expect(captionsOf(core, join(dir, 'a.jpg'))[0].status).toBe('draft');
  });

  it('is idempotent: a re-import adds nothing; a new sidecar line adds only that caption', async () => {
    const { dir, core } = setup();
    writeFileSync(join(dir, 'a.jpg'), await jpeg('#aa0000'));
    writeFileSync(join(dir, 'a.txt'), 'one\ntwo\ntwo\n');
    writeFileSync(
      join(dir, 'b.png'),
      await sharp({ create: { width: 9, height: 9, channels: 3, background: '#0a0' } })
        .png()
        .toBuffer(),
    );
    const first = await call(core, 'import.folder', { path: dir, collection: 'c' });
    expect(first).toMatchObject({ added: 2, captionsAdded: 2 });
    const before = snapshot(core);
    const again = await call(core, 'import.folder', { path: dir, collection: 'c' });
    expect(again).toMatchObject({ added: 0, unchanged: 2, captionsAdded: 0, relinked: 0 });
    expect(snapshot(core)).toEqual(before);
    writeFileSync(join(dir, 'a.txt'), 'one\ntwo\nthree\n');
    expect(await call(core, 'import.folder', { path: dir })).toMatchObject({ added: 0, captionsAdded: 1 });
    expect(captionsOf(core, join(dir, 'a.jpg')).map((c) => c.text)).toEqual(['one', 'two', 'three']);
  });

  it('relinks a moved file by its hash; a second copy leaves the first path alone', async () => {
    const { dir, core } = setup();
    writeFileSync(join(dir, 'a.jpg'), await jpeg('#334455'));
    writeFileSync(join(dir, 'a.txt'), 'a slate square');
    await call(core, 'import.folder', { path: dir });
    mkdirSync(join(dir, 'moved'));
    renameSync(join(dir, 'a.jpg'), join(dir, 'moved', 'b.jpg'));
    const r = await call(core, 'import.folder', { path: dir });
    expect(r).toMatchObject({ added: 0, relinked: 1, captionsAdded: 0 });
    expect(core.store.images.count()).toBe(1);
    expect(core.store.images.list({}).images[0].path).toBe(join(dir, 'moved', 'b.jpg'));
    copyFileSync(join(dir, 'moved', 'b.jpg'), join(dir, 'copy.jpg'));
    expect(await call(core, 'import.folder', { path: dir })).toMatchObject({
      added: 0,
      relinked: 0,
      unchanged: 2,
    });
    expect(core.store.images.list({}).images[0].path).toBe(join(dir, 'moved', 'b.jpg'));
  });

  it('ignores OS junk and hidden folders, and ends on a symlink loop', async () => {
    const { dir, core } = setup();
    const img = await jpeg('#777777');
    writeFileSync(join(dir, 'real.jpg'), img);
    writeFileSync(join(dir, '.DS_Store'), img);
    writeFileSync(join(dir, 'Thumbs.db'), img);
    writeFileSync(join(dir, 'desktop.ini'), '[.ShellClassInfo]');
    writeFileSync(join(dir, '._real.jpg'), Buffer.from([0, 5, 22, 7, 0, 2, 0, 0])); // AppleDouble
    for (const d of ['.git', '__MACOSX', '.thumbnails']) {
      mkdirSync(join(dir, d));
      writeFileSync(join(dir, d, 'x.jpg'), await jpeg('#010203'));
    }
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'other.jpg'), await jpeg('#102030'));
    symlinkSync('..', join(dir, 'sub', 'loop'));
    symlinkSync(join(dir, 'sub'), join(dir, 'sub-again'));
    const r = await call(core, 'import.folder', { path: dir });
    expect(r.failed).toEqual([]);
    expect(r).toMatchObject({ scanned: 2, added: 2 });
  });

  it('reports every bad file with its reason and imports the rest', async () => {
    const { dir, core } = setup();
    const good = await jpeg('#00aa00');
    writeFileSync(join(dir, 'good.jpg'), good);
    writeFileSync(join(dir, 'good.txt'), 'a green field');
    writeFileSync(join(dir, 'empty.jpg'), '');
    const photo = readFileSync(join(PHOTOS, 'coffee.jpg'));
    writeFileSync(join(dir, 'truncated.jpg'), photo.subarray(0, photo.length >> 1));
    writeFileSync(join(dir, 'text.jpg'), 'this is a caption, not a photo\n');
    writeFileSync(join(dir, 'bomb.png'), bombPng(40_000, 40_000));
    const heic = heicHeader();
    writeFileSync(join(dir, 'phone.heic'), heic);
    writeFileSync(join(dir, 'phone2.jpg'), heic);
    writeFileSync(join(dir, 'old.bmp'), Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]));
    writeFileSync(
      join(dir, 'binary.png'),
      await sharp({ create: { width: 5, height: 5, channels: 3, background: '#fff' } })
        .png()
        .toBuffer(),
    );
    writeFileSync(join(dir, 'binary.txt'), Buffer.from([0x61, 0x00, 0x62, 0x00, 0x00]));
    const r = await call(core, 'import.folder', { path: dir });
    const byName = Object.fromEntries(r.failed.map((f) => [f.path.slice(dir.length + 1), f.reason]));
    expect(byName).toEqual({
      'binary.png': 'encoding',
      'bomb.png': 'too-large',
      'empty.jpg': 'empty',
      'old.bmp': 'unsupported',
      'phone.heic': 'unsupported',
      'phone2.jpg': 'unsupported',
      'text.jpg': 'not-an-image',
      'truncated.jpg': 'truncated',
    });
    for (const f of r.failed) expect(f.message.length).toBeGreaterThan(20);
    expect(r).toMatchObject({ scanned: 9, added: 1, captionsAdded: 1 });
    expect(core.store.images.count()).toBe(1);
  });

  it('a failing import changes nothing already in the library (no collection either)', async () => {
    const { dir, core } = setup();
    writeFileSync(join(dir, 'a.jpg'), await jpeg('#abcdef'));
    writeFileSync(join(dir, 'a.txt'), 'a pale blue');
    await call(core, 'import.folder', { path: dir, collection: 'kept' });
    const before = snapshot(core);
    const bad = join(dir, '..', 'bad');
    mkdirSync(bad);
    const whole = await jpeg('#fedcba');
    writeFileSync(join(bad, 'a.jpg'), whole.subarray(0, whole.length - 10));
    writeFileSync(join(bad, 'a.txt'), 'a changed caption');
    writeFileSync(join(bad, 'same.jpg'), readFileSync(join(dir, 'a.jpg')));
    writeFileSync(join(bad, 'same.txt'), Buffer.from([0xfe, 0xff, 0x00])); // broken UTF-16 sidecar
    const r = await call(core, 'import.folder', { path: bad, collection: 'new one' });
    expect(r.failed.map((f) => f.reason).sort()).toEqual(['encoding', 'truncated']);
    expect(snapshot(core)).toEqual(before);
  });

  it('says what to do for a missing folder or a file', async () => {
    const { dir, core } = setup();
    const r = await core.dispatch('import.folder', { path: join(dir, 'nope') });
    expect(r.ok === false && r.error.code).toBe('not_found');
    writeFileSync(join(dir, 'f.jpg'), await jpeg('#000'));
    const f = await core.dispatch('import.folder', { path: join(dir, 'f.jpg') });
    expect(f.ok === false && f.error.message).toMatch(/give the folder/);
    const bad = await core.dispatch('import.folder', { path: dir, status: 'maybe' as never });
    expect(bad.ok === false && bad.error.code).toBe('invalid_argument');
  });

  it('reports progress and can be cancelled: what was read stays, a re-run completes', async () => {
    const { dir, core } = setup();
    for (let i = 0; i < 12; i++) {
      writeFileSync(
        join(dir, `p${String(i).padStart(2, '0')}.jpg`),
        await jpeg(`#${(i * 20).toString(16).padStart(2, '0')}4080`),
      );
      writeFileSync(join(dir, `p${String(i).padStart(2, '0')}.txt`), `caption ${i}\nsecond ${i}`);
    }
    const events: Array<{ done: number; total: number }> = [];
    core.bus.on('job.progress', (p) => {
      if (p.jobId !== 'job-1') return;
      events.push(p);
      if (p.done === 4) void core.dispatch('jobs.cancel', { jobId: 'job-1' });
    });
    const r = await call(core, 'import.folder', { path: dir, jobId: 'job-1' });
    expect(r.cancelled).toBe(true);
    expect(events.map((e) => e.done)).toEqual([1, 2, 3, 4]);
    expect(events.every((e) => e.total === 12)).toBe(true);
    expect(r.added).toBe(4);
    // Every image committed has both its captions: nothing half-written.
    for (const img of core.store.images.list({}).images)
      expect(core.store.captions.ofImage(img.id)).toHaveLength(2);
    expect(await call(core, 'jobs.cancel', { jobId: 'job-1' })).toEqual({ cancelled: false });
    const rest = await call(core, 'import.folder', { path: dir });
    expect(rest).toMatchObject({ added: 8, unchanged: 4, captionsAdded: 16, cancelled: false });
  });
});

describe('caption-studio import', () => {
  it('imports a folder, prints the report, and lists failures with exit code 3', () => {
    const base = join(root, 'cli');
    const dir = join(base, 'in');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(PHOTOS, 'astronaut.jpg'), join(dir, 'astronaut.jpg'));
    writeFileSync(join(dir, 'astronaut.txt'), 'an astronaut in front of a flag');
    writeFileSync(join(dir, 'broken.jpg'), 'nope');
    const db = join(base, 'lib.db');
    const r = spawnSync(
      'node',
      ['bin/caption-studio.js', 'import', dir, '--db', db, '--collection', 'nasa'],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stdout).toMatch(
      /2 image files: 1 added, 0 relinked, 0 already in the library, 1 failed; 1 captions added/,
    );
    expect(r.stdout).toMatch(/failed \(not-an-image\): .*broken\.jpg/);
    expect(r.status).toBe(3);
    const bad = spawnSync('node', ['bin/caption-studio.js', 'import', dir, '--db', db, '--status', 'maybe'], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--status is one of draft, approved, rejected/);
  });
});
