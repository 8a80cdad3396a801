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

export type HistoryKind = 'create' | 'edit' | 'status' | 'delete' | 'restore';

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
  | 'unreadable';

export interface ImportFailure {
  path: string;
  reason: ImportFailureReason;
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
  | { kind: 'images'; imageIds: number[] }
  | { kind: 'collection'; collectionId: number }
  | { kind: 'all' };

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
