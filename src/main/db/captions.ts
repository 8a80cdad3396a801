// Captions repository: every change writes caption_history; user actions are grouped into
// edit_ops, the unit of undo and redo; an undo or redo writes an entry of its own per change it moves.
import type { Db } from './connection';
import { AppError } from '../../shared/result';
import type {
  Caption,
  CaptionScope,
  CaptionSource,
  CaptionStatus,
  HistoryEntry,
  HistoryKind,
  UndoResult,
} from '../../shared/types';
import { toCaption, toHistory, type CaptionRow, type HistoryRow } from './rows';

export interface NewCaption {
  imageId: number;
  text: string;
  status?: CaptionStatus;
  source?: CaptionSource;
  runId?: number | null;
}

interface HistoryOfImageRow extends HistoryRow {
  undone: number;
  target_kind: HistoryKind | null;
  target_label: string | null;
}

interface OpRow {
  id: number;
  label: string;
  undone: number;
}

/** One approved caption of an image that has a split (what training reads). */
export interface ApprovedCaption {
  id: number;
  hash: string;
  path: string;
  split: 'train' | 'val' | 'test';
  text: string;
}

export class CaptionsRepo {
  private readonly s;
  constructor(private readonly db: Db) {
    this.s = {
      // the one query for "approved captions of the images with a split" (of a collection, or all)
      approved: db.prepare<[number | null, number | null], ApprovedCaption>(
        `SELECT i.id, i.hash, i.path, i.split, c.text FROM images i JOIN captions c ON c.image_id = i.id
         WHERE c.status = 'approved' AND i.split IS NOT NULL
           AND (? IS NULL OR i.id IN (SELECT image_id FROM collection_images WHERE collection_id = ?))
         ORDER BY i.id, c.position, c.id`,
      ),
      byId: db.prepare<[number], CaptionRow>('SELECT * FROM captions WHERE id = ?'),
      byImage: db.prepare<[number], CaptionRow>(
        'SELECT * FROM captions WHERE image_id = ? ORDER BY position, id',
      ),
      byImages: db.prepare<[string], CaptionRow>(
        'SELECT * FROM captions WHERE image_id IN (SELECT value FROM json_each(?)) ORDER BY position, id',
      ),
      scopeAll: db.prepare<[string | null, string | null], CaptionRow>(
        'SELECT * FROM captions WHERE (? IS NULL OR status = ?) ORDER BY image_id, position, id',
      ),
      scopeCollection: db.prepare<[number, string | null, string | null], CaptionRow>(
        `SELECT c.* FROM captions c JOIN collection_images ci ON ci.image_id = c.image_id
         WHERE ci.collection_id = ? AND (? IS NULL OR c.status = ?) ORDER BY c.image_id, c.position, c.id`,
      ),
      scopeImages: db.prepare<[string, string | null, string | null], CaptionRow>(
        `SELECT * FROM captions WHERE image_id IN (SELECT value FROM json_each(?)) AND (? IS NULL OR status = ?)
         ORDER BY image_id, position, id`,
      ),
      nextPos: db.prepare<[number], { p: number }>(
        'SELECT coalesce(max(position) + 1, 0) AS p FROM captions WHERE image_id = ?',
      ),
      insert: db.prepare(
        `INSERT INTO captions (id, image_id, text, source, run_id, status, position, created_at, updated_at)
         VALUES (@id, @image_id, @text, @source, @run_id, @status, @position, @created_at, @updated_at)`,
      ),
      setText: db.prepare<[string, number, number], void>(
        'UPDATE captions SET text = ?, updated_at = ? WHERE id = ?',
      ),
      setStatus: db.prepare<[string, number, number], void>(
        'UPDATE captions SET status = ?, updated_at = ? WHERE id = ?',
      ),
      remove: db.prepare<[number], void>('DELETE FROM captions WHERE id = ?'),
      imageExists: db.prepare<[number], { id: number }>('SELECT id FROM images WHERE id = ?'),
      history: db.prepare(
        `INSERT INTO caption_history (op_id, caption_id, image_id, kind, old_text, new_text, old_status, new_status,
           source, run_id, position, at, target_id)
         VALUES (@op_id, @caption_id, @image_id, @kind, @old_text, @new_text, @old_status, @new_status,
           @source, @run_id, @position, @at, @target_id)`,
      ),
      historyOfImage: db.prepare<[number], HistoryOfImageRow>(
        `SELECT h.*, coalesce(o.undone, 0) AS undone, t.kind AS target_kind, tp.label AS target_label
         FROM caption_history h LEFT JOIN edit_ops o ON o.id = h.op_id
           LEFT JOIN caption_history t ON t.id = h.target_id LEFT JOIN edit_ops tp ON tp.id = t.op_id
         WHERE h.image_id = ? ORDER BY h.id DESC`,
      ),
      historyById: db.prepare<[number], HistoryRow>('SELECT * FROM caption_history WHERE id = ?'),
      historyOfOp: db.prepare<[number], HistoryRow>(
        'SELECT * FROM caption_history WHERE op_id = ? ORDER BY id',
      ),
      newOp: db.prepare<[string, number], void>('INSERT INTO edit_ops (label, created_at) VALUES (?, ?)'),
      supersede: db.prepare('UPDATE edit_ops SET undone = 2 WHERE undone = 1'),
      lastDone: db.prepare<[], OpRow>('SELECT * FROM edit_ops WHERE undone = 0 ORDER BY id DESC LIMIT 1'),
      firstUndone: db.prepare<[], OpRow>('SELECT * FROM edit_ops WHERE undone = 1 ORDER BY id ASC LIMIT 1'),
      lastUndone: db.prepare<[], OpRow>('SELECT * FROM edit_ops WHERE undone = 1 ORDER BY id DESC LIMIT 1'),
      markOp: db.prepare<[number, number], void>('UPDATE edit_ops SET undone = ? WHERE id = ?'),
    };
  }
  /** Approved captions of the images that have a split (optionally of one collection), image by image. */
  approvedOfSplits(collectionId: number | null = null): ApprovedCaption[] {
    return this.s.approved.all(collectionId, collectionId);
  }

  get(id: number): Caption | null {
    const r = this.s.byId.get(id);
    return r ? toCaption(r) : null;
  }

  ofImage(imageId: number): Caption[] {
    return this.s.byImage.all(imageId).map(toCaption);
  }

  /** Captions of many images at once, grouped by image id (one query per call). */
  ofImages(imageIds: number[]): Map<number, Caption[]> {
    const out = new Map<number, Caption[]>(imageIds.map((id) => [id, []]));
    if (imageIds.length === 0) return out;
    const rows = this.s.byImages.all(JSON.stringify(imageIds));
    for (const r of rows) out.get(r.image_id)?.push(toCaption(r));
    return out;
  }

  /** How many captions the library holds (every status). */
  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM captions').get() as { n: number }).n;
  }

  /** The captions a batch operation covers, optionally only those with one status. */
  inScope(scope: CaptionScope, status?: CaptionStatus): Caption[] {
    const st = status ?? null;
    const rows =
      scope.kind === 'all'
        ? this.s.scopeAll.all(st, st)
        : scope.kind === 'collection'
          ? this.s.scopeCollection.all(scope.collectionId, st, st)
          : this.s.scopeImages.all(JSON.stringify(scope.imageIds), st, st);
    return rows.map(toCaption);
  }

  /**
   * Runs `fn` as one undoable user action labelled `label`; every change inside it is recorded
   * under that action. Starting a new action drops the redo stack (the undone actions stay in the
   * history, marked superseded).
   */
  action<T>(label: string, fn: (opId: number) => T): T {
    return this.db
      .transaction(() => {
        this.s.supersede.run();
        const opId = Number(this.s.newOp.run(label, Date.now()).lastInsertRowid);
        return fn(opId);
      })
      .immediate();
  }

  /** Adds a caption. opId null: not an undoable step (imports, model drafts). */
  add(c: NewCaption, opId: number | null): Caption {
    if (!this.s.imageExists.get(c.imageId))
      throw new AppError('not_found', `There is no image ${c.imageId}.`);
    const now = Date.now();
    const row: CaptionRow = {
      id: undefined as unknown as number,
      image_id: c.imageId,
      text: c.text,
      source: c.source ?? 'human',
      run_id: c.runId ?? null,
      status: c.status ?? 'draft',
      position: this.s.nextPos.get(c.imageId)!.p,
      created_at: now,
      updated_at: now,
    };
    const id = Number(this.s.insert.run({ ...row, id: null }).lastInsertRowid);
    const created = { ...row, id };
    this.record(opId, 'create', created, null, created.text, null, created.status);
    return toCaption(created);
  }

  edit(captionId: number, text: string, opId: number | null): Caption {
    const cur = this.require(captionId);
    if (cur.text === text) return toCaption(cur);
    this.s.setText.run(text, Date.now(), captionId);
    this.record(opId, 'edit', cur, cur.text, text, null, null);
    return toCaption(this.s.byId.get(captionId)!);
  }

  setStatus(captionId: number, status: CaptionStatus, opId: number | null): Caption {
    const cur = this.require(captionId);
    if (cur.status === status) return toCaption(cur);
    this.s.setStatus.run(status, Date.now(), captionId);
    this.record(opId, 'status', cur, null, null, cur.status, status);
    return toCaption(this.s.byId.get(captionId)!);
  }

  remove(captionId: number, opId: number | null): void {
    const cur = this.require(captionId);
    this.s.remove.run(captionId);
    this.record(opId, 'delete', cur, cur.text, null, cur.status, null);
  }

  /** Brings a caption back to the text of a history entry (re-creating it if it was deleted). */
  restore(historyId: number, opId: number): Caption {
    const h = this.s.historyById.get(historyId);
    if (!h) throw new AppError('not_found', `There is no history entry ${historyId}.`);
    const text = h.new_text ?? h.old_text;
    if (text === null)
      throw new AppError('invalid_argument', `History entry ${historyId} holds no text to restore.`);
    const cur = this.s.byId.get(h.caption_id);
    if (cur) {
      if (cur.text === text) return toCaption(cur);
      this.s.setText.run(text, Date.now(), cur.id);
      this.record(opId, 'restore', cur, cur.text, text, null, null);
      return toCaption(this.s.byId.get(cur.id)!);
    }
    if (!this.s.imageExists.get(h.image_id))
      throw new AppError('not_found', `The image of that caption was removed.`);
    const now = Date.now();
    const status = h.old_status ?? h.new_status ?? 'draft';
    const row: CaptionRow = { ...this.snapshot(h), text, status, created_at: now, updated_at: now };
    this.s.insert.run(row);
    this.record(opId, 'create', row, null, text, null, status);
    return toCaption(row);
  }

  history(imageId: number): HistoryEntry[] {
    // A step that was undone stays in the history, marked undone (it comes back unmarked on redo);
    // the undo and the redo are entries of their own, naming the entry they acted on.
    return this.s.historyOfImage.all(imageId).map((r) => {
      const e: HistoryEntry = { ...toHistory(r), undone: r.undone !== 0 };
      if (r.target_id !== null && r.target_kind !== null)
        e.target = { id: r.target_id, kind: r.target_kind, label: r.target_label };
      return e;
    });
  }

  undo(): UndoResult {
    return this.db
      .transaction((): UndoResult => {
        const op = this.s.lastDone.get();
        if (!op) return { opId: null, label: null, imageIds: [] };
        const rows = this.s.historyOfOp.all(op.id);
        for (const h of [...rows].reverse()) this.revert(h);
        this.s.markOp.run(1, op.id);
        return { opId: op.id, label: op.label, imageIds: [...new Set(rows.map((r) => r.image_id))] };
      })
      .immediate();
  }

  redo(): UndoResult {
    return this.db
      .transaction((): UndoResult => {
        // The redo stack is the undone actions in reverse order of undoing: the oldest one undone
        // last is the next to redo, i.e. the lowest id among the undone.
        const op = this.s.firstUndone.get();
        if (!op) return { opId: null, label: null, imageIds: [] };
        const rows = this.s.historyOfOp.all(op.id);
        for (const h of rows) this.reapply(h);
        this.s.markOp.run(0, op.id);
        return { opId: op.id, label: op.label, imageIds: [...new Set(rows.map((r) => r.image_id))] };
      })
      .immediate();
  }

  canRedo(): boolean {
    return this.s.lastUndone.get() !== undefined;
  }

  private require(id: number): CaptionRow {
    const r = this.s.byId.get(id);
    if (!r) throw new AppError('not_found', `There is no caption ${id}; it may have been deleted.`);
    return r;
  }

  private record(
    opId: number | null,
    kind: HistoryKind,
    c: Pick<CaptionRow, 'id' | 'image_id' | 'source' | 'run_id' | 'position'>,
    oldText: string | null,
    newText: string | null,
    oldStatus: CaptionStatus | null,
    newStatus: CaptionStatus | null,
    targetId: number | null = null,
  ): void {
    this.s.history.run({
      op_id: opId,
      caption_id: c.id,
      image_id: c.image_id,
      kind,
      old_text: oldText,
      new_text: newText,
      old_status: oldStatus,
      new_status: newStatus,
      source: c.source,
      run_id: c.run_id,
      position: c.position,
      at: Date.now(),
      target_id: targetId,
    });
  }

  /**
   * Records what an undo or redo did to one caption, as an entry of its own pointing at the entry
   * `h` whose change it took back or made again (not part of any step: op_id is null).
   */
  private recordMove(
    kind: 'undo' | 'redo',
    h: HistoryRow,
    oldText: string | null,
    newText: string | null,
    oldStatus: CaptionStatus | null,
    newStatus: CaptionStatus | null,
  ): void {
    this.record(null, kind, this.snapshot(h), oldText, newText, oldStatus, newStatus, h.id);
  }

  private snapshot(h: HistoryRow): Omit<CaptionRow, 'text' | 'status' | 'created_at' | 'updated_at'> {
    return {
      id: h.caption_id,
      image_id: h.image_id,
      source: h.source,
      run_id: h.run_id,
      position: h.position,
    };
  }

  private conflict(h: HistoryRow): never {
    throw new AppError(
      'conflict',
      `Caption ${h.caption_id} changed outside the undo history since that step; nothing was undone.`,
    );
  }

  /** Takes back the change of `h` (an undo) and records what it did to the caption. */
  private revert(h: HistoryRow): void {
    const now = Date.now();
    const cur = this.s.byId.get(h.caption_id);
    switch (h.kind) {
      case 'create':
        if (!cur) this.conflict(h);
        this.s.remove.run(h.caption_id);
        this.recordMove('undo', h, cur.text, null, cur.status, null);
        return;
      case 'delete':
        if (cur) this.conflict(h);
        this.s.insert.run({
          ...this.snapshot(h),
          text: h.old_text!,
          status: h.old_status!,
          created_at: now,
          updated_at: now,
        });
        this.recordMove('undo', h, null, h.old_text, null, h.old_status);
        return;
      case 'edit':
      case 'restore':
        if (!cur || cur.text !== h.new_text) this.conflict(h);
        this.s.setText.run(h.old_text!, now, h.caption_id);
        this.recordMove('undo', h, cur.text, h.old_text, null, null);
        return;
      case 'status':
        if (!cur || cur.status !== h.new_status) this.conflict(h);
        this.s.setStatus.run(h.old_status!, now, h.caption_id);
        this.recordMove('undo', h, null, null, cur.status, h.old_status);
        return;
      case 'undo':
      case 'redo':
        // Never part of a step (their op_id is null), so never taken back themselves.
        return;
    }
  }

  /** Makes the change of `h` again (a redo) and records what it did to the caption. */
  private reapply(h: HistoryRow): void {
    const now = Date.now();
    const cur = this.s.byId.get(h.caption_id);
    switch (h.kind) {
      case 'create':
        if (cur) this.conflict(h);
        this.s.insert.run({
          ...this.snapshot(h),
          text: h.new_text!,
          status: h.new_status!,
          created_at: now,
          updated_at: now,
        });
        this.recordMove('redo', h, null, h.new_text, null, h.new_status);
        return;
      case 'delete':
        if (!cur) this.conflict(h);
        this.s.remove.run(h.caption_id);
        this.recordMove('redo', h, cur.text, null, cur.status, null);
        return;
      case 'edit':
      case 'restore':
        if (!cur || cur.text !== h.old_text) this.conflict(h);
        this.s.setText.run(h.new_text!, now, h.caption_id);
        this.recordMove('redo', h, cur.text, h.new_text, null, null);
        return;
      case 'status':
        if (!cur || cur.status !== h.old_status) this.conflict(h);
        this.s.setStatus.run(h.new_status!, now, h.caption_id);
        this.recordMove('redo', h, null, null, cur.status, h.new_status);
        return;
      case 'undo':
      case 'redo':
        return;
    }
  }
}
