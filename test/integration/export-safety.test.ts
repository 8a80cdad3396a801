// Export never destroys what the user made: `force` replaces only a folder an earlier export made
// (its marker file), and moves it to a dated backup instead of deleting it; an output that is `/`,
// the home folder, or that is or holds the library or an imported photo is refused, force or not.
// CSV export neutralises formula cells by default (taken off again on import), with a raw option.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_MARKER } from '../../src/main/datasets/formats/export';
import type { Core } from '../../src/main/services/index';
import { tempDir } from '../helpers/tmp';
import { call, libraryState, openLibrary, writeImages } from './formats-fixtures';

const root = tempDir();
let core: Core;
let photos: string;
let libDir: string;

beforeAll(async () => {
  photos = join(root, 'photos');
  await writeImages(photos, ['a.jpg', 'b.jpg', 'uncaptioned.jpg']);
  writeFileSync(join(photos, 'a.txt'), 'a first photo\n');
  writeFileSync(join(photos, 'b.txt'), 'a second photo\n');
  core = openLibrary(root, 'lib');
  libDir = dirname(core.store.path);
  await call(core, 'import.folder', { path: photos });
});

afterAll(() => core.close());

const refusal = async (args: { out: string; force?: boolean }) => {
  const r = await core.dispatch('export.dataset', { format: 'jsonl', ...args });
  expect(r.ok).toBe(false);
  return r.ok ? '' : `${r.error.code}: ${r.error.message}`;
};

describe('export --force', () => {
  it('refuses the library folder, a folder holding it, and the photos folder, even with force; nothing is touched', async () => {
    writeFileSync(join(root, 'lib', 'notes.txt'), 'an unrelated document');
    const before = readdirSync(libDir).sort();
    expect(await refusal({ out: libDir, force: true })).toMatch(
      /invalid_argument: .*is the library's folder/,
    );
    expect(await refusal({ out: join(root, 'lib'), force: true })).toMatch(/holds the library's folder/);
    expect(await refusal({ out: root, force: true })).toMatch(/holds the library's folder/);
    expect(await refusal({ out: photos, force: true })).toMatch(/holds .*a\.jpg, a photo in the library/);
    expect(readdirSync(libDir).sort()).toEqual(before);
    expect(readFileSync(join(root, 'lib', 'notes.txt'), 'utf8')).toBe('an unrelated document');
    expect(existsSync(join(photos, 'uncaptioned.jpg'))).toBe(true);
    expect(libraryState(core)).toHaveLength(3);
  });

  it('refuses / and the home folder', async () => {
    expect(await refusal({ out: '/', force: true })).toMatch(/root of the file system/);
    expect(await refusal({ out: homedir(), force: true })).toMatch(/is your home folder/);
    expect(await refusal({ out: dirname(homedir()), force: true })).toMatch(/holds your home folder|root/);
  });

  it('refuses to replace a non-empty folder no export made, with or without force', async () => {
    const mine = join(root, 'my-stuff');
    mkdirSync(mine);
    writeFileSync(join(mine, 'thesis.docx'), 'years of work');
    expect(await refusal({ out: mine, force: true })).toMatch(/not made by an export .*never replaced/);
    expect(readdirSync(mine)).toEqual(['thesis.docx']);
  });

  it('writes a marker, and replaces an earlier export by moving it to a dated backup', async () => {
    const out = join(root, 'exports', 'set');
    const first = await call(core, 'export.dataset', { format: 'jsonl', out });
    expect(first.replacedTo).toBeNull();
    expect(JSON.parse(readFileSync(join(out, EXPORT_MARKER), 'utf8'))).toMatchObject({
      tool: 'caption-studio',
      format: 'jsonl',
    });
    writeFileSync(join(out, 'my-notes.txt'), 'added by hand after the export');
    expect(await refusal({ out })).toMatch(/conflict: .*earlier export.*--force/);
    const second = await call(core, 'export.dataset', { format: 'csv', out, force: true });
    expect(second.replacedTo).toMatch(/set\.replaced-\d{8}-\d{6}$/);
    expect(readdirSync(out).sort()).toEqual([EXPORT_MARKER, 'a.jpg', 'b.jpg', 'captions.csv']);
    const backup = second.replacedTo!;
    expect(readFileSync(join(backup, 'my-notes.txt'), 'utf8')).toBe('added by hand after the export');
    expect(existsSync(join(backup, 'captions.jsonl'))).toBe(true);
    // A second replacement in the same second gets its own backup.
    const third = await call(core, 'export.dataset', { format: 'csv', out, force: true });
    expect(third.replacedTo).not.toBe(backup);
    expect(existsSync(backup)).toBe(true);
  });

  it('the CLI refuses the library folder with --force and exits 1', () => {
    const r = spawnSync(
      'node',
      [
        'bin/caption-studio.js',
        'export',
        '--db',
        core.store.path,
        '--format',
        'csv',
        '--out',
        libDir,
        '--force',
      ],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Refusing to export into/);
    expect(existsSync(core.store.path)).toBe(true);
  });
});

describe('CSV formula cells', () => {
  const texts = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", '-1', '@SUM(A1)', "'=kept"];

  it("writes them with a leading ' by default, raw with csvRaw, and imports them back as they were", async () => {
    const lib = openLibrary(root, 'csv');
    try {
      const dir = join(root, 'csv-photos');
      await writeImages(dir, ['f.jpg'], 7);
      await call(lib, 'import.folder', { path: dir });
      for (const text of texts) await call(lib, 'captions.add', { imageId: 1, text, status: 'approved' });
      const safe = join(root, 'csv-safe');
      await call(lib, 'export.dataset', { format: 'csv', out: safe });
      const csv = readFileSync(join(safe, 'captions.csv'), 'utf8');
      expect(csv).toContain(`f.jpg,"'=HYPERLINK(""http://x"",""y"")",`);
      expect(csv).toContain("f.jpg,'+cmd|' /C calc'!A0,");
      expect(csv).toContain("f.jpg,'-1,");
      expect(csv).toContain("f.jpg,'@SUM(A1),");
      expect(csv).toContain("f.jpg,''=kept,");
      const raw = join(root, 'csv-raw');
      await call(lib, 'export.dataset', { format: 'csv', out: raw, csvRaw: true });
      const rawText = readFileSync(join(raw, 'captions.csv'), 'utf8');
      expect(rawText).toContain('f.jpg,-1,');
      expect(rawText).toContain('f.jpg,@SUM(A1),');
      const copy = openLibrary(root, 'csv-copy');
      try {
        await call(copy, 'import.dataset', { format: 'csv', path: join(safe, 'captions.csv') });
        expect(libraryState(copy)[0].captions.map(([t]) => t)).toEqual(texts);
      } finally {
        copy.close();
      }
    } finally {
      lib.close();
    }
  });
});
