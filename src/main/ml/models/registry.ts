// The model table: every captioning model by id, each one's ModelSpec exported by its own file.
// Adding a model = its file + one line here; the trainer, worker, API model list and CLI follow.
import { AppError } from '../../../shared/result';
import type { ModelInfo } from '../../../shared/types';
import { readSafetensors } from '../weights/safetensors';
import { PRESETS, type CaptionModel, type ModelSpec } from './contract';
import { cnnLstmSpec } from './cnnLstm';
import { cnnLstmAttnSpec } from './cnnLstmAttn';

const TABLE = {
  'cnn-lstm': cnnLstmSpec,
  'cnn-lstm-attn': cnnLstmAttnSpec,
} as const satisfies Record<string, ModelSpec>;

export type ModelId = keyof typeof TABLE;
export type { Preset } from './contract';

export const MODELS: Readonly<Record<ModelId, ModelSpec>> = Object.freeze(TABLE);
export const MODEL_IDS: readonly ModelId[] = Object.freeze(Object.keys(TABLE) as ModelId[]);

export function checkModelId(id: string): ModelId {
  if (!Object.hasOwn(MODELS, id))
    throw new AppError('invalid_argument', `Unknown model '${id}'. Choose one of: ${MODEL_IDS.join(', ')}.`);
  return id as ModelId;
}

/** The spec of a model id, or an error listing the models this build has. */
export function modelSpec(id: string): ModelSpec {
  return MODELS[checkModelId(id)];
}

/** Rebuilds any model, with its tokenizer, from its checkpoint bytes (the model id is read from the file). */
export function loadModel(bytes: Uint8Array): CaptionModel {
  const id = readSafetensors(bytes).metadata.model;
  if (id === undefined || !Object.hasOwn(MODELS, id))
    throw new AppError(
      'invalid_argument',
      `This checkpoint is of model '${id ?? 'unknown'}', which this version cannot load (${MODEL_IDS.join(', ')}).`,
    );
  return MODELS[id as ModelId].load(bytes);
}

/** The model table as the API lists it (`system.models`): ids, presets, settings with defaults and help. */
export function describeModels(): ModelInfo[] {
  return MODEL_IDS.map((id) => {
    const m = MODELS[id];
    return {
      id,
      help: m.help,
      mapKind: m.mapKind,
      text: { kind: m.text.kind, help: m.text.help },
      presets: PRESETS.map((name) => ({ name, help: m.presets[name] })),
      settings: m.settings.map((s) => ({ key: s.key, help: s.help, defaults: { ...s.defaults } })),
    };
  });
}
