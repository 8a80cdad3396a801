// system.diagnostics: the facts the Settings view shows and exports, without anything the user
// wrote (caption text) or where their photos are.
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/services/index';
import { tempDir } from '../helpers/tmp';

const root = tempDir('cs-diag-');
const dbPath = join(root, 'library.db');
let core: Core;

beforeAll(async () => {
  core = createCore({ dbPath });
  const r = await core.dispatch('datasets.shapes', { count: 8, seed: 2 });
  if (!r.ok) throw new Error(r.error.message);
}, 60_000);
afterAll(() => core.close());

describe('system.diagnostics', () => {
  it('gives versions, backend, folders, counts and the inference worker, and no caption text', async () => {
    const r = await core.dispatch('system.diagnostics', {});
    if (!r.ok) throw new Error(r.error.message);
    const d = r.value;
    expect(d.version.dbPath).toBe(dbPath);
    expect(d.platform).toBe(process.platform);
    expect(d.folders).toEqual({
      library: dbPath,
      runs: join(root, 'runs'),
      cache: join(root, 'cache'),
      uploads: join(root, 'uploads'),
    });
    const images = core.store.images.ids({});
    expect(d.counts.images).toBe(images.length);
    const captions = [...core.store.captions.ofImages(images).values()].flat();
    expect(d.counts.captions).toBe(captions.length);
    expect(d.counts.runs).toEqual({});
    expect(d.inference).toEqual({ pid: null, spawns: 0, loads: 0, evictions: 0 });
    expect(d.backend.candidates.map((c) => c.name)).toContain(d.backend.chosen);
    const text = JSON.stringify(d);
    for (const c of captions) expect(text).not.toContain(c.text);
    for (const id of images) expect(text).not.toContain(core.store.images.get(id)!.path);
    expect(dirname(d.folders.library)).toBe(root);
  }, 60_000);
});
