// Model checkpoints as safetensors: the weights by dotted name, and in `__metadata__` the format tag,
// the model id, the resolved config JSON and the model's serialised tokenizer (key `vocabulary`).
import { AppError } from '../../../shared/result';
import type { ParamStore } from '../nn/module';
import {
  readSafetensors,
  writeSafetensors,
  type SafetensorsFile,
  type WriteDtype,
} from '../weights/safetensors';

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
  checkConfigSizes(config, file);
  const weights: Weights = new Map();
  for (const name of file.names)
    weights.set(name, { shape: file.info(name).shape, data: file.float32(name) });
  return { config, vocabulary: m.vocabulary ?? null, weights };
}

/** Config fields that size a weight tensor: each must be a dimension of some tensor in the file. */
const SIZE_FIELDS = ['vocabSize', 'embedDim', 'hidden', 'attnDim'] as const;
/** Fields that size activations, not weights: bounded so a model is never asked to allocate gigabytes. */
const ACTIVATION_LIMITS: Record<string, number> = { imageSize: 1024, maxLength: 1024 };

/**
 * Checks the config's sizes against the tensors in the file before a model is built from it: a
 * config whose sizes were edited (hidden: 1e6) would otherwise allocate gigabytes of weights
 * before loading them fails.
 */
function checkConfigSizes(config: Record<string, unknown>, file: SafetensorsFile): void {
  const dims = new Set<number>();
  for (const name of file.names) for (const d of file.info(name).shape) dims.add(d);
  const wrong = (field: string, v: unknown, why: string) =>
    new AppError(
      'invalid_argument',
      `The checkpoint's config gives ${field} = ${JSON.stringify(v)}, but ${why}: the config does not ` +
        'belong to these weights (edited or damaged). Use the checkpoint file as the trainer saved it.',
    );
  const sized = (field: string, v: unknown) => {
    if (typeof v === 'number' && !dims.has(v)) throw wrong(field, v, 'no tensor in the file has that size');
  };
  for (const k of SIZE_FIELDS) sized(k, config[k]);
  const enc = config.encoder as { channels?: unknown; imageSize?: unknown } | undefined;
  if (enc && Array.isArray(enc.channels)) enc.channels.forEach((c, i) => sized(`encoder.channels[${i}]`, c));
  if (typeof config.layers === 'number' && config.layers > file.names.length)
    throw wrong('layers', config.layers, `the file holds only ${file.names.length} tensors`);
  for (const [k, max] of Object.entries(ACTIVATION_LIMITS)) {
    const v = k === 'imageSize' ? enc?.imageSize : config[k];
    if (typeof v === 'number' && v > max) throw wrong(k, v, `a checkpoint never uses more than ${max}`);
  }
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
