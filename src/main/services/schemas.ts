// Argument schemas for every API method: arguments are validated here, where they enter the
// main side, whatever the transport (IPC, HTTP, CLI).
import { z } from 'zod';
import type { ArgsOf, Method } from '../../shared/api';
import { captionProblems, describeProblems, type CaptionProblem } from '../text/caption-text';

const id = z.number().int().positive();
const ids = z.array(id).max(100_000);
const status = z.enum(['draft', 'approved', 'rejected']);
/** Text that must follow the caption text rule, less the problems in `allow`; refused, never changed. */
const ruled = (allow: readonly CaptionProblem[] = []) =>
  z.string().superRefine((s, ctx) => {
    const p = captionProblems(s).filter((x) => !allow.includes(x));
    if (p.length) ctx.addIssue({ code: 'custom', message: describeProblems(p) });
  });
/** A caption's text (text/caption-text.ts: length, lone surrogates, control characters, edge spaces). */
const text = ruled();
/** Text put into captions (a replacement, prefix, suffix): may start or end with a space. */
const fragment = z
  .string()
  .max(1000)
  .pipe(ruled(['edge-space']));
const empty = z.object({}).strict();
const scope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('images'), imageIds: ids }).strict(),
  z.object({ kind: z.literal('collection'), collectionId: id }).strict(),
  z.object({ kind: z.literal('all') }).strict(),
]);

/** The filters of a library list (without paging). */
const listFilters = {
  search: z.string().max(500).optional(),
  status: z.enum(['draft', 'approved', 'rejected', 'uncaptioned']).optional(),
  split: z.enum(['train', 'val', 'test', 'none']).optional(),
  collectionId: id.optional(),
  source: z.enum(['human', 'run']).optional(),
  minCaptionLength: z.number().int().min(0).optional(),
  maxCaptionLength: z.number().int().min(0).optional(),
  imageIds: ids.optional(),
};

export const schemas = {
  'system.version': empty,
  'system.backend': empty,
  'system.models': empty,
  'system.diagnostics': empty,
  'library.list': z
    .object({
      ...listFilters,
      offset: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    })
    .strict(),
  'library.ids': z.object(listFilters).strict(),
  'library.get': z.object({ imageId: id }).strict(),
  'library.remove': z.object({ imageIds: ids }).strict(),
  'library.assignSplits': z
    .object({
      seed: z.number().int().optional(),
      fractions: z.object({ train: z.number(), val: z.number(), test: z.number() }).strict().optional(),
      mode: z.enum(['stable', 'exact']).optional(),
      overwrite: z.boolean().optional(),
      collectionId: id.optional(),
    })
    .strict(),
  'library.splitCounts': z.object({ collectionId: id.optional() }).strict(),
  'collections.list': empty,
  'collections.create': z.object({ name: z.string().min(1).max(200) }).strict(),
  'collections.addImages': z.object({ collectionId: id, imageIds: ids }).strict(),
  'collections.removeImages': z.object({ collectionId: id, imageIds: ids }).strict(),
  'captions.add': z.object({ imageId: id, text, status: status.optional() }).strict(),
  'captions.edit': z.object({ captionId: id, text }).strict(),
  'captions.setStatus': z.object({ captionIds: ids.min(1), status }).strict(),
  'captions.delete': z.object({ captionId: id }).strict(),
  'captions.undo': empty,
  'captions.redo': empty,
  'captions.history': z.object({ imageId: id }).strict(),
  'captions.restore': z.object({ historyId: id }).strict(),
  'captions.findReplace': z
    .object({
      find: z.string().min(1).max(1000),
      replace: fragment,
      scope,
      regex: z.boolean().optional(),
      caseSensitive: z.boolean().optional(),
      wholeWord: z.boolean().optional(),
      status: status.optional(),
      apply: z.boolean(),
      captionIds: ids.optional(),
      jobId: z.string().min(1).max(100).optional(),
    })
    .strict(),
  'captions.batch': z
    .object({
      scope,
      prefix: fragment.optional(),
      suffix: fragment.optional(),
      status: status.optional(),
      onlyStatus: status.optional(),
    })
    .strict(),
  'import.folder': z
    .object({
      path: z.string().min(1).max(4096),
      collection: z.string().min(1).max(200).optional(),
      status: status.optional(),
      jobId: z.string().min(1).max(100).optional(),
    })
    .strict(),
  'datasets.shapes': z
    .object({
      count: z.number().int().min(1).max(1_000_000),
      seed: z.number().int().min(0).max(0xffffffff),
      size: z.number().int().min(32).max(1024).optional(),
    })
    .strict(),
  'import.upload': z
    .object({
      batchId: z.string().min(1).max(64),
      relPath: z.string().min(1).max(1000),
      data: z.string().max(280_000_000),
    })
    .strict(),
  'import.uploadDone': z.object({ batchId: z.string().min(1).max(64) }).strict(),
  'import.dataset': z
    .object({
      format: z.enum(['folder', 'flickr8k', 'karpathy', 'coco', 'kohya', 'jsonl', 'csv']),
      path: z.string().min(1).max(4096),
      images: z.string().min(1).max(4096).optional(),
      split: z.enum(['train', 'val', 'test']).optional(),
      collection: z.string().min(1).max(200).optional(),
      status: status.optional(),
      fileField: z.string().min(1).max(200).optional(),
      captionField: z.string().min(1).max(200).optional(),
      jobId: z.string().min(1).max(100).optional(),
    })
    .strict(),
  'export.dataset': z
    .object({
      format: z.enum(['folder', 'flickr8k', 'karpathy', 'coco', 'coco-results', 'kohya', 'jsonl', 'csv']),
      out: z.string().min(1).max(4096),
      captions: z.enum(['draft', 'approved', 'rejected', 'all']).optional(),
      split: z.enum(['train', 'val', 'test']).optional(),
      collectionId: id.optional(),
      images: z.enum(['copy', 'link']).optional(),
      includeUncaptioned: z.boolean().optional(),
      force: z.boolean().optional(),
      csvRaw: z.boolean().optional(),
      jobId: z.string().min(1).max(100).optional(),
    })
    .strict(),
  'library.health': z
    .object({
      vocab: z.unknown().optional(),
      vocabPath: z.string().min(1).max(4096).optional(),
      threshold: z.number().int().min(0).max(64).optional(),
      jobId: z.string().min(1).max(100).optional(),
    })
    .strict(),
  'jobs.cancel': z.object({ jobId: z.string().min(1).max(100) }).strict(),
  'runs.list': empty,
  'runs.get': z.object({ runId: id }).strict(),
  'train.start': z
    .object({
      model: z.string().min(1).max(100),
      preset: z.enum(['tiny', 'full']).optional(),
      config: z.record(z.string(), z.unknown()).optional(),
      collectionId: id.optional(),
      wait: z.boolean().optional(),
    })
    .strict(),
  'runs.testImages': z
    .object({
      runIds: z.array(id).min(1, 'choose at least one run').max(50),
      metric: z.enum(['bleu4', 'rougeL', 'ciderD']).optional(),
    })
    .strict(),
  'runs.delete': z.object({ runId: id }).strict(),
  'runs.export': z.object({ runId: id, out: z.string().min(1, 'give an output folder').max(4096) }).strict(),
  'train.cancel': z.object({ runId: id }).strict(),
  'train.resume': z.object({ runId: id, wait: z.boolean().optional() }).strict(),
  'caption.generate': z
    .object({
      runId: id,
      paths: z.array(z.string().min(1).max(4096)).max(10_000).optional(),
      imageIds: ids.optional(),
      beam: z.number().int().min(1).max(20).optional(),
      maps: z.boolean().optional(),
    })
    .strict(),
  'caption.compare': z
    .object({
      runIds: z.array(id).min(1, 'choose a run').max(3, 'compare at most three runs'),
      paths: z.array(z.string().min(1).max(4096)).min(1, 'give at least one photo').max(100),
      beam: z.number().int().min(1).max(20).optional(),
      maps: z.boolean().optional(),
    })
    .strict(),
  'caption.save': z
    .object({
      path: z.string().min(1).max(4096),
      text: text.refine((t) => t.trim() !== '', 'The caption is empty; write or choose one to save.'),
      status: z.enum(['draft', 'approved']),
      runId: id.optional(),
      modelText: text.optional(),
    })
    .strict(),
  'caption.draft': z
    .object({
      runId: id,
      imageIds: ids.min(1, 'give at least one image'),
      beam: z.number().int().min(1).max(20).optional(),
    })
    .strict(),
  'caption.draftBatch': z
    .object({
      runId: id,
      scope,
      onlyWithoutApproved: z.boolean().optional(),
      beam: z.number().int().min(1).max(20).optional(),
      jobId: z.string().min(1).max(200).optional(),
    })
    .strict(),
} satisfies { [M in Method]: z.ZodType<ArgsOf<M>> };

/** Says what is wrong with the arguments, field by field. */
export function describeIssues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length ? i.path.join('.') : 'arguments'}: ${i.message}`).join('; ');
}
