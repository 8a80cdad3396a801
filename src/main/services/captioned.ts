// Saving a photo captioned on the Caption page: the photo is imported like any import (read,
// checked, hashed, thumbnail made; a photo already in the library is matched by its content) and
// the chosen caption is stored on it as one undoable step. When the user edited the model's text,
// the history holds the model's caption first and then the edit.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ApiMethods } from '../../shared/api';
import { AppError } from '../../shared/result';
import type { Caption } from '../../shared/types';
import type { Store } from '../db/index';
import { checkImageFile, failureOf, ingestItem } from '../datasets/ingest';
import { thumbsDirFor } from '../images/thumbs';
import type { EventBus } from './events';

type Save = ApiMethods['caption.save'];

export function captionedService(
  store: Store,
  bus: EventBus,
): { 'caption.save': (a: Save['args']) => Promise<Save['result']> } {
  const thumbsDir = thumbsDirFor(store.path);
  return {
    'caption.save': async ({ path, text, status, runId, modelText }) => {
      const file = resolve(path);
      const st = (() => {
        try {
          return statSync(file);
        } catch {
          return null;
        }
      })();
      if (!st?.isFile())
        throw new AppError(
          'not_found',
          `The photo to save is gone (${file}); drop it on the Caption page again and save it from there.`,
        );
      if (runId !== undefined && !store.runs.get(runId))
        throw new AppError('not_found', `There is no run ${runId}; the caption was not saved.`);
      const img = await checkImageFile(file, { thumbsDir }).catch((e: unknown) => {
        const f = failureOf(file, e);
        throw new AppError('invalid_argument', `The photo was not saved: ${f.message}`, { reason: f.reason });
      });
      const source = runId === undefined ? ('human' as const) : ('run' as const);
      const first = modelText !== undefined && modelText.trim() !== '' ? modelText : text;
      const label = `Save captioned photo${runId === undefined ? '' : ` (run ${runId})`}`;
      const out = store.captions.action(label, (op) => {
        const item = {
          path: file,
          hash: img.hash,
          width: img.width,
          height: img.height,
          captions: [],
          status,
        };
        const o = ingestItem(store, item, null);
        // The same text already on the image is not added twice: it takes the chosen status.
        const same = store.captions.ofImage(o.imageId).find((c) => c.text === text);
        let caption: Caption;
        if (same) caption = store.captions.setStatus(same.id, status, op);
        else {
          caption = store.captions.add({ imageId: o.imageId, text: first, status, source, runId }, op);
          if (first !== text) caption = store.captions.edit(caption.id, text, op);
        }
        return { imageId: o.imageId, caption, image: o.kind };
      });
      bus.emit('library.changed', { imageIds: [out.imageId] });
      return out;
    },
  };
}
