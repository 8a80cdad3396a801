// Undo and redo in the caption history, through the core's dispatch on a real SQLite file: each is
// an entry of its own naming the change it acted on and the text it brought back, nothing is lost,
// and a library of the schema before (5) keeps its history when it is upgraded.
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src/main/db/connection';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/main/db/migrations/index';
import { createCore, type Core } from '../../src/main/services/index';
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

const seedImage = (hash: string) =>
  core.store.images.upsert({ hash, path: `/photos/${hash}.jpg`, width: 640, height: 480 }).image.id;

const texts = async (imageId: number) => (await call('library.get', { imageId })).captions.map((c) => c.text);

beforeEach(() => {
  core?.close();
  core = createCore({ dbPath: join(dir, `lib${n++}.db`) });
});

describe('undo and redo in the history', () => {
  it('records an undo as an entry with the text it restored, and a redo likewise; nothing is lost', async () => {
    const img = seedImage('a');
    const c = await call('captions.add', { imageId: img, text: 'a dog' });
    await call('captions.edit', { captionId: c.id, text: 'a brown dog on grass' });
    const edit = (await call('captions.history', { imageId: img }))[0];
    expect(edit.kind).toBe('edit');

    await call('captions.undo', {});
    expect(await texts(img)).toEqual(['a dog']);
    let h = await call('captions.history', { imageId: img });
    expect(h.map((e) => [e.kind, e.oldText, e.newText, !!e.undone])).toEqual([
      ['undo', 'a brown dog on grass', 'a dog', false],
      ['edit', 'a dog', 'a brown dog on grass', true],
      ['create', null, 'a dog', false],
    ]);
    expect(h[0].target).toEqual({ id: edit.id, kind: 'edit', label: 'Edit caption' });
    expect(h[0].captionId).toBe(c.id);
    expect(h[0].at).toBeGreaterThanOrEqual(edit.at);

    await call('captions.redo', {});
    expect(await texts(img)).toEqual(['a brown dog on grass']);
    h = await call('captions.history', { imageId: img });
    expect(h.map((e) => [e.kind, e.oldText, e.newText, !!e.undone])).toEqual([
      ['redo', 'a dog', 'a brown dog on grass', false],
      ['undo', 'a brown dog on grass', 'a dog', false],
      ['edit', 'a dog', 'a brown dog on grass', false],
      ['create', null, 'a dog', false],
    ]);
    expect(h[0].target).toEqual({ id: edit.id, kind: 'edit', label: 'Edit caption' });

    // The undo and redo entries are not steps themselves: undo takes back the edit again, then the add.
    await call('captions.undo', {});
    expect(await texts(img)).toEqual(['a dog']);
    await call('captions.undo', {});
    expect(await texts(img)).toEqual([]);
    expect((await call('captions.undo', {})).opId).toBeNull();
    h = await call('captions.history', { imageId: img });
    expect(h.map((e) => e.kind)).toEqual(['undo', 'undo', 'redo', 'undo', 'edit', 'create']);
    expect(h[0]).toMatchObject({ oldText: 'a dog', newText: null, oldStatus: 'draft', newStatus: null });
    expect(h[0].target).toMatchObject({ kind: 'create', label: 'Add caption' });
  });

  it('records the undo of a delete, of a status change and of a batch step on every image it touched', async () => {
    const a = seedImage('b1');
    const b = seedImage('b2');
    const ca = await call('captions.add', { imageId: a, text: 'a red kite', status: 'approved' });
    const cb = await call('captions.add', { imageId: b, text: 'a blue kite' });
    await call('captions.delete', { captionId: ca.id });
    await call('captions.undo', {});
    const del = (await call('captions.history', { imageId: a }))[0];
    expect(del).toMatchObject({ kind: 'undo', oldText: null, newText: 'a red kite', newStatus: 'approved' });
    expect(del.target).toMatchObject({ kind: 'delete', label: 'Delete caption' });

    await call('captions.setStatus', { captionIds: [ca.id, cb.id], status: 'rejected' });
    const undo = await call('captions.undo', {});
    expect(undo.imageIds.sort()).toEqual([a, b].sort());
    for (const [img, before] of [
      [a, 'approved'],
      [b, 'draft'],
    ] as const) {
      const top = (await call('captions.history', { imageId: img }))[0];
      expect(top).toMatchObject({
        kind: 'undo',
        oldText: null,
        newText: null,
        oldStatus: 'rejected',
        newStatus: before,
      });
      expect(top.target).toMatchObject({ kind: 'status', label: 'Mark rejected' });
    }
  });

  it('restores the caption an undo removed from its undo entry', async () => {
    const img = seedImage('c');
    await call('captions.add', { imageId: img, text: 'a cat asleep on a warm windowsill' });
    await call('captions.undo', {});
    expect(await texts(img)).toEqual([]);
    const removal = (await call('captions.history', { imageId: img }))[0];
    expect(removal.kind).toBe('undo');
    expect((await call('captions.restore', { historyId: removal.id })).text).toBe(
      'a cat asleep on a warm windowsill',
    );
    expect(await texts(img)).toEqual(['a cat asleep on a warm windowsill']);
  });
});

describe('migration 6 (undo entries)', () => {
  it('keeps every history row and id of a schema-5 library and accepts undo entries after it', async () => {
    const path = join(dir, 'v5.db');
    const old = openDatabase(path, { migrations: MIGRATIONS.slice(0, 5) });
    old
      .prepare(
        "INSERT INTO images (id, hash, path, width, height, added_at) VALUES (1, 'h', '/a.jpg', 4, 3, 1)",
      )
      .run();
    old
      .prepare("INSERT INTO edit_ops (id, label, created_at, undone) VALUES (7, 'Edit caption', 1, 1)")
      .run();
    old
      .prepare(
        `INSERT INTO captions (id, image_id, text, source, status, position, created_at, updated_at)
         VALUES (3, 1, 'old text', 'human', 'draft', 0, 1, 1)`,
      )
      .run();
    const row = old.prepare(
      `INSERT INTO caption_history (id, op_id, caption_id, image_id, kind, old_text, new_text, source, position, at)
       VALUES (?, ?, 3, 1, ?, ?, ?, 'human', 0, ?)`,
    );
    row.run(40, null, 'create', null, 'old text', 1);
    row.run(41, 7, 'edit', 'old text', 'newer text', 2);
    const before = old.prepare('SELECT * FROM caption_history ORDER BY id').all();
    old.close();

    core.close();
    core = createCore({ dbPath: path });
    const db = openDatabase(path);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(6);
    expect(db.prepare('SELECT * FROM caption_history ORDER BY id').all()).toEqual(
      before.map((r) => ({ ...(r as object), target_id: null })),
    );
    db.close();
    const h = await call('captions.history', { imageId: 1 });
    expect(h.map((e) => [e.id, e.kind, e.newText, !!e.undone])).toEqual([
      [41, 'edit', 'newer text', true],
      [40, 'create', 'old text', false],
    ]);
    // Edits and undos go on as before on the upgraded library, and the undo is recorded.
    await call('captions.edit', { captionId: 3, text: 'typed after the upgrade' });
    await call('captions.undo', {});
    const top = (await call('captions.history', { imageId: 1 }))[0];
    expect(top).toMatchObject({ kind: 'undo', newText: 'old text', target: { kind: 'edit' } });
  });
});
