// Runs page state: the runs, the ones chosen for comparison with their detail, live progress from
// job.progress events and metric points from run.changed events (pushed by the server or the main
// process: nothing polls), the chosen runs' test images, and the library's split (the Runs page and
// the Library's split control).
import { SvelteSet } from 'svelte/reactivity';
import type {
  AssignSplitsArgs,
  ImageMetric,
  MetricPoint,
  RunChange,
  RunDetail,
  RunExportResult,
  RunSummary,
  RunTestImages,
  SplitSummary,
} from '../../../shared/types';
import type { Client } from './client';

export interface Progress {
  done: number;
  total: number;
  message: string;
}

/** "1st", "2nd", "3rd", "4th"… */
export const ordinal = (n: number): string => {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
};

/** What a run's status means to a person: "queued (2nd in line)" for a waiting run. */
export const statusText = (r: RunSummary): string =>
  r.status === 'queued' && r.queuePosition ? `queued (${ordinal(r.queuePosition)} in line)` : r.status;

export class RunsState {
  runs = $state.raw<RunSummary[]>([]);
  details = $state.raw<Record<number, RunDetail>>({});
  readonly chosen = new SvelteSet<number>();
  progress = $state<Record<string, Progress>>({});
  splits = $state.raw<SplitSummary | null>(null);
  error = $state<string | null>(null);
  /** The chosen runs' test images, worst first (loaded on demand). */
  testImages = $state.raw<RunTestImages | null>(null);

  constructor(private readonly client: Client) {}

  async refresh(): Promise<void> {
    try {
      this.runs = await this.client.call('runs.list', {});
      const got = await Promise.all([...this.chosen].map((runId) => this.client.call('runs.get', { runId })));
      this.details = Object.fromEntries(got.map((d) => [d.id, d]));
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  /** Follows training while the page shows, by events only; returns the function that stops it. */
  watch(): () => void {
    void this.refresh();
    void this.loadSplits();
    const offProgress = this.client.on('job.progress', (p) => {
      if (p.kind !== 'train') return;
      this.progress = { ...this.progress, [p.jobId]: { done: p.done, total: p.total, message: p.message } };
    });
    const offRun = this.client.on('run.changed', (c) => this.apply(c));
    return () => {
      offProgress();
      offRun();
    };
  }

  /** A pushed change: new metric points extend the run's curves in place; a status change reloads. */
  apply(c: RunChange): void {
    const d = this.details[c.runId];
    if (c.metrics?.length && d) {
      // A detail loaded after the worker wrote a point already has it: keep one of each.
      const key = (m: MetricPoint) => `${m.split}/${m.name}/${m.epoch}/${m.step}`;
      const have = Object.fromEntries(d.metrics.map((m) => [key(m), true]));
      const fresh = c.metrics.filter((m) => !have[key(m)]);
      if (fresh.length)
        this.details = { ...this.details, [c.runId]: { ...d, metrics: [...d.metrics, ...fresh] } };
    }
    // A validation point is one more epoch done: the table's count follows without a reload.
    const epoch = Math.max(0, ...(c.metrics ?? []).filter((m) => m.split === 'val').map((m) => m.epoch ?? 0));
    if (epoch)
      this.runs = this.runs.map((r) => (r.id === c.runId && r.epochs < epoch ? { ...r, epochs: epoch } : r));
    if (c.status === 'deleted') {
      this.chosen.delete(c.runId);
      this.runs = this.runs.filter((r) => r.id !== c.runId);
      const { [c.runId]: _gone, ...rest } = this.details;
      void _gone;
      this.details = rest;
    } else if (c.status) void this.refresh();
  }

  /** The chosen runs' test images with each run's caption and scores, worst first by `metric`. */
  async loadTestImages(metric: ImageMetric = 'ciderD'): Promise<void> {
    const runIds = [...this.chosen];
    if (runIds.length === 0) {
      this.testImages = null;
      return;
    }
    try {
      this.testImages = await this.client.call('runs.testImages', { runIds, metric });
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  /** Deletes an ended run and its checkpoints folder (the caller has asked the user first). */
  async remove(runId: number): Promise<boolean> {
    try {
      await this.client.call('runs.delete', { runId });
      this.apply({ runId, status: 'deleted' });
      return true;
    } catch (e) {
      this.error = (e as Error).message;
      return false;
    }
  }

  async exportModel(runId: number, out: string): Promise<RunExportResult> {
    return this.client.call('runs.export', { runId, out });
  }

  /** A run with its settings (to train again with them), or null with the error shown. */
  async detailOf(runId: number): Promise<RunDetail | null> {
    try {
      return this.details[runId] ?? (await this.client.call('runs.get', { runId }));
    } catch (e) {
      this.error = (e as Error).message;
      return null;
    }
  }

  toggle(id: number): void {
    if (this.chosen.has(id)) this.chosen.delete(id);
    else this.chosen.add(id);
    void this.refresh();
  }

  /** Compared runs tested on different images (their scores are not comparable). */
  testSetsDiffer = (): boolean => {
    const sets = this.runs.filter((r) => this.chosen.has(r.id) && r.data).map((r) => r.data!.testSet);
    return sets.some((s) => s !== sets[0]);
  };

  async loadSplits(collectionId?: number): Promise<void> {
    try {
      this.splits = await this.client.call('library.splitCounts', { collectionId });
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  async assignSplits(args: AssignSplitsArgs): Promise<{ changed: number }> {
    const r = await this.client.call('library.assignSplits', args);
    await this.loadSplits(args.collectionId);
    return r;
  }
}
