// The message protocol between a job's parent and its worker process: discriminated unions, every
// message numbered (`seq`, per sender) so a log of them reads in order and a lost one shows.
import type { ApiErrorData } from '../../../shared/result';
import type { CaptionArgs, GeneratedCaption, MetricPoint, RunWarningInfo } from '../../../shared/types';

export type Job = { type: 'train'; dbPath: string; runId: number; resume: boolean };

export type ToWorker = { seq: number } & (
  | { type: 'start'; job: Job }
  | { type: 'cancel' }
  // The long-lived inference worker: requests answered in order by id, and a polite stop.
  | { type: 'caption'; id: number; dbPath: string; args: CaptionArgs }
  | { type: 'stop' }
);

export interface ProgressMessage {
  runId: number;
  step: number;
  totalSteps: number;
  epoch: number;
  epochs: number;
  loss: number;
  imagesPerSec: number;
  etaSeconds: number;
  message: string;
}

export type FromWorker = { seq: number } & (
  | { type: 'ready'; pid: number }
  | ({ type: 'progress' } & ProgressMessage)
  | { type: 'warning'; runId: number; warning: RunWarningInfo }
  // Metric points just written to the store (the parent pushes them to the Runs page as events).
  | { type: 'metrics'; runId: number; points: MetricPoint[] }
  | { type: 'done'; status: string }
  | { type: 'error'; error: ApiErrorData }
  // Answers of the inference worker; `loaded`: this request read the checkpoint, `loads`: how many
  // times this process has.
  | { type: 'captions'; id: number; captions: GeneratedCaption[]; loaded: boolean; loads: number }
  | { type: 'failed'; id: number; error: ApiErrorData }
);

/** A numbering sender: `send(msg)` adds the next seq. */
export function sequencer<T extends { seq: number }, R = void>(post: (m: T) => R) {
  let seq = 0;
  return (m: DistributiveOmit<T, 'seq'>): R => post({ ...m, seq: ++seq } as unknown as T);
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
