// Batch model drafts over a scope, in the background (real inference worker, real SQLite, a tiny
// real run): progress events, cancel half way keeps the drafts made so far as one undoable step,
// "only without an approved caption" leaves approved images alone.
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/services/index';
import { DRAFT_CHUNK } from '../../src/main/services/drafts';
import type { RunDetail } from '../../src/shared/types';
import { tempDir } from '../helpers/tmp';
import { call, TINY_RUN } from '../helpers/core';

const root = tempDir('cs-drafts-');
let core: Core;
let run: RunDetail;

const CONFIG = {
  ...TINY_RUN,
  epochs: 1,
};

const modelDrafts = async () => (await call(core.dispatch('library.list', { source: 'run' }))).total;

beforeAll(async () => {
  core = createCore({ dbPath: join(root, 'library.db') });
  await call(core.dispatch('datasets.shapes', { count: 40, seed: 9 }));
  run = await call(core.dispatch('train.start', { model: 'cnn-lstm', config: CONFIG, wait: true }));
}, 240_000);
afterAll(() => core.close());

describe('caption.draftBatch', () => {
  it('cancelled half way, keeps the drafts made so far as one undoable step', async () => {
    expect(run.status, run.error ?? '').toBe('completed');
    const imageIds = (await call(core.dispatch('library.ids', {}))).ids.slice(0, 4 * DRAFT_CHUNK);
    const before = await modelDrafts();
    const seen: Array<{ done: number; total: number }> = [];
    const off = core.bus.on('job.progress', (p) => {
      if (p.jobId !== 'drafts-1') return;
      seen.push({ done: p.done, total: p.total });
      // Half way through the first chunks: stop.
      if (p.done >= DRAFT_CHUNK) void core.dispatch('jobs.cancel', { jobId: 'drafts-1' });
    });
    const r = await call(
      core.dispatch('caption.draftBatch', {
        runId: run.id,
        scope: { kind: 'images', imageIds },
        beam: 1,
        jobId: 'drafts-1',
      }),
    );
    off();
    expect(r).toMatchObject({ jobId: 'drafts-1', total: imageIds.length, cancelled: true, failed: [] });
    expect(r.captioned).toBe(DRAFT_CHUNK);
    expect(r.added + r.skipped).toBe(DRAFT_CHUNK);
    expect(r.added).toBeGreaterThan(0);
    expect(seen[0]).toEqual({ done: 0, total: imageIds.length });
    expect(seen.at(-1)).toEqual({ done: DRAFT_CHUNK, total: imageIds.length });

    // The drafts are there, from the run, on the first images only.
    expect(await modelDrafts()).toBe(before + r.added);
    const caps = core.store.captions.ofImages(imageIds);
    const drafted = imageIds.filter((id) => caps.get(id)!.some((c) => c.source === 'run'));
    expect(drafted.every((id) => imageIds.indexOf(id) < DRAFT_CHUNK)).toBe(true);
    for (const id of drafted)
      for (const c of caps.get(id)!.filter((c) => c.source === 'run'))
        expect([c.status, c.runId]).toEqual(['draft', run.id]);

    // One undo takes all of them back; the one before it is not this batch's.
    const undo = await call(core.dispatch('captions.undo', {}));
    expect(undo.opId).toBe(r.opId);
    expect(undo.label).toMatch(/Model drafts from run \d+ \(\d+, cancelled\)/);
    expect(await modelDrafts()).toBe(before);
    const redo = await call(core.dispatch('captions.redo', {}));
    expect(redo.opId).toBe(r.opId);
    expect(await modelDrafts()).toBe(before + r.added);
    await call(core.dispatch('captions.undo', {}));
  }, 240_000);

  it('drafts only the images without an approved caption, and cannot be cancelled once ended', async () => {
    const col = await call(core.dispatch('collections.create', { name: 'to caption' }));
    const imageIds = (await call(core.dispatch('library.ids', {}))).ids.slice(-6);
    await call(core.dispatch('collections.addImages', { collectionId: col.id, imageIds }));
    const caps = core.store.captions.ofImages(imageIds);
    const unapproved = imageIds.slice(0, 3);
    const approvedIds = unapproved.flatMap((id) =>
      caps
        .get(id)!
        .filter((c) => c.status === 'approved')
        .map((c) => c.id),
    );
    if (approvedIds.length)
      await call(core.dispatch('captions.setStatus', { captionIds: approvedIds, status: 'rejected' }));
    const withApproved = imageIds.filter((id) =>
      core.store.captions
        .ofImages([id])
        .get(id)!
        .some((c) => c.status === 'approved'),
    );
    expect(withApproved).toEqual(imageIds.slice(3));

    const r = await call(
      core.dispatch('caption.draftBatch', {
        runId: run.id,
        scope: { kind: 'collection', collectionId: col.id },
        onlyWithoutApproved: true,
        beam: 1,
      }),
    );
    expect(r).toMatchObject({ total: 3, captioned: 3, cancelled: false, failed: [] });
    expect(r.added + r.skipped).toBe(3);
    const after = core.store.captions.ofImages(imageIds);
    for (const id of imageIds.slice(3)) expect(after.get(id)!.some((c) => c.source === 'run')).toBe(false);
    expect(await call(core.dispatch('jobs.cancel', { jobId: r.jobId }))).toEqual({ cancelled: false });

    const missing = await core.dispatch('caption.draftBatch', { runId: 999, scope: { kind: 'all' } });
    expect(!missing.ok && missing.error.code).toBe('not_found');
    const untrained = core.store.runs.create('cnn-lstm', 'tiny', {}, null);
    const none = await core.dispatch('caption.draftBatch', { runId: untrained, scope: { kind: 'all' } });
    expect(!none.ok && none.error.message).toMatch(/has no checkpoint yet/);
  }, 240_000);

  it('keeps the other images when one cannot be read, and says which', async () => {
    const imageIds = (await call(core.dispatch('library.ids', {}))).ids.slice(20, 23);
    const gone = core.store.images.get(imageIds[1])!.path;
    renameSync(gone, gone + '.away');
    try {
      const r = await call(
        core.dispatch('caption.draftBatch', { runId: run.id, scope: { kind: 'images', imageIds }, beam: 1 }),
      );
      expect(r.captioned).toBe(2);
      expect(r.failed.map((f) => f.imageId)).toEqual([imageIds[1]]);
      expect(r.failed[0].message.length).toBeGreaterThan(0);
      expect(r.cancelled).toBe(false);
    } finally {
      renameSync(gone + '.away', gone);
    }
  }, 240_000);
});
