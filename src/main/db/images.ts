// Images repository: insert by content hash, relink moved files, list with filters and FTS search.
import type { Statement } from 'better-sqlite3';
import type { Db } from './connection';
import type { ImageRecord, ListQuery, Split, SplitSummary } from '../../shared/types';
import { toImage, type ImageRow } from './rows';

export interface NewImage {
  hash: string;
  path: string;
  width: number;
  height: number;
  split?: Split | null;
}

/** Turns free text into a safe FTS5 query: every word a quoted prefix term, all required. */
export function ftsQuery(search: string): string | null {
  const words = search.match(/[\p{L}\p{N}_']+/gu) ?? [];
  if (words.length === 0) return null;
  return words.map((w) => `"${w.replace(/"/g, '""')}"*`).join(' ');
}

/**
 * The emoji and other pictographs of a search: the FTS tokenizer drops them (they are not letters
 * or digits), so they are matched in the caption text as they are.
 */
export function symbolsOf(search: string): string[] {
  return (
    search.match(
      /(?:\p{Extended_Pictographic}|\p{Regional_Indicator})(?:\u200d|\ufe0f|\p{Extended_Pictographic}|\p{Emoji_Modifier})*/gu,
    ) ?? []
  );
}

/** The file name of a path (after the last / or \\), lower-cased: what a file-name search matches. */
const fileName = (path: string): string =>
  path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1).toLowerCase();

/** Matches every image when @col is null, else the images of collection @col. */
const IN_COLLECTION = `(@col IS NULL OR i.id IN (SELECT image_id FROM collection_images WHERE collection_id = @col))`;

const WORDS = `(length(trim(c.text)) - length(replace(trim(c.text), ' ', '')) + 1)`;

export class ImagesRepo {
  private readonly s;
  constructor(private readonly db: Db) {
    db.function('cs_file_name', { deterministic: true }, (p: unknown) => fileName(String(p)));
    this.s = {
      insert: db.prepare<[string, string, number, number, string | null, number], void>(
        'INSERT INTO images (hash, path, width, height, split, added_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      byHash: db.prepare<[string], ImageRow>('SELECT * FROM images WHERE hash = ?'),
      byId: db.prepare<[number], ImageRow>('SELECT * FROM images WHERE id = ?'),
      relink: db.prepare<[string, number], void>('UPDATE images SET path = ? WHERE id = ?'),
      setSplit: db.prepare<[string | null, number], void>('UPDATE images SET split = ? WHERE id = ?'),
      remove: db.prepare<[number], void>('DELETE FROM images WHERE id = ?'),
      count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM images'),
      page: db.prepare<[number, number], ImageRow>('SELECT * FROM images ORDER BY id LIMIT ? OFFSET ?'),
      allIds: db.prepare('SELECT id FROM images ORDER BY id').pluck(),
      byIds: db.prepare<[string], ImageRow>(
        'SELECT * FROM images WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id',
      ),
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
      totalChanges: db.prepare('SELECT total_changes()').pluck(),
      pathsUnder: db.prepare<[string], string>('SELECT path FROM images WHERE instr(path, ?) = 1').pluck(),
      splits: db.prepare<[{ col: number | null }], { id: number; hash: string; split: Split | null }>(
        `SELECT id, hash, split FROM images i WHERE ${IN_COLLECTION} ORDER BY id`,
      ),
      splitCounts: db.prepare<
        [{ col: number | null }],
        { split: Split | 'none'; n: number; approved: number }
      >(
        `SELECT coalesce(i.split, 'none') AS split, count(*) AS n,
           sum(EXISTS (SELECT 1 FROM captions c WHERE c.image_id = i.id AND c.status = 'approved')) AS approved
         FROM images i WHERE ${IN_COLLECTION} GROUP BY 1`,
      ),
      under: db
        .prepare<[string, number, string], string>(
          'SELECT path FROM images WHERE path = ? OR substr(path, 1, ?) = ? ORDER BY path LIMIT 1',
        )
        .pluck(),
    };
  }

  /** Inserts an image, or returns the existing one with the same content hash. */
  upsert(img: NewImage, now = Date.now()): { image: ImageRecord; created: boolean } {
    const existing = this.s.byHash.get(img.hash);
    if (existing) return { image: toImage(existing), created: false };
    const info = this.s.insert.run(img.hash, img.path, img.width, img.height, img.split ?? null, now);
    return { image: toImage(this.s.byId.get(Number(info.lastInsertRowid))!), created: true };
  }

  get(id: number): ImageRecord | null {
    const r = this.s.byId.get(id);
    return r ? toImage(r) : null;
  }

  byHash(hash: string): ImageRecord | null {
    const r = this.s.byHash.get(hash);
    return r ? toImage(r) : null;
  }

  /** The paths of library images whose path starts with `prefix` (a folder ending in a separator). */
  pathsUnder(prefix: string): string[] {
    return this.s.pathsUnder.all(prefix);
  }

  relink(id: number, path: string): void {
    this.s.relink.run(path, id);
  }

  setSplit(id: number, split: Split | null): void {
    this.s.setSplit.run(split, id);
  }

  remove(ids: number[]): number {
    let n = 0;
    this.db.transaction(() => {
      for (const id of ids) n += Number(this.s.remove.run(id).changes);
    })();
    return n;
  }

  /** Every image's id, content hash and split (of one collection when given), for assigning splits. */
  splits(collectionId: number | null = null): { id: number; hash: string; split: Split | null }[] {
    return this.s.splits.all({ col: collectionId });
  }

  /** Images per split ('none': without one), and how many of them have an approved caption. */
  splitCounts(collectionId: number | null = null): SplitSummary {
    const zero = () => ({ train: 0, val: 0, test: 0, none: 0 });
    const out: SplitSummary = { collectionId, images: zero(), approved: zero() };
    for (const r of this.s.splitCounts.all({ col: collectionId })) {
      out.images[r.split] = r.n;
      out.approved[r.split] = r.approved;
    }
    return out;
  }

  /** The path of an image whose file is `dir` or inside it (compared as text), or null. */
  pathUnder(dir: string, sep: string): string | null {
    const prefix = dir.endsWith(sep) ? dir : dir + sep;
    return this.s.under.get(dir, prefix.length, prefix) ?? null;
  }

  count(): number {
    return this.s.count.get()!.n;
  }

  private readonly cache = new Map<string, Statement>();
  /** Ids matching recent filtered queries, with the database version they were read at. */
  private readonly matches = new Map<string, { version: string; ids: number[] }>();

  /** Changes when this connection or any other commits (data_version counts the others'). */
  private version(): string {
    return `${this.s.dataVersion.get()}:${this.s.totalChanges.get()}`;
  }
  /** A statement per distinct filter combination, prepared once. */
  private stmt(sql: string): Statement {
    let st = this.cache.get(sql);
    if (!st) this.cache.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  /** Lists images matching the query, newest last, with the total count for pagination. */
  list(q: ListQuery): { ids: number[]; total: number; images: ImageRecord[] } {
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
    const offset = Math.max(q.offset ?? 0, 0);
    const all = this.matching(q);
    // Without filters, count and page straight from the table; with filters, the matching ids are
    // computed once and kept until the database changes, so scrolling a search pages from memory.
    if (all === 'everything') {
      const rows = this.s.page.all(limit, offset);
      return { ids: rows.map((r) => r.id), total: this.count(), images: rows.map(toImage) };
    }
    const pageIds = all.slice(offset, offset + limit);
    const rows = this.s.byIds.all(JSON.stringify(pageIds));
    return { ids: pageIds, total: all.length, images: rows.map(toImage) };
  }

  /** Every id matching the query (filters only; offset and limit are ignored), in list order. */
  ids(q: ListQuery): number[] {
    const all = this.matching(q);
    return all === 'everything' ? (this.s.allIds.all() as number[]) : all.slice();
  }

  /** The ids a filtered query matches (cached until the database changes), or 'everything'. */
  private matching(q: ListQuery): readonly number[] | 'everything' {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    // A search matches caption text (every word, as a prefix) or the file name (every word in it),
    // and every emoji it holds in the caption text.
    const fts = q.search ? ftsQuery(q.search) : null;
    const symbols = q.search ? symbolsOf(q.search) : [];
    if (q.search && !fts && symbols.length === 0) return [];
    if (fts) {
      const words = q.search!.match(/[\p{L}\p{N}_'.-]+/gu) ?? [];
      const inName = words.map((w, k) => {
        params[`name${k}`] = w.toLowerCase();
        return `instr(cs_file_name(i.path), @name${k}) > 0`;
      });
      where.push(
        `(i.id IN (SELECT c.image_id FROM captions_fts f JOIN captions c ON c.id = f.rowid WHERE captions_fts MATCH @fts)
          OR (${inName.join(' AND ')}))`,
      );
      params.fts = fts;
    }
    symbols.forEach((sym, k) => {
      where.push(`EXISTS (SELECT 1 FROM captions c WHERE c.image_id = i.id AND instr(c.text, @sym${k}) > 0)`);
      params[`sym${k}`] = sym;
    });
    if (q.status === 'uncaptioned')
      where.push('NOT EXISTS (SELECT 1 FROM captions c WHERE c.image_id = i.id)');
    else if (q.status) {
      where.push('EXISTS (SELECT 1 FROM captions c WHERE c.image_id = i.id AND c.status = @status)');
      params.status = q.status;
    }
    if (q.split === 'none') where.push('i.split IS NULL');
    else if (q.split) {
      where.push('i.split = @split');
      params.split = q.split;
    }
    if (q.collectionId !== undefined) {
      where.push('i.id IN (SELECT image_id FROM collection_images WHERE collection_id = @collectionId)');
      params.collectionId = q.collectionId;
    }
    if (q.imageIds) {
      where.push('i.id IN (SELECT value FROM json_each(@imageIds))');
      params.imageIds = JSON.stringify(q.imageIds);
    }
    if (q.source) {
      where.push('EXISTS (SELECT 1 FROM captions c WHERE c.image_id = i.id AND c.source = @source)');
      params.source = q.source;
    }
    if (q.minCaptionLength !== undefined || q.maxCaptionLength !== undefined) {
      where.push(
        `EXISTS (SELECT 1 FROM captions c WHERE c.image_id = i.id AND ${WORDS} BETWEEN @minLen AND @maxLen)`,
      );
      params.minLen = q.minCaptionLength ?? 0;
      params.maxLen = q.maxCaptionLength ?? 1e9;
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    // The WHERE clause is assembled only from the fixed fragments above; every value is bound.
    if (!clause) return 'everything';
    const sql = `SELECT i.id FROM images i ${clause} ORDER BY i.id`;
    const key = `${sql}\n${JSON.stringify(params)}`;
    const version = this.version();
    let hit = this.matches.get(key);
    if (!hit || hit.version !== version) {
      hit = { version, ids: this.stmt(sql).pluck().all(params) as number[] };
      this.matches.delete(key);
      this.matches.set(key, hit);
      if (this.matches.size > 16) this.matches.delete(this.matches.keys().next().value!);
    }
    return hit.ids;
  }
}
