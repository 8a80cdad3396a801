// Row shapes as SQLite returns them, and their mapping to the domain types of src/shared.
import type {
  Caption,
  CaptionSource,
  CaptionStatus,
  HistoryEntry,
  HistoryKind,
  ImageRecord,
  Split,
} from '../../shared/types';

export interface ImageRow {
  id: number;
  hash: string;
  path: string;
  width: number;
  height: number;
  split: Split | null;
  added_at: number;
}

export interface CaptionRow {
  id: number;
  image_id: number;
  text: string;
  source: CaptionSource;
  run_id: number | null;
  status: CaptionStatus;
  position: number;
  created_at: number;
  updated_at: number;
}

export interface HistoryRow {
  id: number;
  op_id: number | null;
  caption_id: number;
  image_id: number;
  kind: HistoryKind;
  old_text: string | null;
  new_text: string | null;
  old_status: CaptionStatus | null;
  new_status: CaptionStatus | null;
  source: CaptionSource;
  run_id: number | null;
  position: number;
  at: number;
  /** Undo and redo entries: the entry they acted on. */
  target_id: number | null;
}

export const toImage = (r: ImageRow): ImageRecord => ({
  id: r.id,
  hash: r.hash,
  path: r.path,
  width: r.width,
  height: r.height,
  split: r.split,
  addedAt: r.added_at,
});

export const toCaption = (r: CaptionRow): Caption => ({
  id: r.id,
  imageId: r.image_id,
  text: r.text,
  source: r.source,
  runId: r.run_id,
  status: r.status,
  position: r.position,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toHistory = (r: HistoryRow): HistoryEntry => ({
  id: r.id,
  captionId: r.caption_id,
  imageId: r.image_id,
  opId: r.op_id ?? 0,
  kind: r.kind,
  oldText: r.old_text,
  newText: r.new_text,
  oldStatus: r.old_status,
  newStatus: r.new_status,
  at: r.at,
});
