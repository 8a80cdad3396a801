// JSONL (one object per line, the Hugging Face imagefolder `metadata.jsonl` style) and CSV (RFC 4180,
// a header row): one row per caption, rows of one image grouped. Field names are configurable;
// by default the file is the first of file, file_name, image and the caption the first of
// caption, text. An optional `split` field is read and written. A row with an empty caption
// stands for an image without captions.
import type { Split } from '../../../shared/types';
import { neutraliseCell, parseCsv, restoreCell, writeCsv } from './csv';
import { isObject, jsonSyntaxMessage } from './json';
import { LINE_BREAK } from './lines';
import { EntryBuilder, splitOf, type ExportFile, type ExportImage, type ParsedDataset } from './types';

export const JSONL_FILE = 'captions.jsonl';
export const CSV_FILE = 'captions.csv';
export const FILE_FIELDS = ['file', 'file_name', 'image'] as const;
export const CAPTION_FIELDS = ['caption', 'text'] as const;

export interface FieldOptions {
  fileField?: string;
  captionField?: string;
}

interface Row {
  where: string;
  get(field: string): unknown;
}

function collect(rows: Row[], fields: string[], file: string, opts: FieldOptions): ParsedDataset {
  const out: ParsedDataset = { entries: [], failed: [], warnings: [] };
  const pick = (given: string | undefined, defaults: readonly string[]) =>
    given ? (fields.includes(given) ? given : null) : (defaults.find((f) => fields.includes(f)) ?? null);
  const fileField = pick(opts.fileField, FILE_FIELDS);
  const captionField = pick(opts.captionField, CAPTION_FIELDS);
  if (!fileField || !captionField) {
    const missing = !fileField
      ? `image file field (${opts.fileField ?? FILE_FIELDS.join(' / ')})`
      : `caption field (${opts.captionField ?? CAPTION_FIELDS.join(' / ')})`;
    out.failed.push({
      path: file,
      reason: 'malformed',
      message: `The file has no ${missing}; its fields are ${fields.join(', ') || 'none'}. Name them with --file-field / --caption-field.`,
    });
    return out;
  }
  const b = new EntryBuilder();
  for (const r of rows) {
    const name = r.get(fileField);
    const caption = r.get(captionField);
    if (typeof name !== 'string' || name === '') {
      out.failed.push({
        path: r.where,
        reason: 'malformed',
        message: `No image file in "${fileField}"; fix the row.`,
      });
      continue;
    }
    if (caption !== undefined && caption !== null && typeof caption !== 'string') {
      out.failed.push({
        path: r.where,
        reason: 'malformed',
        message: `"${captionField}" is not text; fix the row.`,
      });
      continue;
    }
    const e = b.get(name);
    const split: Split | null = splitOf(r.get('split'));
    if (split) e.split = split;
    if (typeof caption === 'string' && caption !== '') e.captions.push(caption);
  }
  out.entries = b.entries();
  return out;
}

export function parseJsonl(text: string, file: string, opts: FieldOptions = {}): ParsedDataset {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: Row[] = [];
  const fields = new Set<string>();
  const failed: ParsedDataset['failed'] = [];
  s.split(LINE_BREAK).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      failed.push({
        path: where,
        reason: 'malformed',
        message: `Line ${i + 1} is not JSON (${jsonSyntaxMessage(e, line)}).`,
      });
      return;
    }
    if (!isObject(v)) {
      failed.push({ path: where, reason: 'malformed', message: `Line ${i + 1} is not a JSON object.` });
      return;
    }
    Object.keys(v).forEach((k) => fields.add(k));
    rows.push({ where, get: (f) => v[f] });
  });
  const out =
    rows.length || !failed.length
      ? collect(rows, [...fields], file, opts)
      : { entries: [], failed: [], warnings: [] };
  out.failed.unshift(...failed);
  return out;
}

export function parseCsvDataset(text: string, file: string, opts: FieldOptions = {}): ParsedDataset {
  const r = parseCsv(text);
  if (!r.ok)
    return {
      entries: [],
      failed: [
        {
          path: `${file}:${r.line}`,
          reason: 'malformed',
          message: `CSV line ${r.line}: ${r.message}. Nothing was imported from this file.`,
        },
      ],
      warnings: [],
    };
  const [header = [], ...body] = r.rows;
  const rows: Row[] = [];
  const wide: ParsedDataset['failed'] = [];
  body.forEach((raw, i) => {
    const line = r.lines[i + 1];
    if (raw.length > header.length) {
      // Usually an unquoted comma inside a caption: importing the first fields would cut it short.
      wide.push({
        path: `${file}:${line}`,
        reason: 'malformed',
        message:
          `CSV line ${line} has ${raw.length} fields but the header has ${header.length}; nothing was ` +
          'imported from it. A caption with a comma must be quoted ("a man, on a tripod"); fix the line.',
      });
      return;
    }
    const cells = raw.map(restoreCell);
    rows.push({
      where: `${file}:${line}`,
      get: (f) => {
        const k = header.indexOf(f);
        return k < 0 ? undefined : cells[k];
      },
    });
  });
  const out = collect(rows, header, file, opts);
  out.failed.unshift(...wide);
  return out;
}

/** One line per caption (one with an empty caption for an image without any). */
function rowsOf(
  images: readonly ExportImage[],
): Array<{ file_name: string; caption: string; split: string }> {
  return images.flatMap((i) =>
    (i.captions.length ? i.captions : ['']).map((caption) => ({
      file_name: i.name,
      caption,
      split: i.split ?? '',
    })),
  );
}

export function writeJsonl(images: readonly ExportImage[]): ExportFile[] {
  const text = rowsOf(images)
    .map((r) => JSON.stringify(r.split ? r : { file_name: r.file_name, caption: r.caption }) + '\n')
    .join('');
  return [{ name: JSONL_FILE, text }];
}

/**
 * The CSV file: cells that a spreadsheet would run as a formula get a leading `'` (taken off again
 * on import) unless `raw` asks for the cells exactly as they are.
 */
export function writeCsvDataset(images: readonly ExportImage[], opts: { raw?: boolean } = {}): ExportFile[] {
  const cell = opts.raw ? (v: string) => v : neutraliseCell;
  const rows = rowsOf(images).map((r) => [r.file_name, r.caption, r.split].map(cell));
  return [{ name: CSV_FILE, text: writeCsv([['file_name', 'caption', 'split'], ...rows]) }];
}
