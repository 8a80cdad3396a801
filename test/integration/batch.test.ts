// Find & replace with preview then apply as one undoable step; batch prefix/suffix/status.
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/services/index';
import type { ArgsOf, Method, ResultOf } from '../../src/shared/api';
import { tempDir } from '../helpers/tmp';

const dir = tempDir();
let core: Core;
let n = 0;
let imgs: number[];

async function call<M extends Method>(m: M, args: ArgsOf<M>): Promise<ResultOf<M>> {
  const r = await core.dispatch(m, args);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}
const texts = async () => (await call('library.list', {})).items.map((i) => i.captions.map((c) => c.text));

beforeEach(async () => {
  core?.close();
  core = createCore({ dbPath: join(dir, `b${n++}.db`) });
  imgs = ['x', 'y', 'z'].map(
    (h) => core.store.images.upsert({ hash: h, path: `/${h}.jpg`, width: 1, height: 1 }).image.id,
  );
  await call('captions.add', { imageId: imgs[0], text: 'a grey dog on grey grass', status: 'approved' });
  await call('captions.add', { imageId: imgs[1], text: 'a grey cat' });
  await call('captions.add', { imageId: imgs[2], text: 'a greyhound' });
});

describe('find & replace', () => {
  it('previews every change without writing, then applies them as one step that undo reverts', async () => {
    const args = { find: 'grey', replace: 'gray', scope: { kind: 'all' as const }, wholeWord: true };
    const preview = await call('captions.findReplace', { ...args, apply: false });
    expect(preview.applied).toBe(false);
    expect(preview.changes.map((c) => c.after)).toEqual(['a gray dog on gray grass', 'a gray cat']);
    expect(await texts()).toEqual([['a grey dog on grey grass'], ['a grey cat'], ['a greyhound']]);

    const done = await call('captions.findReplace', { ...args, apply: true });
    expect(done.applied).toBe(true);
    expect(await texts()).toEqual([['a gray dog on gray grass'], ['a gray cat'], ['a greyhound']]);
    const undo = await call('captions.undo', {});
    expect(undo.label).toMatch(/Replace “grey” with “gray” \(2\)/);
    expect(await texts()).toEqual([['a grey dog on grey grass'], ['a grey cat'], ['a greyhound']]);
  });

  it('applies only the changes chosen in the preview, within the scope and status', async () => {
    const base = { find: 'grey', replace: 'silver', apply: false };
    const sel = await call('captions.findReplace', {
      ...base,
      scope: { kind: 'images', imageIds: [imgs[1], imgs[2]] },
    });
    expect(sel.changes.map((c) => c.imageId)).toEqual([imgs[1], imgs[2]]);
    const approved = await call('captions.findReplace', {
      ...base,
      scope: { kind: 'all' },
      status: 'approved',
    });
    expect(approved.changes.map((c) => c.imageId)).toEqual([imgs[0]]);
    await call('captions.findReplace', {
      ...base,
      scope: { kind: 'all' },
      apply: true,
      captionIds: [sel.changes[1].captionId],
    });
    expect(await texts()).toEqual([['a grey dog on grey grass'], ['a grey cat'], ['a silverhound']]);
  });

  it('never empties a caption', async () => {
    const r = await call('captions.findReplace', {
      find: 'a grey cat',
      replace: '',
      scope: { kind: 'all' },
      apply: true,
    });
    expect([r.changes.length, r.skippedEmpty]).toEqual([0, 1]);
    expect((await texts())[1]).toEqual(['a grey cat']);
  });
});

describe('batch edits', () => {
  it('adds a prefix and sets a status on the selection as one undoable step', async () => {
    const r = await call('captions.batch', {
      scope: { kind: 'images', imageIds: [imgs[1], imgs[2]] },
      prefix: 'photo: ',
      status: 'approved',
    });
    expect(r.changed).toBe(2);
    const after = (await call('library.list', {})).items;
    expect(after.map((i) => [i.captions[0].text, i.captions[0].status])).toEqual([
      ['a grey dog on grey grass', 'approved'],
      ['photo: a grey cat', 'approved'],
      ['photo: a greyhound', 'approved'],
    ]);
    await call('captions.undo', {});
    expect(await texts()).toEqual([['a grey dog on grey grass'], ['a grey cat'], ['a greyhound']]);
    expect((await call('library.list', { status: 'approved' })).total).toBe(1);
  });

  it('refuses a batch that changes nothing, saying what it needs', async () => {
    const r = await core.dispatch('captions.batch', { scope: { kind: 'all' } });
    expect(!r.ok && r.error.message).toMatch(/a prefix, a suffix or a status/);
  });
});
