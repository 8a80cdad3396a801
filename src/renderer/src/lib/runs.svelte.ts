// Runs page state: the runs, the ones chosen for comparison with their detail, live progress from
// job.progress events, and the library's split (the Runs page and the Library's split control).
import { SvelteSet } from 'svelte/reactivity';
import type { AssignSplitsArgs, RunDetail, RunSummary, SplitSummary } from '../../../shared/types';
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

  /** Follows training progress while the page shows; returns the function that stops it. */
  watch(): () => void {
    void this.refresh();
    void this.loadSplits();
    const off = this.client.on('job.progress', (p) => {
      if (p.kind !== 'train') return;
      this.progress = { ...this.progress, [p.jobId]: { done: p.done, total: p.total, message: p.message } };
      if (p.done === p.total) void this.refresh();
    });
    const timer = setInterval(() => void this.refresh(), 5000);
    return () => {
      off();
      clearInterval(timer);
    };
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
