// Domain types shared by the core, the server, the preload and the renderer (plain data only).

export type Split = 'train' | 'val' | 'test';
export type CaptionStatus = 'draft' | 'approved' | 'rejected';
export type CaptionSource = 'human' | 'run';

export interface ImageRecord {
  id: number;
  hash: string;
  path: string;
  /** Size as displayed (after EXIF orientation). */
  width: number;
  height: number;
  split: Split | null;
  addedAt: number;
}

export interface Caption {
  id: number;
  imageId: number;
  text: string;
  source: CaptionSource;
  runId: number | null;
  status: CaptionStatus;
  position: number;
  createdAt: number;
  updatedAt: number;
}

export interface ImageWithCaptions extends ImageRecord {
  captions: Caption[];
  collections: number[];
}

/** 'undo' and 'redo': an undo (Ctrl+Z) or redo took back or made again the change of `target`. */
export type HistoryKind = 'create' | 'edit' | 'status' | 'delete' | 'restore' | 'undo' | 'redo';

/** The entry an undo or redo entry acted on, with the label of its step ("Edit caption"). */
export interface HistoryTarget {
  id: number;
  kind: HistoryKind;
  label: string | null;
}

export interface HistoryEntry {
  id: number;
  captionId: number;
  imageId: number;
  opId: number;
  kind: HistoryKind;
  oldText: string | null;
  newText: string | null;
  oldStatus: CaptionStatus | null;
  newStatus: CaptionStatus | null;
  at: number;
  /** The step this change belongs to was undone (Ctrl+Z) and not redone. */
  undone?: boolean;
  /** Undo and redo entries: the change they took back or made again. */
  target?: HistoryTarget;
}

export interface Collection {
  id: number;
  name: string;
  count: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}

export type StatusFilter = CaptionStatus | 'uncaptioned';

export interface ListQuery {
  /** Full-text search over caption text (FTS5 syntax-safe: words are matched as prefixes). */
  search?: string;
  status?: StatusFilter;
  split?: Split | 'none';
  collectionId?: number;
  source?: CaptionSource;
  minCaptionLength?: number;
  maxCaptionLength?: number;
  /** Only these images (e.g. a duplicate group from the health panel). */
  imageIds?: number[];
  offset?: number;
  limit?: number;
}

/** The result of an undo or redo: which operation moved and which images it touched. */
export interface UndoResult {
  opId: number | null;
  label: string | null;
  imageIds: number[];
}

export interface VersionInfo {
  app: string;
  schema: number;
  node: string;
  electron: string | null;
  dbPath: string;
}

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendCandidate {
  name: BackendName;
  available: boolean;
  /** Why it was not used (or not available). */
  reason: string | null;
}

export interface BackendInfo {
  chosen: BackendName;
  candidates: BackendCandidate[];
  /** Set when the chosen backend is too slow for training. */
  warning: string | null;
  advice: string | null;
}

/** Why a file was not imported (one category per failure, for the import report). */
export type ImportFailureReason =
  | 'empty'
  | 'truncated'
  | 'corrupt'
  | 'not-an-image'
  | 'too-large'
  | 'unsupported'
  | 'encoding'
  | 'unreadable'
  | 'disk-full';

/**
 * Why an entry of a dataset file (a line, a record, an annotation) was not imported: 'missing' the
 * image file it names is not there, 'malformed' the line or record cannot be read, 'unknown-image'
 * an annotation names an image the file does not list.
 */
export type FormatFailureReason = 'missing' | 'malformed' | 'unknown-image';

export interface ImportFailure {
  /** The file, or `file:line` / `file: <what>` for an entry of a dataset file. */
  path: string;
  reason: ImportFailureReason | FormatFailureReason;
  message: string;
}

export interface ImportWarning {
  path: string;
  message: string;
}

/** What an import did: every file is counted once, every failure listed with its reason. */
export interface ImportReport {
  jobId: string;
  root: string;
  /** Image files found (supported or not). */
  scanned: number;
  /** New images added to the library. */
  added: number;
  /** Images already in the library (same content hash) whose file had moved: path updated. */
  relinked: number;
  /** Images already in the library at the same place (or a second copy of one): nothing new. */
  unchanged: number;
  /** Captions added (sidecar lines not already on the image). */
  captionsAdded: number;
  /** Captions read with spaces or line breaks at either end, which were trimmed (inner line breaks kept). */
  captionsTrimmed: number;
  failed: ImportFailure[];
  warnings: ImportWarning[];
  /** Files that are neither images nor sidecars (and OS junk), skipped silently. */
  ignored: number;
  /** True when the import was cancelled: what was committed before the cancel stays. */
  cancelled: boolean;
  /** Ids of every image the import added or met, in file order. */
  imageIds: number[];
}

/** What generating the synthetic shapes dataset did. */
export interface ShapesReport {
  dir: string;
  seed: number;
  count: number;
  import: ImportReport;
}

/** Which captions a batch operation touches. */
export type CaptionScope =
  { kind: 'images'; imageIds: number[] } | { kind: 'collection'; collectionId: number } | { kind: 'all' };

export interface FindReplaceArgs {
  find: string;
  replace: string;
  scope: CaptionScope;
  regex?: boolean;
  caseSensitive?: boolean;
  wholeWord?: boolean;
  /** Only captions with this status (default: all statuses). */
  status?: CaptionStatus;
  /** false: preview only; true: apply to `captionIds` (from the preview), or to all matches. */
  apply: boolean;
  captionIds?: number[];
  /** Names the job so `jobs.cancel` can stop a regular expression that runs long. */
  jobId?: string;
}

export interface CaptionChange {
  captionId: number;
  imageId: number;
  before: string;
  after: string;
}

export interface FindReplaceResult {
  /** Every change (preview) or every change made (apply). */
  changes: CaptionChange[];
  /** Matches left out because the caption would become empty. */
  skippedEmpty: number;
  applied: boolean;
  opId: number | null;
}

export interface BatchEditArgs {
  scope: CaptionScope;
  prefix?: string;
  suffix?: string;
  status?: CaptionStatus;
  /** Only captions with this status (default: all statuses). */
  onlyStatus?: CaptionStatus;
}

/** Dataset file formats read by `import.dataset` ('folder': a folder with sidecars and split subfolders). */
export type DatasetFormat = 'folder' | 'flickr8k' | 'karpathy' | 'coco' | 'kohya' | 'jsonl' | 'csv';
/** Formats written by `export.dataset`: the import formats and the COCO results list. */
export type ExportFormat = DatasetFormat | 'coco-results';

export interface DatasetImportArgs {
  format: DatasetFormat;
  /** The annotation file (a folder for 'folder'). */
  path: string;
  /** Where the images named by the file are (default: the file's folder). */
  images?: string;
  /** Split for images the file gives none (e.g. 'val' for captions_val2014.json). */
  split?: Split;
  collection?: string;
  status?: CaptionStatus;
  /** JSONL/CSV: the field holding the image file (default: the first of file, file_name, image). */
  fileField?: string;
  /** JSONL/CSV: the field holding the caption (default: the first of caption, text). */
  captionField?: string;
  jobId?: string;
}

export interface DatasetExportArgs {
  format: ExportFormat;
  /** The output folder (created; replaced only with `force`). */
  out: string;
  /** Which captions: 'approved' (default), 'all', or one status. */
  captions?: CaptionStatus | 'all';
  split?: Split;
  collectionId?: number;
  /** Images are copied (default) or hard-linked (copied where a link is impossible). */
  images?: 'copy' | 'link';
  /** Also export images that have none of the chosen captions (default false). */
  includeUncaptioned?: boolean;
  /** Replace an earlier export at `out` (moved to a dated backup beside it, never deleted). */
  force?: boolean;
  /** CSV: write cells as they are, without the `'` that keeps spreadsheets from running formulas. */
  csvRaw?: boolean;
  jobId?: string;
}

export interface ExportReport {
  jobId: string;
  format: ExportFormat;
  out: string;
  images: number;
  captions: number;
  /** The files written, relative to `out` (annotation files first, then images). */
  files: string[];
  /** Library images left out because their file is gone. */
  skipped: ImportWarning[];
  /** Where the earlier export that `force` replaced was moved (a dated backup beside `out`), or null. */
  replacedTo: string | null;
}

export interface LengthStats {
  /** captions counted */
  count: number;
  mean: number;
  median: number;
  p95: number;
  max: number;
  /** histogram[i] = captions of i words; the last bin holds every caption of that many words or more. */
  histogram: number[];
}

export interface DuplicateGroup {
  imageIds: number[];
  /** Largest Hamming distance between two perceptual hashes of the group (0 for exact duplicates). */
  distance: number;
  /** The distinct splits of the group's images (unsplit images left out). */
  splits: Split[];
}

export interface HealthReport {
  images: number;
  captions: number;
  /** Images whose perceptual hash could not be computed (file missing or unreadable). */
  unhashed: ImportWarning[];
  /** Identical pixels under different files (re-encoded, metadata stripped). */
  exactDuplicates: DuplicateGroup[];
  /** Perceptually similar images (dHash Hamming distance ≤ threshold) that are not exact duplicates. */
  nearDuplicates: DuplicateGroup[];
  threshold: number;
  /** Duplicate groups (exact or near) that span two or more splits. */
  splitLeaks: DuplicateGroup[];
  /** Words per approved caption. */
  lengths: LengthStats;
  /** Distinct normalised words over approved captions. */
  vocabularySize: number;
  /** Against a trained model's vocabulary, when one is given. */
  oov: { rate: number; tokens: number; unknown: number; top: Array<{ word: string; count: number }> } | null;
  /** Images with no approved caption (count, and the first ids). */
  withoutApproved: { count: number; imageIds: number[] };
}

export interface HealthArgs {
  /** A word vocabulary (WordVocab JSON) or the path of one. */
  vocab?: unknown;
  vocabPath?: string;
  /** Hamming threshold for near-duplicates, in bits of the 64-bit dHash (default 8). */
  threshold?: number;
  jobId?: string;
}

export interface AssignSplitsArgs {
  seed?: number;
  /** Fractions of train/val/test; they sum to 1 (default 0.8/0.1/0.1). */
  fractions?: { train: number; val: number; test: number };
  /** 'stable' (default: adding images never moves others) or 'exact' counts. */
  mode?: 'stable' | 'exact';
  /** Re-split images that have a split already (default: keep them). */
  overwrite?: boolean;
  /** Only the images of this collection (default: the whole library). */
  collectionId?: number;
}

/** How the library (or one collection) is split now: images, and images with an approved caption. */
export interface SplitSummary {
  collectionId: number | null;
  images: Record<Split | 'none', number>;
  approved: Record<Split | 'none', number>;
}

export interface SplitCounts {
  train: number;
  val: number;
  test: number;
  /** Images whose split this call set or changed. */
  changed: number;
}

// ---- training runs ------------------------------------------------------------------------------

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

/** A guardrail warning on a run: what looks wrong and the optimiser step where it began. */
export interface RunWarningInfo {
  kind: 'nan-loss' | 'collapse' | 'eos-only' | 'repetition';
  step: number;
  epoch: number;
  message: string;
}

export interface RunSummary {
  id: number;
  model: string;
  preset: string;
  status: RunStatus;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  /** Epochs with validation results. */
  epochs: number;
  /** Latest value of each test metric (empty until the test split ran). */
  test: Record<string, number>;
  warnings: RunWarningInfo[];
  error: string | null;
  checkpointDir: string | null;
  /** The compute backend the worker trained on (null until it started). */
  backend: string | null;
  /** The trainer's seed (null for a run made before seeds were recorded). */
  seed: number | null;
  /** Images with approved captions per split when the run was started (null: not recorded). */
  data: RunData | null;
  /** Queued runs: 1 when the run starts next, 2 after that… (absent or null otherwise). */
  queuePosition?: number | null;
}

export interface RunData {
  train: number;
  val: number;
  test: number;
  /** A fingerprint of the test images: two runs with the same one were tested on the same images. */
  testSet: string;
}

export interface MetricPoint {
  epoch: number | null;
  step: number | null;
  split: string;
  name: string;
  value: number;
}

export interface RunCheckpoint {
  kind: 'best' | 'last' | 'epoch';
  path: string;
  epoch: number | null;
  step: number | null;
}

export interface RunDetail extends RunSummary {
  config: Record<string, unknown>;
  dataSnapshot: Record<string, unknown> | null;
  metrics: MetricPoint[];
  checkpoints: RunCheckpoint[];
}

/**
 * A run changed (the `run.changed` event): new metric points as the worker records them (training
 * loss every few steps, validation per epoch, test at the end), or a new status ('deleted' once gone).
 */
export interface RunChange {
  runId: number;
  metrics?: MetricPoint[];
  status?: RunStatus | 'deleted';
}

/** The per-image scores shown for a test image (coco-caption's, computed over the run's test set). */
export type ImageMetric = 'bleu4' | 'rougeL' | 'ciderD';

/** One test image: its references when the runs were tested, and each run's caption with its scores. */
export interface RunTestImage {
  imageId: number;
  /** The references of the first listed run that captioned the image (the split's approved captions then). */
  references: string[];
  /** By run id (as a string key): the caption and its scores against that run's references. */
  runs: Record<string, { caption: string; scores: Record<ImageMetric, number> }>;
  /** The mean over the runs of the metric the list is sorted by (worst first). */
  score: number;
}

export interface RunTestImages {
  metric: ImageMetric;
  images: RunTestImage[];
  /** Runs asked for that have no stored test captions (not tested yet, or tested before they were kept). */
  without: number[];
}

export interface RunExportResult {
  /** The folder written (absolute). */
  out: string;
  /** Files copied, relative to `out`. */
  files: string[];
  bytes: number;
}

/** One documented model setting (a key of the trainer's `modelOverrides`). */
export interface ModelSettingInfo {
  key: string;
  /** One line of help. */
  help: string;
  /** Its default in each preset (JSON). */
  defaults: Record<'tiny' | 'full', unknown>;
}

/** A captioning model the trainer knows (`system.models`): the Runs page and `train --help` list these. */
export interface ModelInfo {
  id: string;
  help: string;
  /** Per-word maps from attention weights or from input gradients (saliency). */
  mapKind: 'attention' | 'saliency';
  /** Its tokenizer: a word vocabulary built per run, or a pretrained one shipped with the weights. */
  text: { kind: 'words' | 'pretrained'; help: string };
  presets: Array<{ name: 'tiny' | 'full'; help: string }>;
  settings: ModelSettingInfo[];
}

export interface TrainStartArgs {
  model: string;
  preset?: 'tiny' | 'full';
  /** Trainer config fields (epochs, batchSize, lr, seed, …) and `modelOverrides`. */
  config?: Record<string, unknown>;
  /** Train on the images of this collection only (default: every image with a split). */
  collectionId?: number;
  /** Resolve only when the run has ended (with its final state). */
  wait?: boolean;
}

export interface CaptionArgs {
  runId: number;
  /** Image files on disk, or library images by id. */
  paths?: string[];
  imageIds?: number[];
  /** Beam width (1 = greedy, default 3). */
  beam?: number;
  /** Also return a map per word (attention, or saliency for models without attention). */
  maps?: boolean;
}

export interface GeneratedCaption {
  /** The file path, or `image:<id>` for a library image. */
  source: string;
  caption: string;
  tokens: string[];
  probs: number[];
  maps?: { kind: 'attention' | 'saliency'; height: number; width: number; data: number[][] };
}

/** One photo (or a few) captioned by up to three runs side by side (the Caption page). */
export interface CompareArgs {
  /** The runs, 1–3, each one request to the inference worker. */
  runIds: number[];
  /** Image files on disk. */
  paths: string[];
  /** Beam width (1 = greedy, default 3). */
  beam?: number;
  /** Also return a map per word. */
  maps?: boolean;
}

/** One run's answer in a comparison: its captions, or why it gave none (the other runs still answer). */
export interface RunCaptions {
  runId: number;
  captions: GeneratedCaption[] | null;
  error: { code: string; message: string } | null;
}

/** A photo captioned on the Caption page, saved to the library with the caption chosen. */
export interface SaveCaptionedArgs {
  /** The photo file (imported like any import: content hash, thumbnail, idempotent). */
  path: string;
  /** The caption to store (the model's, or the user's edit of it). */
  text: string;
  status: 'draft' | 'approved';
  /** The run whose caption it is (the caption's source); absent: written by hand. */
  runId?: number;
  /** The model's own text when `text` is an edit of it: stored first, then the edit, in the history. */
  modelText?: string;
}

export interface SaveCaptionedResult {
  imageId: number;
  caption: Caption;
  /** The photo was new to the library, found at a new path, or already there. */
  image: 'added' | 'relinked' | 'unchanged';
}

export interface DraftBatchArgs {
  runId: number;
  /** The images to caption: a selection, a collection or every image. */
  scope: CaptionScope;
  /** Leave out images that already have an approved caption. */
  onlyWithoutApproved?: boolean;
  /** Beam width (1 = greedy, default 3). */
  beam?: number;
  /** Id for job.progress events and jobs.cancel (one is made up when absent). */
  jobId?: string;
}

export interface DraftBatchResult {
  jobId: string;
  /** Images in the scope (after leaving out those with an approved caption, if asked). */
  total: number;
  /** Images captioned before the end or the cancel. */
  captioned: number;
  /** Drafts saved; texts an image already had are skipped. */
  added: number;
  skipped: number;
  /** Images that could not be captioned (a missing or unreadable file), with why. */
  failed: Array<{ imageId: number; message: string }>;
  cancelled: boolean;
  /** The one undoable step holding every draft added (null when none was). */
  opId: number | null;
}

/** What the Settings view shows and its diagnostics export holds (no caption text, no image paths). */
export interface Diagnostics {
  version: VersionInfo;
  platform: string;
  arch: string;
  /** The compute backend for captioning, with why not the others (as `caption-studio doctor` says). */
  backend: BackendInfo;
  folders: { library: string; runs: string; cache: string; uploads: string };
  counts: { images: number; captions: number; runs: Record<string, number> };
  /** The inference worker: its process (null when stopped) and how often it started and loaded. */
  inference: { pid: number | null; spawns: number; loads: number; evictions: number };
}
