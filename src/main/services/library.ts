// Library and caption services: the API's library.*, collections.* and captions.* methods.
import type { ApiMethods } from '../../shared/api';
import { AppError } from '../../shared/result';
import type { ImageWithCaptions } from '../../shared/types';
import type { Store } from '../db/index';
import type { EventBus } from './events';
import { assignSplits } from '../datasets/splits';

type Handlers<P extends string> = {
  [M in keyof ApiMethods as M extends `${P}.${string}` ? M : never]: (
    args: ApiMethods[M]['args'],
  ) => ApiMethods[M]['result'];
};

export function withCaptions(store: Store, imageIds: number[]): ImageWithCaptions[] {
  const captions = store.captions.ofImages(imageIds);
  const collections = store.collections.ofImages(imageIds);
  return imageIds.flatMap((id) => {
    const img = store.images.get(id);
    return img ? [{ ...img, captions: captions.get(id) ?? [], collections: collections.get(id) ?? [] }] : [];
  });
}

// library.health lives in health.ts (it runs a job).
export function libraryService(store: Store, bus: EventBus): Omit<Handlers<'library'>, 'library.health'> {
  return {
    'library.list': (q) => {
      const { images, total } = store.images.list(q);
      const ids = images.map((i) => i.id);
      const captions = store.captions.ofImages(ids);
      const collections = store.collections.ofImages(ids);
      return {
        items: images.map((img) => ({
          ...img,
          captions: captions.get(img.id) ?? [],
          collections: collections.get(img.id) ?? [],
        })),
        total,
        offset: q.offset ?? 0,
        limit: q.limit ?? 100,
      };
    },
    'library.ids': (q) => ({ ids: store.images.ids(q) }),
    'library.get': ({ imageId }) => {
      const [img] = withCaptions(store, [imageId]);
      if (!img) throw new AppError('not_found', `There is no image ${imageId}.`);
      return img;
    },
    'library.remove': ({ imageIds }) => {
      const removed = store.images.remove(imageIds);
      bus.emit('library.changed', { imageIds });
      return { removed };
    },
    'library.assignSplits': ({ seed, fractions, mode, overwrite }) => {
      const rows = store.images.splits();
      const assigned = assignSplits(
        rows.map((r) => ({ hash: r.hash, split: overwrite ? null : r.split })),
        { seed, fractions, mode },
      );
      const counts = { train: 0, val: 0, test: 0, changed: 0 };
      store.transaction(() => {
        for (const r of rows) {
          const split = assigned.get(r.hash)!;
          counts[split]++;
          if (split !== r.split) {
            store.images.setSplit(r.id, split);
            counts.changed++;
          }
        }
      });
      if (counts.changed) bus.emit('library.changed', { imageIds: null });
      return counts;
    },
  };
}

export function collectionsService(store: Store): Handlers<'collections'> {
  return {
    'collections.list': () => store.collections.list(),
    'collections.create': ({ name }) => store.collections.create(name),
    'collections.addImages': ({ collectionId, imageIds }) => ({
      added: store.collections.addImages(collectionId, imageIds),
    }),
    'collections.removeImages': ({ collectionId, imageIds }) => ({
      removed: store.collections.removeImages(collectionId, imageIds),
    }),
  };
}

export function captionsService(
  store: Store,
  bus: EventBus,
): Omit<Handlers<'captions'>, 'captions.findReplace' | 'captions.batch'> {
  const { captions } = store;
  const changed = (imageIds: number[]) => bus.emit('library.changed', { imageIds });
  return {
    'captions.add': ({ imageId, text, status }) => {
      const c = captions.action('Add caption', (op) => captions.add({ imageId, text, status }, op));
      changed([imageId]);
      return c;
    },
    'captions.edit': ({ captionId, text }) => {
      const c = captions.action('Edit caption', (op) => captions.edit(captionId, text, op));
      changed([c.imageId]);
      return c;
    },
    'captions.setStatus': ({ captionIds, status }) => {
      const out = captions.action(`Mark ${status}`, (op) =>
        captionIds.map((id) => captions.setStatus(id, status, op)),
      );
      changed([...new Set(out.map((c) => c.imageId))]);
      return out;
    },
    'captions.delete': ({ captionId }) => {
      const cur = captions.get(captionId);
      captions.action('Delete caption', (op) => captions.remove(captionId, op));
      if (cur) changed([cur.imageId]);
      return { deleted: 1 };
    },
    'captions.undo': () => {
      const r = captions.undo();
      if (r.opId) changed(r.imageIds);
      return r;
    },
    'captions.redo': () => {
      const r = captions.redo();
      if (r.opId) changed(r.imageIds);
      return r;
    },
    'captions.history': ({ imageId }) => captions.history(imageId),
    'captions.restore': ({ historyId }) => {
      const c = captions.action('Restore caption', (op) => captions.restore(historyId, op));
      changed([c.imageId]);
      return c;
    },
  };
}
