// The trainer's public types: what train() reports through its hooks (steps, epochs, checkpoints,
// warnings, phases), the options of a call, and the result of a run.
import type { CaptionTokenizer } from '../../text/tokenizer';
import type { CheckpointKind, EpochRecord, TrainerPosition } from './checkpoint';
import type { RunWarning } from './guardrails';

export interface StepProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  lr: number;
  imagesPerSec: number;
  etaSeconds: number;
}

export interface TestResult {
  images: number;
  loss: number;
  perplexity: number;
  metrics: Record<string, number>;
  /** Greedy caption per image key. */
  captions: Record<string, string>;
}

export interface TrainResult {
  status: 'completed' | 'early-stopped' | 'cancelled' | 'failed';
  error: string | null;
  position: TrainerPosition;
  test: TestResult | null;
  /** The model's tokenizer (a run's word vocabulary, or the pretrained one). */
  tokenizer: CaptionTokenizer;
  warnings: RunWarning[];
}

export interface TrainHooks {
  onStep?(p: StepProgress): void;
  onEpoch?(r: EpochRecord): void;
  onCheckpoint?(c: {
    kind: CheckpointKind;
    path: string;
    epoch: number;
    step: number;
    metric: number | null;
  }): void;
  onWarning?(w: RunWarning): void;
  /** A phase change for the progress line ("validating", "testing"…). */
  onPhase?(message: string): void;
  /** Aborting saves the last checkpoint and returns with status 'cancelled'. */
  signal?: AbortSignal;
}

export interface TrainOptions {
  /** Where best/last checkpoints go (one folder per run). */
  checkpointDir: string;
  /** The feature cache folder (null: features of a frozen encoder are kept in memory for this run). */
  cacheDir?: string | null;
  cacheBudgetBytes?: number;
  /** Continue from the `last` checkpoint in checkpointDir. */
  resume?: boolean;
  /** Skip the test split at the end (the caller evaluates later). */
  skipTest?: boolean;
}
