// Captions through the core's dispatch on a real SQLite file: history of every edit, undo/redo as
// steps, restore, FTS kept in sync, and errors as data.
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/services/index';
import { openStore } from '../../src/main/db/index';
import type { ArgsOf, Method, ResultOf } from '../../src/shared/api';
import { tempDir } from '../helpers/tmp';

const dir = tempDir();
let core: Core;
let n = 0;

async function call<M extends Method>(m: M, args: ArgsOf<M>): Promise<ResultOf<M>> {
  const r = await core.dispatch(m, args);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

function seedImage(hash: string): number {
  return core.store.images.upsert({ hash, path: `/photos/${hash}.jpg`, width: 640, height: 480 }).image.id;
}

beforeEach(() => {
  core?.close();
  core = createCore({ dbPath: join(dir, `lib${n++}.db`) });
});

describe('captions', () => {
  it('records every edit in the history, newest first, with the old text', async () => {
    const img = seedImage('a');
    const c = await call('captions.add', { imageId: img, text: 'a dog' });
    await call('captions.edit', { captionId: c.id, text: 'a brown dog' });
    await call('captions.edit', { captionId: c.id, text: 'a brown dog on grass' });
    const h = await call('captions.history', { imageId: img });
    expect(h.map((e) => [e.kind, e.oldText, e.newText])).toEqual([
      ['edit', 'a brown dog', 'a brown dog on grass'],
      ['edit', 'a dog', 'a brown dog'],
      ['create', null, 'a dog'],
    ]);
  });

  it('undoes and redoes step by step, and a new edit drops the redo stack', async () => {
    const img = seedImage('b');
    const c = await call('captions.add', { imageId: img, text: 'one' });
    await call('captions.edit', { captionId: c.id, text: 'two' });
    await call('captions.edit', { captionId: c.id, text: 'three' });
    expect((await call('captions.undo', {})).label).toBe('Edit caption');
    expect((await call('library.get', { imageId: img })).captions[0].text).toBe('two');
    await call('captions.undo', {});
    expect((await call('library.get', { imageId: img })).captions[0].text).toBe('one');
    await call('captions.redo', {});
    expect((await call('library.get', { imageId: img })).captions[0].text).toBe('two');
    await call('captions.edit', { captionId: c.id, text: 'four' });
    expect((await call('captions.redo', {})).opId).toBeNull();
    expect((await call('library.get', { imageId: img })).captions[0].text).toBe('four');
    // Nothing typed is lost: the undone "three" stays in the history.
    expect((await call('captions.history', { imageId: img })).some((e) => e.newText === 'three')).toBe(true);
  });

  it('undoes a delete and an add, keeping the caption id and status', async () => {
    const img = seedImage('c');
    const c = await call('captions.add', { imageId: img, text: 'keep me', status: 'approved' });
    await call('captions.delete', { captionId: c.id });
    expect((await call('library.get', { imageId: img })).captions).toEqual([]);
    await call('captions.undo', {});
    const back = (await call('library.get', { imageId: img })).captions;
    expect(back.map((x) => [x.id, x.text, x.status])).toEqual([[c.id, 'keep me', 'approved']]);
    await call('captions.undo', {});
    expect((await call('library.get', { imageId: img })).captions).toEqual([]);
    await call('captions.redo', {});
    expect((await call('library.get', { imageId: img })).captions[0].id).toBe(c.id);
  });

  it('sets the status of many captions as one undoable step', async () => {
    const a = await call('captions.add', { imageId: seedImage('d1'), text: 'x' });
    const b = await call('captions.add', { imageId: seedImage('d2'), text: 'y' });
    await call('captions.setStatus', { captionIds: [a.id, b.id], status: 'approved' });
    expect((await call('library.list', { status: 'approved' })).total).toBe(2);
    const u = await call('captions.undo', {});
    expect(u.imageIds.sort()).toEqual([a.imageId, b.imageId].sort());
    expect((await call('library.list', { status: 'approved' })).total).toBe(0);
  });

  it('restores an old text from the history, as an undoable step', async () => {
    const img = seedImage('e');
    const c = await call('captions.add', { imageId: img, text: 'first words' });
    await call('captions.edit', { captionId: c.id, text: 'second words' });
    const first = (await call('captions.history', { imageId: img })).find((e) => e.kind === 'create')!;
    expect((await call('captions.restore', { historyId: first.id })).text).toBe('first words');
    await call('captions.undo', {});
    expect((await call('library.get', { imageId: img })).captions[0].text).toBe('second words');
    // A deleted caption comes back from its history too.
    await call('captions.delete', { captionId: c.id });
    const del = (await call('captions.history', { imageId: img })).find((e) => e.kind === 'delete')!;
    expect((await call('captions.restore', { historyId: del.id })).text).toBe('second words');
  });

  it('keeps full-text search in sync with adds, edits and deletes', async () => {
    const img = seedImage('f');
    seedImage('g');
    const c = await call('captions.add', { imageId: img, text: 'A zebra crossing the road' });
    expect((await call('library.list', { search: 'zebra' })).items.map((i) => i.id)).toEqual([img]);
    expect((await call('library.list', { search: 'zeb' })).total).toBe(1);
    await call('captions.edit', { captionId: c.id, text: 'A giraffe eating leaves' });
    expect((await call('library.list', { search: 'zebra' })).total).toBe(0);
    expect((await call('library.list', { search: 'giraffe leaves' })).total).toBe(1);
    await call('captions.undo', {});
    expect((await call('library.list', { search: 'zebra' })).total).toBe(1);
    await call('captions.delete', { captionId: c.id });
    expect((await call('library.list', { search: 'zebra' })).total).toBe(0);
    // FTS syntax in user input is searched as words, not parsed.
    expect((await call('library.list', { search: 'AND OR "(' })).total).toBe(0);
  });

  it('filters by status, uncaptioned, split, collection and caption length, and paginates', async () => {
    const ids = ['h1', 'h2', 'h3', 'h4'].map(seedImage);
    core.store.images.setSplit(ids[0], 'train');
    await call('captions.add', { imageId: ids[0], text: 'one two three', status: 'approved' });
    await call('captions.add', { imageId: ids[1], text: 'one two three four five six', status: 'draft' });
    const col = await call('collections.create', { name: 'favourites' });
    await call('collections.addImages', { collectionId: col.id, imageIds: [ids[1], ids[2]] });
    expect((await call('library.list', { status: 'uncaptioned' })).items.map((i) => i.id)).toEqual([
      ids[2],
      ids[3],
    ]);
    expect((await call('library.list', { split: 'train' })).items.map((i) => i.id)).toEqual([ids[0]]);
    expect((await call('library.list', { split: 'none' })).total).toBe(3);
    expect((await call('library.list', { collectionId: col.id })).items.map((i) => i.id)).toEqual([
      ids[1],
      ids[2],
    ]);
    expect((await call('library.list', { minCaptionLength: 4 })).items.map((i) => i.id)).toEqual([ids[1]]);
    expect((await call('library.list', { maxCaptionLength: 3 })).items.map((i) => i.id)).toEqual([ids[0]]);
    expect((await call('library.list', { imageIds: [ids[3], ids[1]] })).items.map((i) => i.id)).toEqual([
      ids[1],
      ids[3],
    ]);
    expect((await call('library.list', { imageIds: [ids[3]], split: 'train' })).total).toBe(0);
    const page = await call('library.list', { offset: 1, limit: 2 });
    expect([page.total, page.items.map((i) => i.id)]).toEqual([4, [ids[1], ids[2]]]);
    expect((await call('collections.list', {}))[0]).toEqual({ id: col.id, name: 'favourites', count: 2 });
  });

  it('returns errors as data with a code and a message that says what is wrong', async () => {
    const bad = await core.dispatch('captions.edit', { captionId: 'x', text: 3 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('invalid_argument');
      expect(bad.error.message).toMatch(/captionId/);
    }
    const missing = await core.dispatch('captions.edit', { captionId: 999, text: 'x' });
    expect(missing).toEqual({
      ok: false,
      error: { code: 'not_found', message: expect.stringMatching(/no caption 999/) },
    });
    const unknown = await core.dispatch('nope.nothing' as Method, {});
    expect(!unknown.ok && unknown.error.code).toBe('invalid_argument');
  });

  it('removes images with their captions, and emits library.changed', async () => {
    const img = seedImage('r');
    await call('captions.add', { imageId: img, text: 'bye' });
    const seen: unknown[] = [];
    core.bus.on('library.changed', (p) => seen.push(p));
    expect(await call('library.remove', { imageIds: [img] })).toEqual({ removed: 1 });
    expect(seen).toEqual([{ imageIds: [img] }]);
    expect((await core.dispatch('library.get', { imageId: img })).ok).toBe(false);
  });
});

describe('filtered lists', () => {
  it('never serve stale matches: a write on this or another connection shows at once', async () => {
    const img = seedImage('fresh');
    expect((await call('library.list', { search: 'otter' })).total).toBe(0);
    await call('captions.add', { imageId: img, text: 'an otter' });
    expect((await call('library.list', { search: 'otter' })).total).toBe(1);
    const other = openStore(core.store.path);
    const img2 = other.images.upsert({ hash: 'other', path: '/o.jpg', width: 1, height: 1 }).image.id;
    other.captions.add({ imageId: img2, text: 'two otters' }, null);
    other.close();
    expect((await call('library.list', { search: 'otter' })).items.map((i) => i.id)).toEqual([img, img2]);
  });
});

describe('library.ids (select all)', () => {
  it('gives every matching id beyond any page, for filtered and unfiltered lists, and refuses paging', async () => {
    const ids = Array.from({ length: 1500 }, (_, i) => seedImage(`all${i}`));
    for (const id of ids.slice(0, 1200))
      core.store.captions.add({ imageId: id, text: `a red kite ${id}` }, null);
    expect((await call('library.ids', {})).ids).toEqual(ids);
    const red = await call('library.ids', { search: 'kite' });
    expect(red.ids).toEqual(ids.slice(0, 1200)); // more than the largest page (1,000)
    expect((await call('library.ids', { status: 'uncaptioned' })).ids).toEqual(ids.slice(1200));
    expect((await call('library.ids', { search: '!!!' })).ids).toEqual([]);
    // The ids are a copy: changing them does not change the cached matches behind library.list.
    red.ids.length = 0;
    expect((await call('library.list', { search: 'kite', limit: 1 })).total).toBe(1200);
    const paged = await core.dispatch('library.ids', { limit: 5 } as never);
    expect(!paged.ok && paged.error.code).toBe('invalid_argument');
  });
});

describe('splits', () => {
  it('gives unsplit images a seeded split, keeps existing ones, and re-splits only when asked', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => seedImage(`s${i}`));
    core.store.images.setSplit(ids[0], 'test');
    const first = await call('library.assignSplits', { seed: 7, mode: 'exact' });
    expect(first.train + first.val + first.test).toBe(200);
    expect(first.changed).toBe(199);
    expect(core.store.images.get(ids[0])!.split).toBe('test');
    // Exact counts over the 199 free images, plus the one given split.
    expect([first.train, first.val, first.test]).toEqual([159, 20, 21]);
    const again = await call('library.assignSplits', { seed: 7, mode: 'exact' });
    expect(again.changed).toBe(0);
    const other = await call('library.assignSplits', {
      seed: 8,
      overwrite: true,
      fractions: { train: 0.5, val: 0.25, test: 0.25 },
    });
    expect(other.changed).toBeGreaterThan(50);
    const bad = await core.dispatch('library.assignSplits', {
      fractions: { train: 0.5, val: 0.5, test: 0.5 },
    });
    expect(!bad.ok && bad.error.message).toMatch(/sum to 1/);
  });
});
