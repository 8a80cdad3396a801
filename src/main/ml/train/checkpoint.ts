// Trainer checkpoints: `<kind>.safetensors` is the model checkpoint (weights, config, vocabulary;
// loadable on its own for captioning) and `<kind>.optim.safetensors` holds the optimiser moments and
// the trainer's position (epoch, batch, step, best score, history) for an exact resume. Files are
// written to a temporary name and renamed, so a killed process leaves the previous pair intact.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../../shared/result';
import { READ_CAPS, readBoundedSync } from '../../files/bounded';
import { readSafetensors, writeSafetensors } from '../weights/safetensors';
import type { RunWarning } from './guardrails';
import type { AdamState } from './optim';

export type CheckpointKind = 'best' | 'last';

export interface EpochRecord {
  epoch: number;
  step: number;
  trainLoss: number;
  valLoss: number;
  /** Validation metrics from greedy decoding (BLEU-4, ROUGE-L, CIDEr-D and the rest). */
  val: Record<string, number>;
  seconds: number;
}

/** Where the trainer is: enough to continue exactly where it stopped. */
export interface TrainerPosition {
  /** Epoch in progress (1-based) and the batches of it already done. */
  epoch: number;
  batch: number;
  /** Optimiser steps done. */
  step: number;
  best: { value: number; epoch: number } | null;
  badEpochs: number;
  history: EpochRecord[];
  warnings: RunWarning[];
  /** Caption problems seen at the last validation, with where they began (warned if seen again). */
  suspect?: Record<string, { step: number; epoch: number }>;
  /** Running sum and count of this epoch's training loss. */
  epochLoss: { sum: number; count: number };
  encoderUnfrozen: boolean;
  /** The resolved trainer config (checked on resume). */
  config: unknown;
}

export const modelPath = (dir: string, kind: CheckpointKind) => join(dir, `${kind}.safetensors`);
export const optimPath = (dir: string, kind: CheckpointKind) => join(dir, `${kind}.optim.safetensors`);

function atomicWrite(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

export function writeTrainerCheckpoint(
  dir: string,
  kind: CheckpointKind,
  model: Uint8Array,
  optim: AdamState,
  position: TrainerPosition,
): string {
  mkdirSync(dir, { recursive: true });
  const tensors = new Map<string, { shape: number[]; data: Float32Array; dtype: 'F32' }>();
  for (const [k, s] of optim.m) tensors.set(`m.${k}`, { ...s, dtype: 'F32' });
  for (const [k, s] of optim.v) tensors.set(`v.${k}`, { ...s, dtype: 'F32' });
  const optimBytes = writeSafetensors(tensors, {
    format: 'caption-studio/trainer-1',
    steps: JSON.stringify(optim.steps),
    position: JSON.stringify(position),
  });
  // optimiser state first: the model file's presence is what marks a checkpoint as written
  atomicWrite(optimPath(dir, kind), optimBytes);
  atomicWrite(modelPath(dir, kind), model);
  return modelPath(dir, kind);
}

export function readTrainerCheckpoint(
  dir: string,
  kind: CheckpointKind,
): { model: Uint8Array; optim: AdamState; position: TrainerPosition } {
  const mp = modelPath(dir, kind);
  const op = optimPath(dir, kind);
  if (!existsSync(mp) || !existsSync(op))
    throw new AppError(
      'not_found',
      `No ${kind} checkpoint in ${dir}: the run stopped before its first checkpoint. Start it again instead.`,
    );
  const file = readSafetensors(readBoundedSync(op, READ_CAPS.weights, 'trainer state'));
  if (file.metadata.format !== 'caption-studio/trainer-1')
    throw new AppError('invalid_argument', `${op} is not a Caption Studio trainer state file.`);
  const m = new Map<string, { shape: number[]; data: Float32Array }>();
  const v = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const name of file.names) {
    const entry = { shape: file.info(name).shape, data: file.float32(name) };
    if (name.startsWith('m.')) m.set(name.slice(2), entry);
    else if (name.startsWith('v.')) v.set(name.slice(2), entry);
  }
  return {
    model: new Uint8Array(readBoundedSync(mp, READ_CAPS.weights, 'checkpoint')),
    optim: { m, v, steps: JSON.parse(file.metadata.steps ?? '{}') as Record<string, number> },
    position: JSON.parse(file.metadata.position) as TrainerPosition,
  };
}
