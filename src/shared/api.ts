// The one API contract: every method with its arguments and result, and every event. The preload,
// the IPC registration, the HTTP bridge and the renderer client are all derived from it.
import type {
  BackendInfo,
  CaptionArgs,
  GeneratedCaption,
  RunDetail,
  RunSummary,
  TrainStartArgs,
  Caption,
  CaptionStatus,
  Collection,
  HistoryEntry,
  ImageWithCaptions,
  ImportReport,
  ListQuery,
  Page,
  ShapesReport,
  UndoResult,
  FindReplaceArgs,
  FindReplaceResult,
  BatchEditArgs,
  AssignSplitsArgs,
  SplitCounts,
  SplitSummary,
  VersionInfo,
  ModelInfo,
  DatasetImportArgs,
  DatasetExportArgs,
  ExportReport,
  HealthArgs,
  HealthReport,
  DraftBatchArgs,
  DraftBatchResult,
  CompareArgs,
  RunCaptions,
  SaveCaptionedArgs,
  SaveCaptionedResult,
  Diagnostics,
  ImageMetric,
  RunChange,
  RunExportResult,
  RunTestImages,
} from './types';
import type { Result } from './result';

type Empty = Record<string, never>;

/** Method name → { args, result }. One object argument per call. */
export interface ApiMethods {
  'system.version': { args: Empty; result: VersionInfo };
  'system.backend': { args: Empty; result: BackendInfo };
  /** The captioning models, their presets and settings (defaults and one line of help each). */
  'system.models': { args: Empty; result: ModelInfo[] };
  /** The library's folders, the backend, counts and the inference worker's state (Settings, diagnostics export). */
  'system.diagnostics': { args: Empty; result: Diagnostics };

  'library.list': { args: ListQuery; result: Page<ImageWithCaptions> };
  'library.get': { args: { imageId: number }; result: ImageWithCaptions };
  /** Every image id the filters match (offset and limit ignored): "select all" over any list. */
  'library.ids': { args: Omit<ListQuery, 'offset' | 'limit'>; result: { ids: number[] } };
  'library.remove': { args: { imageIds: number[] }; result: { removed: number } };
  /** Gives images without a split a seeded train/val/test split (all images with `overwrite`). */
  'library.assignSplits': { args: AssignSplitsArgs; result: SplitCounts };
  /** Images per split now (and those with an approved caption), in the library or one collection. */
  'library.splitCounts': { args: { collectionId?: number }; result: SplitSummary };

  'collections.list': { args: Empty; result: Collection[] };
  'collections.create': { args: { name: string }; result: Collection };
  'collections.addImages': { args: { collectionId: number; imageIds: number[] }; result: { added: number } };
  'collections.removeImages': {
    args: { collectionId: number; imageIds: number[] };
    result: { removed: number };
  };

  'captions.add': { args: { imageId: number; text: string; status?: CaptionStatus }; result: Caption };
  'captions.edit': { args: { captionId: number; text: string }; result: Caption };
  'captions.setStatus': { args: { captionIds: number[]; status: CaptionStatus }; result: Caption[] };
  'captions.delete': { args: { captionId: number }; result: { deleted: number } };
  'captions.undo': { args: Empty; result: UndoResult };
  'captions.redo': { args: Empty; result: UndoResult };
  'captions.history': { args: { imageId: number }; result: HistoryEntry[] };
  'captions.restore': { args: { historyId: number }; result: Caption };
  /** Find & replace: `apply: false` previews every change; `apply: true` applies the chosen ones as one undoable step. */
  'captions.findReplace': { args: FindReplaceArgs; result: FindReplaceResult };
  /** Prefix/suffix and status on the captions of the selected images, as one undoable step. */
  'captions.batch': { args: BatchEditArgs; result: { changed: number; opId: number | null } };

  /** Imports a folder (recursive) with its `.txt`/`.caption` sidecars; progress as job.progress. */
  'import.folder': {
    args: { path: string; collection?: string; status?: CaptionStatus; jobId?: string };
    result: ImportReport;
  };
  /** Renders and imports the synthetic shapes dataset (the demo's default data). */
  'datasets.shapes': { args: { count: number; seed: number; size?: number }; result: ShapesReport };
  /**
   * Uploads one dropped file (base64, small files over IPC) into the library's uploads/<batchId>/
   * folder; import that folder after. Serve mode streams files on UPLOAD_ROUTE instead.
   */
  'import.upload': {
    args: { batchId: string; relPath: string; data: string };
    result: UploadResult;
  };
  /** Removes an upload batch's files that did not become library images (after import or captioning). */
  'import.uploadDone': { args: { batchId: string }; result: { removed: number; kept: number } };
  /** Imports a dataset file (Flickr8k, Karpathy, COCO, kohya metadata, JSONL, CSV, split folder); progress as job.progress. */
  'import.dataset': { args: DatasetImportArgs; result: ImportReport };
  /** Writes library images and chosen captions to a dataset folder in a format; progress as job.progress. */
  'export.dataset': { args: DatasetExportArgs; result: ExportReport };
  /** Duplicates, split leakage, caption lengths, vocabulary/OOV, images without an approved caption. */
  'library.health': { args: HealthArgs; result: HealthReport };
  /** Asks a running job to stop; false when no job has that id. */
  'jobs.cancel': { args: { jobId: string }; result: { cancelled: boolean } };

  /** Training runs, newest first. */
  'runs.list': { args: Empty; result: RunSummary[] };
  /** One run with its config, metric history and checkpoints. */
  'runs.get': { args: { runId: number }; result: RunDetail };
  /**
   * Queues a training run (one heavy job at a time, each in its own worker process); progress as
   * job.progress. A run behind another is `queued` with its `queuePosition`.
   */
  'train.start': { args: TrainStartArgs; result: RunDetail };
  /**
   * The test images of runs with each run's caption and per-image scores (BLEU-4, ROUGE-L, CIDEr-D),
   * worst first by the mean over the runs of `metric` (default CIDEr-D).
   */
  'runs.testImages': { args: { runIds: number[]; metric?: ImageMetric }; result: RunTestImages };
  /** Deletes an ended run with its files (its checkpoints folder); a queued or running run is refused. */
  'runs.delete': { args: { runId: number }; result: { deleted: boolean; removedDir: string | null } };
  /** Copies a run's checkpoint folder (and a run.json of its settings and scores) into a new or empty folder. */
  'runs.export': { args: { runId: number; out: string }; result: RunExportResult };
  /** Cancels a queued or running run: a running one saves a checkpoint first. */
  'train.cancel': { args: { runId: number }; result: { cancelled: boolean } };
  /** Continues an interrupted or cancelled run from its last checkpoint. */
  'train.resume': { args: { runId: number; wait?: boolean }; result: RunDetail };
  /** Captions images with a run's best (else last) checkpoint, in a worker process. */
  'caption.generate': { args: CaptionArgs; result: GeneratedCaption[] };
  /**
   * Captions image files with up to three runs, one inference request per run; each run answers
   * with its captions or its own error (Caption page, side by side).
   */
  'caption.compare': { args: CompareArgs; result: RunCaptions[] };
  /**
   * Imports a photo (like any import) and stores the chosen caption on it as a draft or approved,
   * one undoable step with its history (the model's text, then the user's edit, when edited).
   */
  'caption.save': { args: SaveCaptionedArgs; result: SaveCaptionedResult };
  /**
   * Captions library images with a run and saves the captions as drafts (source run) to review:
   * one undoable step; a text the image already has is skipped (`skipped`), an empty caption is
   * never saved (`empty`).
   */
  'caption.draft': {
    args: { runId: number; imageIds: number[]; beam?: number };
    result: { added: number; skipped: number; empty: number; opId: number | null };
  };
  /**
   * Captions the images of a scope with a run in the background (job.progress; stop with
   * jobs.cancel) and saves the new texts as drafts in one undoable step; cancelled half way, the
   * drafts made so far are saved, as one step too.
   */
  'caption.draftBatch': { args: DraftBatchArgs; result: DraftBatchResult };
}

export type Method = keyof ApiMethods;
export type ArgsOf<M extends Method> = ApiMethods[M]['args'];
export type ResultOf<M extends Method> = ApiMethods[M]['result'];

/** Every method name at run time; the type check below keeps it complete. */
export const METHODS = [
  'system.version',
  'system.backend',
  'system.models',
  'system.diagnostics',
  'library.list',
  'library.get',
  'library.ids',
  'library.remove',
  'library.assignSplits',
  'library.splitCounts',
  'collections.list',
  'collections.create',
  'collections.addImages',
  'collections.removeImages',
  'captions.add',
  'captions.edit',
  'captions.setStatus',
  'captions.delete',
  'captions.undo',
  'captions.redo',
  'captions.history',
  'captions.restore',
  'captions.findReplace',
  'captions.batch',
  'import.folder',
  'datasets.shapes',
  'import.upload',
  'import.uploadDone',
  'import.dataset',
  'export.dataset',
  'library.health',
  'jobs.cancel',
  'runs.list',
  'runs.get',
  'runs.testImages',
  'runs.delete',
  'runs.export',
  'train.start',
  'train.cancel',
  'train.resume',
  'caption.generate',
  'caption.compare',
  'caption.save',
  'caption.draft',
  'caption.draftBatch',
] as const satisfies readonly Method[];

type MissingMethods = Exclude<Method, (typeof METHODS)[number]>;
const _complete: MissingMethods extends never ? true : MissingMethods = true;
void _complete;

/** A command chosen in the app's menu (Electron only), carried out by the page. */
export type AppCommand =
  | 'import'
  | 'export'
  | 'undo'
  | 'redo'
  | 'selectAll'
  | 'findReplace'
  | 'search'
  | 'approve'
  | 'reject'
  | 'draft'
  | 'view.library'
  | 'view.caption'
  | 'view.runs'
  | 'view.settings'
  | 'shortcuts';

/** Event name → payload, pushed from the main side (IPC events or Server-Sent Events). */
export interface ApiEvents {
  'library.changed': { imageIds: number[] | null };
  'job.progress': { jobId: string; kind: string; done: number; total: number; message: string };
  'run.changed': RunChange;
  'app.command': { command: AppCommand };
}
export type EventName = keyof ApiEvents;
export const EVENTS = [
  'library.changed',
  'job.progress',
  'run.changed',
  'app.command',
] as const satisfies readonly EventName[];

/** The transport-level surface: `window.api` in the renderer, implemented by preload and HTTP. */
export interface ApiBridge {
  call<M extends Method>(method: M, args: ArgsOf<M>): Promise<Result<ResultOf<M>>>;
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
  /** In Electron: the path on disk of a dropped file or folder (absent in a browser). */
  pathForFile?(file: File): string | null;
  /** Serve mode: streams one file into an upload batch (no base64, no JSON limit). */
  upload?(batchId: string, relPath: string, file: Blob): Promise<Result<UploadResult>>;
}

/** Where an upload batch landed: its folder (to import) and the bytes written. */
export interface UploadResult {
  dir: string;
  bytes: number;
}

/**
 * Serve mode's upload route: `POST UPLOAD_ROUTE?batch=ID&name=REL/PATH` with the file's raw bytes
 * (`Content-Type: application/octet-stream`), the token in the Authorization header; streamed to
 * disk, up to MAX_UPLOAD_BYTES per file. Answers a Result<UploadResult> as JSON.
 */
export const UPLOAD_ROUTE = '/api/upload';
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;
/** The largest JSON body of an API call over HTTP; larger ones are answered 413. */
export const MAX_JSON_BODY = 8 * 1024 * 1024;

/** Channel names derived from the contract, never typed by hand elsewhere. */
export const callChannel = (m: Method): string => `api:${m}`;
export const eventChannel = (e: EventName): string => `event:${e}`;
