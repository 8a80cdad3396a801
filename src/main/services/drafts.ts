// Batch model drafts: caption a selection, a collection or every image (optionally only those
// without an approved caption) with a run, in the background, a few images per request to the
// inference worker, with progress and cancel between requests. The new texts are saved at the end
// (or at the cancel) as one undoable step, so undo takes the whole batch back at once.
import type { ApiMethods } from '../../shared/api';
import { AppError } from '../../shared/result';
import type { CaptionScope, DraftBatchResult, GeneratedCaption } from '../../shared/types';
import type { Store } from '../db/index';
import type { InferenceHost } from '../ml/worker/inference';
import type { EventBus } from './events';
import type { Jobs } from './imports';

/** Images per request: small enough that a cancel is honoured within a few seconds. */
export const DRAFT_CHUNK = 4;

type Handlers = {
  'caption.draftBatch': (
    a: ApiMethods['caption.draftBatch']['args'],
  ) => Promise<ApiMethods['caption.draftBatch']['result']>;
};

function imagesOf(store: Store, scope: CaptionScope, onlyWithoutApproved: boolean): number[] {
  const ids =
    scope.kind === 'images'
      ? store.images.ids({ imageIds: scope.imageIds })
      : store.images.ids(scope.kind === 'collection' ? { collectionId: scope.collectionId } : {});
  if (!onlyWithoutApproved) return ids;
  const caps = store.captions.ofImages(ids);
  return ids.filter((id) => !(caps.get(id) ?? []).some((c) => c.status === 'approved'));
}

export function draftsService(store: Store, bus: EventBus, jobs: Jobs, inference: InferenceHost): Handlers {
  const runs = store.runs;
  return {
    'caption.draftBatch': async ({ runId, scope, onlyWithoutApproved, beam, jobId }) => {
      const run = runs.get(runId);
      if (!run)
        throw new AppError('not_found', `There is no run ${runId}; \`caption-studio runs\` lists them.`);
      // Said now, not once per image: every request would fail the same way.
      if (run.checkpoints.length === 0)
        throw new AppError('not_found', `Run ${runId} has no checkpoint yet; train it first.`);
      const job = jobs.start(jobId);
      try {
        const ids = imagesOf(store, scope, onlyWithoutApproved ?? false);
        const out: DraftBatchResult = {
          jobId: job.jobId,
          total: ids.length,
          captioned: 0,
          added: 0,
          skipped: 0,
          failed: [],
          cancelled: false,
          opId: null,
        };
        const made: Array<{ imageId: number; text: string }> = [];
        const progress = (message: string) =>
          bus.emit('job.progress', {
            jobId: job.jobId,
            kind: 'drafts',
            done: out.captioned + out.failed.length,
            total: ids.length,
            message,
          });
        const ask = async (imageIds: number[]): Promise<GeneratedCaption[]> =>
          (await inference.caption(store.path, { runId, imageIds, beam })).captions;
        progress(`Captioning ${ids.length} image${ids.length === 1 ? '' : 's'} with run ${runId}`);
        for (let i = 0; i < ids.length; i += DRAFT_CHUNK) {
          if (job.signal.aborted) break;
          const chunk = ids.slice(i, i + DRAFT_CHUNK);
          let got: GeneratedCaption[] = [];
          try {
            got = await ask(chunk);
          } catch {
            // One bad image fails its request: ask again one by one to keep the others.
            for (const imageId of chunk) {
              try {
                got.push(...(await ask([imageId])));
              } catch (err) {
                out.failed.push({ imageId, message: (err as Error).message });
              }
            }
          }
          for (const g of got)
            made.push({ imageId: Number(g.source.slice('image:'.length)), text: g.caption });
          out.captioned += got.length;
          progress(`${out.captioned} of ${ids.length} captioned`);
        }
        out.cancelled = job.signal.aborted && out.captioned + out.failed.length < ids.length;

        // Saved as one step: a text the image already has (from an earlier pass, or typed) is skipped.
        const have = store.captions.ofImages([...new Set(made.map((d) => d.imageId))]);
        const fresh = made
          .map((d) => ({ ...d, text: d.text.trim() }))
          .filter((d) => d.text && !(have.get(d.imageId) ?? []).some((c) => c.text === d.text));
        out.skipped = made.length - fresh.length;
        if (fresh.length) {
          const label = `Model drafts from run ${runId} (${fresh.length}${out.cancelled ? ', cancelled' : ''})`;
          out.opId = store.captions.action(label, (op) => {
            for (const d of fresh) store.captions.add({ ...d, source: 'run', runId, status: 'draft' }, op);
            return op;
          });
          out.added = fresh.length;
          bus.emit('library.changed', { imageIds: [...new Set(fresh.map((d) => d.imageId))] });
        }
        return out;
      } finally {
        job.end();
      }
    },
  };
}
