// Model checkpoints as safetensors: the weights by dotted name, and in `__metadata__` the format tag,
// the model id, the resolved config JSON and the model's serialised tokenizer (key `vocabulary`).
import { AppError } from '../../../shared/result';
import type { ParamStore } from '../nn/module';
import { readSafetensors, writeSafetensors, type WriteDtype } from '../weights/safetensors';

export const CHECKPOINT_FORMAT = 'caption-studio/1';

type Weights = Map<string, { shape: number[]; data: Float32Array }>;

export function writeCheckpoint(
  weights: Weights,
  config: { model: string },
  vocabulary?: string,
  dtype: WriteDtype = 'F32',
): Uint8Array {
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    model: config.model,
    config: JSON.stringify(config),
  };
  if (vocabulary !== undefined) metadata.vocabulary = vocabulary;
  const tensors = new Map([...weights].map(([k, v]) => [k, { ...v, dtype }]));
  return writeSafetensors(tensors, metadata);
}

export function readCheckpoint(
  bytes: Uint8Array,
  model: string,
): { config: Record<string, unknown>; vocabulary: string | null; weights: Weights } {
  const file = readSafetensors(bytes);
  const m = file.metadata;
  if (m.format !== CHECKPOINT_FORMAT || typeof m.config !== 'string')
    throw new AppError(
      'invalid_argument',
      'This safetensors file is not a Caption Studio checkpoint (no format/config metadata). ' +
        'Pretrained Hugging Face weights are imported, not loaded as checkpoints.',
    );
  if (m.model !== model)
    throw new AppError('invalid_argument', `This checkpoint is of a ${m.model} model, not ${model}.`);
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(m.config) as Record<string, unknown>;
  } catch (e) {
    throw new AppError('invalid_argument', `The checkpoint's config is not JSON (${(e as Error).message}).`);
  }
  const weights: Weights = new Map();
  for (const name of file.names)
    weights.set(name, { shape: file.info(name).shape, data: file.float32(name) });
  return { config, vocabulary: m.vocabulary ?? null, weights };
}

/** Loads checkpoint weights into a freshly built model, disposing it if they do not fit. */
export function withWeights<M extends { params: ParamStore; dispose(): void }>(
  model: M,
  weights: Parameters<ParamStore['load']>[0],
): M {
  try {
    model.params.load(weights);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/** The tokenizer stored in a checkpoint, or an error saying why the file cannot be used. */
export function needTokenizer(serialized: string | null): string {
  if (serialized === null)
    throw new AppError(
      'invalid_argument',
      'This checkpoint has no tokenizer (vocabulary) in its metadata, so its ids cannot be read as words.',
    );
  return serialized;
}
