// The training queue as the app sees it: a run behind another is queued with its place in line,
// cancelling a queued run cancels it at once (the runs behind move up), a run records its seed and
// the data it was given; model drafts that came out empty are reported as such and never saved.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/main/db/index';
import { EventBus } from '../../src/main/services/events';
import { trainingService, type TrainingService } from '../../src/main/services/training';
import { JobQueue } from '../../src/main/ml/worker/host';
import type { GeneratedCaption, Split } from '../../src/shared/types';
import { tempDir } from '../helpers/tmp';

let store: Store;
let svc: TrainingService;
const queue = new JobQueue();
let release: () => void = () => {};
let blocker: Promise<void>;

beforeAll(() => {
  store = openStore(join(tempDir('cs-queue-'), 'library.db'));
  const splits: Split[] = ['train', 'train', 'train', 'val', 'test', 'test'];
  for (const [i, split] of splits.entries()) {
    const { image } = store.images.upsert({ hash: `h${i}`, path: `/p/${i}.png`, width: 8, height: 8, split });
    store.captions.add({ imageId: image.id, text: `caption ${i}`, status: 'approved' }, null);
  }
  svc = trainingService(store, new EventBus(), queue);
  // Something long holds the queue (another run training), so new runs wait in line.
  blocker = queue.enqueue('other-run', () => new Promise<void>((r) => (release = r)));
});
afterAll(async () => {
  release();
  await blocker;
  svc.close();
  store.close();
});

describe('queued runs', () => {
  it('are queued with their place in line, and a queued run is cancelled at once', async () => {
    const a = await svc.handlers['train.start']({ model: 'cnn-lstm', config: { seed: 7 } });
    const b = await svc.handlers['train.start']({ model: 'cnn-lstm' });
    expect([a.status, a.queuePosition]).toEqual(['queued', 1]);
    expect([b.status, b.queuePosition]).toEqual(['queued', 2]);
    expect(a.seed).toBe(7);
    expect(a.data).toMatchObject({ train: 3, val: 1, test: 2 });
    expect(a.data!.testSet).toBe(b.data!.testSet);

    expect(svc.handlers['train.cancel']({ runId: a.id })).toEqual({ cancelled: true });
    // Cancelled now, not when the running job ends; the run behind it moves up.
    expect((await svc.handlers['runs.get']({ runId: a.id })).status).toBe('cancelled');
    const listed = svc.handlers['runs.list']({}) as Awaited<ReturnType<(typeof svc.handlers)['runs.list']>>;
    expect(listed.find((r) => r.id === b.id)?.queuePosition).toBe(1);
    expect(svc.handlers['train.cancel']({ runId: b.id })).toEqual({ cancelled: true });
    await svc.settled(b.id);
    expect((await svc.handlers['runs.get']({ runId: b.id })).status).toBe('cancelled');
    expect(queue.isQueued('run-' + b.id)).toBe(false);
  });

  it('says where to make a split when there is none', async () => {
    const col = store.collections.create('empty');
    await expect(svc.handlers['train.start']({ model: 'cnn-lstm', collectionId: col.id })).rejects.toThrow(
      /Split…" on the Runs page/,
    );
    await expect(
      svc.handlers['train.start']({ model: 'cnn-lstm', collectionId: col.id }),
    ).rejects.not.toThrow(/dataset shapes/);
  });
});

describe('model drafts', () => {
  it('reports empty model output as empty and never saves it', async () => {
    const ids = store.images.ids({});
    const run = await svc.handlers['train.start']({ model: 'cnn-lstm' });
    svc.handlers['train.cancel']({ runId: run.id });
    // The model's answers: two empty captions and one the image already has.
    const out = (id: number, caption: string): GeneratedCaption => ({
      source: `image:${id}`,
      caption,
      tokens: [],
      probs: [],
    });
    svc.handlers['caption.generate'] = async () => [
      out(ids[0], ''),
      out(ids[1], '  '),
      out(ids[2], 'caption 2'),
    ];
    const before = store.captions.ofImages(ids.slice(0, 3));
    const r = await svc.handlers['caption.draft']({ runId: run.id, imageIds: ids.slice(0, 3) });
    expect(r).toEqual({ added: 0, skipped: 1, empty: 2, opId: null });
    expect(store.captions.ofImages(ids.slice(0, 3))).toEqual(before);
  });
});
