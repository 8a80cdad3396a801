// The neutral shapes every dataset format reads into and writes from: entries (an image file with
// its captions and split) and the files of an export.
import type { ImportFailure, ImportWarning, Split } from '../../../shared/types';

/** One image a dataset file lists, with its captions in file order. */
export interface DatasetEntry {
  /** The image as the file names it (for messages and reports). */
  ref: string;
  /** Where the image may be, relative to the images folder or absolute; the first that exists is used. */
  candidates: string[];
  captions: string[];
  split: Split | null;
}

/** What a parser read: entries, entry-level failures (bad lines, unknown images) and warnings. */
export interface ParsedDataset {
  entries: DatasetEntry[];
  failed: ImportFailure[];
  warnings: ImportWarning[];
  /** Files skipped as neither images nor annotations (folder format). */
  ignored?: number;
}

/** A library image as an export sees it: a unique file name in the export and the chosen captions. */
export interface ExportImage {
  id: number;
  /** File name in the export (unique, also by stem and case). */
  name: string;
  split: Split | null;
  width: number;
  height: number;
  captions: string[];
}

/** An annotation file of an export: name relative to the output folder, and its text. */
export interface ExportFile {
  name: string;
  text: string;
}

/** Groups entries by image reference, keeping first-seen order and caption order. */
export class EntryBuilder {
  private readonly byRef = new Map<string, DatasetEntry>();

  get(ref: string, candidates: string[] = [ref]): DatasetEntry {
    let e = this.byRef.get(ref);
    if (!e) this.byRef.set(ref, (e = { ref, candidates, captions: [], split: null }));
    return e;
  }

  has(ref: string): boolean {
    return this.byRef.has(ref);
  }

  entries(): DatasetEntry[] {
    return [...this.byRef.values()];
  }
}

export const SPLITS: readonly Split[] = ['train', 'val', 'test'];

/** A split name as datasets spell it: dev → val, restval → train (Karpathy's convention), else null. */
export function splitOf(name: unknown): Split | null {
  if (typeof name !== 'string') return null;
  const n = name.trim().toLowerCase();
  if (n === 'train' || n === 'restval') return 'train';
  if (n === 'val' || n === 'dev' || n === 'valid' || n === 'validation') return 'val';
  if (n === 'test') return 'test';
  return null;
}
