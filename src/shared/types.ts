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
