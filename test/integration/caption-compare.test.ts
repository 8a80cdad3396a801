// The Caption page's two core methods, through the real core and inference worker (real SQLite,
// real tiny training, real sharp): caption.compare answers per run (a run without a checkpoint has
// its own error, the others their captions) and keeps every compared model loaded; caption.save
// imports the photo and stores the chosen caption with its history (the model's text, then the
// edit), as one undoable step, refuses what it cannot save with what to do, and cleans the
// upload batch up to the imported photo.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/services/index';
import { uploadsDirFor } from '../../src/main/services/uploads';
import type { RunDetail } from '../../src/shared/types';
import { call, TINY_RUN } from '../helpers/core';
import { tempDir } from '../helpers/tmp';

const root = tempDir('cs-compare-');
const dbPath = join(root, 'library.db');
let core: Core;
let runs: RunDetail[];
let photos: string[];

const square = (r: number, g: number, b: number) =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();

beforeAll(async () => {
  core = createCore({ dbPath });
  await call(core.dispatch('datasets.shapes', { count: 40, seed: 5 }));
  runs = [];
  for (const model of ['cnn-lstm', 'cnn-lstm-attn'])
    runs.push(
      await call(core.dispatch('train.start', { model, config: { ...TINY_RUN, epochs: 1 }, wait: true })),
    );
  photos = core.store.images.list({ split: 'test', limit: 2 }).images.map((i) => i.path);
}, 240_000);
afterAll(() => core.close());

describe('caption.compare', () => {
  it('answers each run with its captions and maps, a run without a checkpoint with its error', async () => {
    for (const r of runs) expect(r.status, r.error ?? '').toBe('completed');
    // A finished-looking run with nothing on disk.
    const empty = core.store.runs.create('cnn-lstm', 'tiny', { model: 'cnn-lstm' } as never, {
      collectionId: null,
      train: 0,
      val: 0,
      test: 0,
      testSet: '',
    });
    const ids = [runs[0].id, empty, runs[1].id];
    const answers = await call(
      core.dispatch('caption.compare', { runIds: ids, paths: photos, beam: 3, maps: true }),
    );
    expect(answers.map((a) => a.runId)).toEqual(ids);
    expect(answers[1].captions).toBeNull();
    expect(answers[1].error?.message).toMatch(/no checkpoint/);
    for (const a of [answers[0], answers[2]]) {
      expect(a.error).toBeNull();
      expect(a.captions!.map((c) => c.source)).toEqual(photos);
      for (const c of a.captions!) {
        expect(c.tokens.length).toBeGreaterThan(0);
        expect(c.maps!.data).toHaveLength(c.tokens.length);
      }
    }
    expect(answers[0].captions![0].maps!.kind).toBe('saliency');
    expect(answers[2].captions![0].maps!.kind).toBe('attention');
    // Each of them again: both models are still loaded, nothing is read again.
    const loads = core.inference.stats.loads;
    expect(loads).toBe(2);
    const again = await call(
      core.dispatch('caption.compare', { runIds: [runs[1].id, runs[0].id], paths: [photos[0]], beam: 3 }),
    );
    expect(again[0].captions![0].caption).toBe(answers[2].captions![0].caption);
    expect(again[1].captions![0].caption).toBe(answers[0].captions![0].caption);
    expect(core.inference.stats.loads).toBe(loads);
  }, 120_000);

  it('refuses more than three runs and no photo', async () => {
    const many = await core.dispatch('caption.compare', { runIds: [1, 2, 3, 4], paths: photos });
    expect(many.ok || many.error.message).toMatch(/at most three runs/);
    const none = await core.dispatch('caption.compare', { runIds: [1], paths: [] });
    expect(none.ok || none.error.message).toMatch(/at least one photo/);
  });
});

describe('caption.save', () => {
  it('imports the photo and stores the edited caption after the model’s, approved, as one undoable step', async () => {
    const dir = join(root, 'mine');
    mkdirSync(dir);
    const path = join(dir, 'teal.png');
    writeFileSync(path, await square(20, 160, 160));
    const before = core.store.images.list({ limit: 100 }).total;
    const r = await call(
      core.dispatch('caption.save', {
        path,
        text: 'a teal rectangle',
        status: 'approved',
        runId: runs[0].id,
        modelText: 'a blue square',
      }),
    );
    expect(r.image).toBe('added');
    expect(core.store.images.list({ limit: 100 }).total).toBe(before + 1);
    const img = await call(core.dispatch('library.get', { imageId: r.imageId }));
    expect(img.path).toBe(path);
    expect(img.captions.map((c) => [c.text, c.status, c.source, c.runId])).toEqual([
      ['a teal rectangle', 'approved', 'run', runs[0].id],
    ]);
    const history = await call(core.dispatch('captions.history', { imageId: r.imageId }));
    const texts = history.map((h) => [h.kind, h.newText]).sort();
    expect(texts).toEqual([
      ['create', 'a blue square'],
      ['edit', 'a teal rectangle'],
    ]);
    expect(new Set(history.map((h) => h.opId)).size).toBe(1);
    // Saved again (same photo, same text): nothing new, the status follows the last save.
    const twice = await call(
      core.dispatch('caption.save', { path, text: 'a teal rectangle', status: 'draft' }),
    );
    expect(twice).toMatchObject({ imageId: r.imageId, image: 'unchanged' });
    const after = await call(core.dispatch('library.get', { imageId: r.imageId }));
    expect(after.captions.map((c) => [c.text, c.status])).toEqual([['a teal rectangle', 'draft']]);
  });

  it('keeps the imported photo of an upload batch and removes the rest of it', async () => {
    const bytes = await square(200, 120, 10);
    const batch = 'keep-test1';
    for (const [rel, data] of [
      ['0-orange.png', bytes],
      ['1-other.png', await square(1, 2, 3)],
    ] as const)
      await call(
        core.dispatch('import.upload', { batchId: batch, relPath: rel, data: data.toString('base64') }),
      );
    const dir = join(uploadsDirFor(dbPath), batch);
    const r = await call(
      core.dispatch('caption.save', {
        path: join(dir, '0-orange.png'),
        text: 'an orange card',
        status: 'draft',
      }),
    );
    expect(r.caption).toMatchObject({ text: 'an orange card', status: 'draft', source: 'human' });
    expect(readdirSync(dir)).toEqual(['0-orange.png']);
  });

  it('says what is wrong and saves nothing when the photo is gone, not a photo, or the text is empty', async () => {
    const total = core.store.images.list({ limit: 100 }).total;
    const gone = await core.dispatch('caption.save', {
      path: join(root, 'nope.png'),
      text: 'x',
      status: 'draft',
    });
    expect(gone.ok || gone.error).toMatchObject({ code: 'not_found' });
    expect(gone.ok || gone.error.message).toMatch(/drop it on the Caption page again/);
    const notPhoto = join(root, 'notes.png');
    writeFileSync(notPhoto, 'just some text');
    const bad = await core.dispatch('caption.save', { path: notPhoto, text: 'x', status: 'approved' });
    expect(bad.ok || bad.error).toMatchObject({ code: 'invalid_argument' });
    expect(bad.ok || bad.error.message).toMatch(/^The photo was not saved: /);
    const blank = await core.dispatch('caption.save', { path: photos[0], text: '   ', status: 'draft' });
    expect(blank.ok || blank.error.message).toMatch(/caption is empty/);
    expect(core.store.images.list({ limit: 100 }).total).toBe(total);
    expect(existsSync(notPhoto)).toBe(true);
  });
});
