// The runs, metrics, checkpoints and test-caption tables: written by the worker through its own
// connection, read by the services. Runs whose owning process is gone are marked interrupted.
import type { Db } from './connection';
import type {
  MetricPoint,
  RunCheckpoint,
  RunData,
  RunDetail,
  RunStatus,
  RunSummary,
  RunWarningInfo,
} from '../../shared/types';

interface RunRow {
  id: number;
  model: string;
  preset: string;
  config: string;
  data_snapshot: string | null;
  backend: string | null;
  status: RunStatus;
  checkpoint_dir: string | null;
  error: string | null;
  warnings: string;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  owner_pid: number | null;
  heartbeat_at: number | null;
}

/** A process is alive when signal 0 reaches it (EPERM: alive, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class RunsRepo {
  private readonly s;
  constructor(private readonly db: Db) {
    this.s = {
      insert: db.prepare<[string, string, string, string | null, number, number], void>(
        // A new id above every run id the library has used, deleted runs included: the caption
        // history keeps the id of the run that drafted a caption (no foreign key, so it outlives
        // the run), and a reused id would name another run there.
        `INSERT INTO runs (id, model, preset, config, data_snapshot, status, created_at, owner_pid)
         VALUES (1 + max(coalesce((SELECT max(id) FROM runs), 0),
                         coalesce((SELECT max(run_id) FROM caption_history), 0)),
                 ?, ?, ?, ?, 'queued', ?, ?)`,
      ),
      byId: db.prepare<[number], RunRow>('SELECT * FROM runs WHERE id = ?'),
      all: db.prepare<[], RunRow>('SELECT * FROM runs ORDER BY id DESC'),
      live: db.prepare<[], RunRow>("SELECT * FROM runs WHERE status IN ('queued', 'running')"),
      status: db.prepare<[RunStatus, string | null, number | null, number], void>(
        'UPDATE runs SET status = ?, error = ?, ended_at = ? WHERE id = ?',
      ),
      start: db.prepare<[number, number, string, string, number], void>(
        `UPDATE runs SET status = 'running', started_at = coalesce(started_at, ?), owner_pid = ?, backend = ?,
         checkpoint_dir = ?, error = NULL, ended_at = NULL WHERE id = ?`,
      ),
      requeue: db.prepare<[number, number], void>(
        "UPDATE runs SET status = 'queued', owner_pid = ?, error = NULL, ended_at = NULL WHERE id = ?",
      ),
      heartbeat: db.prepare<[number, number], void>('UPDATE runs SET heartbeat_at = ? WHERE id = ?'),
      warnings: db.prepare<[string, number], void>('UPDATE runs SET warnings = ? WHERE id = ?'),
      metric: db.prepare<[number, number | null, number | null, string, string, number, number], void>(
        'INSERT INTO metrics (run_id, epoch, step, split, name, value, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      metrics: db.prepare<[number], MetricPoint>(
        'SELECT epoch, step, split, name, value FROM metrics WHERE run_id = ? ORDER BY id',
      ),
      dropCheckpoint: db.prepare<[number, string], void>(
        'DELETE FROM checkpoints WHERE run_id = ? AND kind = ?',
      ),
      checkpoint: db.prepare<
        [number, string, string, number | null, number | null, string | null, number],
        void
      >(
        'INSERT INTO checkpoints (run_id, kind, path, epoch, step, metric, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      checkpoints: db.prepare<[number], RunCheckpoint>(
        'SELECT kind, path, epoch, step FROM checkpoints WHERE run_id = ? ORDER BY id',
      ),
      epochs: db.prepare<[number], { n: number }>(
        "SELECT count(DISTINCT epoch) AS n FROM metrics WHERE run_id = ? AND split = 'val'",
      ),
      remove: db.prepare<[number], void>('DELETE FROM runs WHERE id = ?'),
      dropTestCaptions: db.prepare<[number], void>('DELETE FROM run_test_captions WHERE run_id = ?'),
      testCaption: db.prepare<[number, number, string, string], void>(
        'INSERT INTO run_test_captions (run_id, image_id, caption, refs) VALUES (?, ?, ?, ?)',
      ),
      testCaptions: db.prepare<[number], { imageId: number; caption: string; refs: string }>(
        'SELECT image_id AS imageId, caption, refs FROM run_test_captions WHERE run_id = ? ORDER BY image_id',
      ),
      test: db.prepare<[number], { name: string; value: number }>(
        "SELECT name, value FROM metrics WHERE run_id = ? AND split = 'test' ORDER BY id",
      ),
    };
  }

  create(model: string, preset: string, config: unknown, snapshot: unknown): number {
    const info = this.s.insert.run(
      model,
      preset,
      JSON.stringify(config),
      snapshot ? JSON.stringify(snapshot) : null,
      Date.now(),
      process.pid,
    ) as unknown as { lastInsertRowid: number | bigint };
    return Number(info.lastInsertRowid);
  }

  row(id: number): RunRow | null {
    return this.s.byId.get(id) ?? null;
  }

  markStarted(id: number, pid: number, backend: string, checkpointDir: string): void {
    this.s.start.run(Date.now(), pid, backend, checkpointDir, id);
  }

  requeue(id: number): void {
    this.s.requeue.run(process.pid, id);
  }

  setStatus(id: number, status: RunStatus, error: string | null = null): void {
    const ended = status === 'queued' || status === 'running' ? null : Date.now();
    this.s.status.run(status, error, ended, id);
  }

  heartbeat(id: number): void {
    this.s.heartbeat.run(Date.now(), id);
  }

  setWarnings(id: number, warnings: RunWarningInfo[]): void {
    this.s.warnings.run(JSON.stringify(warnings), id);
  }

  addMetrics(
    id: number,
    epoch: number | null,
    step: number | null,
    split: string,
    values: Record<string, number>,
  ): void {
    const at = Date.now();
    this.db.transaction(() => {
      for (const [name, value] of Object.entries(values))
        if (Number.isFinite(value)) this.s.metric.run(id, epoch, step, split, name, value, at);
    })();
  }

  /** Records a best/last checkpoint (one row per kind: the file is overwritten in place). */
  setCheckpoint(
    id: number,
    kind: 'best' | 'last',
    path: string,
    epoch: number,
    step: number,
    metric: string | null,
  ): void {
    this.db.transaction(() => {
      this.s.dropCheckpoint.run(id, kind);
      this.s.checkpoint.run(id, kind, path, epoch, step, metric, Date.now());
    })();
  }

  /** Replaces the run's captions of its test images (and the references they were scored against). */
  setTestCaptions(
    id: number,
    rows: ReadonlyArray<{ imageId: number; caption: string; refs: string[] }>,
  ): void {
    this.db.transaction(() => {
      this.s.dropTestCaptions.run(id);
      for (const r of rows) this.s.testCaption.run(id, r.imageId, r.caption, JSON.stringify(r.refs));
    })();
  }

  /** The run's stored test captions by image id (images removed from the library since are gone). */
  testCaptions(id: number): Array<{ imageId: number; caption: string; refs: string[] }> {
    return this.s.testCaptions
      .all(id)
      .map((r) => ({ imageId: r.imageId, caption: r.caption, refs: JSON.parse(r.refs) as string[] }));
  }

  /** Deletes the run's row; its metrics, checkpoints rows and test captions go with it (cascade). */
  remove(id: number): boolean {
    return (this.s.remove.run(id) as unknown as { changes: number }).changes > 0;
  }

  /** Queued or running runs whose owning process is gone become interrupted; returns their ids. */
  markOrphans(alive: (pid: number) => boolean = processAlive): number[] {
    const gone = this.s.live.all().filter((r) => r.owner_pid === null || !alive(r.owner_pid));
    for (const r of gone)
      this.s.status.run(
        'interrupted',
        'The worker stopped before the run ended; resume it to continue.',
        Date.now(),
        r.id,
      );
    return gone.map((r) => r.id);
  }

  summary(r: RunRow): RunSummary {
    const test: Record<string, number> = {};
    for (const m of this.s.test.all(r.id)) test[m.name] = m.value;
    const config = JSON.parse(r.config) as { seed?: unknown };
    const snap = (r.data_snapshot ? JSON.parse(r.data_snapshot) : {}) as Partial<RunData>;
    return {
      id: r.id,
      model: r.model,
      preset: r.preset,
      status: r.status,
      createdAt: r.created_at,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      epochs: this.s.epochs.get(r.id)!.n,
      test,
      warnings: JSON.parse(r.warnings) as RunWarningInfo[],
      error: r.error,
      checkpointDir: r.checkpoint_dir,
      backend: r.backend,
      seed: typeof config.seed === 'number' ? config.seed : null,
      data:
        typeof snap.testSet === 'string'
          ? { train: snap.train ?? 0, val: snap.val ?? 0, test: snap.test ?? 0, testSet: snap.testSet }
          : null,
    };
  }

  list(): RunSummary[] {
    return this.s.all.all().map((r) => this.summary(r));
  }

  get(id: number): RunDetail | null {
    const r = this.row(id);
    if (!r) return null;
    return {
      ...this.summary(r),
      config: JSON.parse(r.config) as Record<string, unknown>,
      dataSnapshot: r.data_snapshot ? (JSON.parse(r.data_snapshot) as Record<string, unknown>) : null,
      metrics: this.s.metrics.all(id),
      checkpoints: this.s.checkpoints.all(id),
    };
  }
}
