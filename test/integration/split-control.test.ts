// The split control's API: the counts per split now (all images, and those with an approved
// caption), and a seeded split of one collection that leaves the other images alone.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/services/index';
import { tempDir } from '../helpers/tmp';
import { call } from '../helpers/core';

let core: Core;

beforeAll(() => {
  core = createCore({ dbPath: join(tempDir('cs-split-'), 'library.db') });
  const { store } = core;
  const col = store.collections.create('mine');
  for (let i = 0; i < 30; i++) {
    const { image } = store.images.upsert({ hash: `h${i}`, path: `/p/${i}.png`, width: 8, height: 8 });
    if (i % 2 === 0) store.captions.add({ imageId: image.id, text: `c ${i}`, status: 'approved' }, null);
    if (i < 20) store.collections.addImages(col.id, [image.id]);
  }
});
afterAll(() => core.close());

describe('split control', () => {
  it('splits one collection only, and counts per split with and without approved captions', async () => {
    const before = await call(core.dispatch('library.splitCounts', {}));
    expect(before.images).toEqual({ train: 0, val: 0, test: 0, none: 30 });
    expect(before.approved.none).toBe(15);
    const r = await call(
      core.dispatch('library.assignSplits', {
        seed: 3,
        fractions: { train: 0.5, val: 0.25, test: 0.25 },
        collectionId: 1,
      }),
    );
    expect(r.changed).toBe(20);
    const inCol = await call(core.dispatch('library.splitCounts', { collectionId: 1 }));
    expect(inCol.images.none).toBe(0);
    expect(inCol.images.train + inCol.images.val + inCol.images.test).toBe(20);
    const all = await call(core.dispatch('library.splitCounts', {}));
    expect(all.images.none).toBe(10);
    expect(all.approved.train + all.approved.val + all.approved.test).toBe(10);
    // The same seed again changes nothing.
    const again = await call(
      core.dispatch('library.assignSplits', { seed: 3, collectionId: 1, overwrite: false }),
    );
    expect(again.changed).toBe(0);
  });
});
