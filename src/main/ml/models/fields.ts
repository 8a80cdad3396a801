// What the CNN + LSTM models share: the encoder choice (the tiny CNN or Inception v3), the decoder
// fields with their preset values and help, one set of checks and one error style, and the parts of
// their ModelSpec that do not depend on the model (settings list, strict overrides, text fields).
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/result';
import type { CaptionTokenizer } from '../../text/tokenizer';
import { unknownKey } from '../../util/names';
import type { ParamStore } from '../nn/module';
import { TinyCnn } from '../nn/tinyCnn';
import type { Json, Preset, SettingDoc } from './contract';
import { InceptionV3, resolveInceptionConfig, type InceptionConfig } from './inceptionV3';

export type EncoderConfig =
  /** conv3×3+ReLU+maxpool2 per entry of `channels`, 'same' padding; 64 px → 8×8 after three. */
  | { kind: 'tiny-cnn'; imageSize: number; channels: readonly number[] }
  /** Inception v3 (torchvision layout) up to Mixed_7c: 299 px → an 8×8×2048 map at width 1. */
  | ({ kind: 'inception-v3' } & InceptionConfig);

/**
 * The encoder and decoder sizes of each preset, the same in both models so that a study of the
 * two compares attention and nothing else.
 */
export const DECODER_PRESETS = {
  tiny: {
    encoder: { kind: 'tiny-cnn', imageSize: 64, channels: [32, 64, 128] },
    embedDim: 128,
    hidden: 256,
    layers: 2,
    dropout: 0,
  },
  full: {
    encoder: { kind: 'inception-v3', imageSize: 299, width: 1 },
    embedDim: 512,
    hidden: 512,
    layers: 2,
    dropout: 0.5,
  },
} as const;

/** The settings both CNN + LSTM models take, one line of help each (defaults: DECODER_PRESETS). */
export const DECODER_SETTINGS: Readonly<Record<string, string>> = Object.freeze({
  encoder: "image encoder: {kind:'tiny-cnn', imageSize, channels} or {kind:'inception-v3', imageSize, width}",
  embedDim: 'word embedding size',
  hidden: 'LSTM hidden size (also the image embedding that starts the LSTM)',
  layers: 'stacked LSTM layers',
  dropout: 'dropout before the output layer while training, in [0, 1)',
  maxLength: 'longest caption in tokens, bos and eos included (longer ones are cut)',
});

/** The config fields that come from the tokenizer: never a setting. */
export const TEXT_FIELDS = Object.freeze(['vocabSize', 'padId', 'bosId', 'eosId'] as const);

/** The text fields of a tokenizer, or placeholders when checking settings before a tokenizer exists. */
export function textFields(tok: CaptionTokenizer | undefined) {
  return tok
    ? { vocabSize: tok.vocabSize, padId: tok.padId, bosId: tok.bosId, eosId: tok.eosId }
    : { vocabSize: 8, padId: 0, bosId: 1, eosId: 2 };
}

/** Documented settings with each preset's default, from the preset tables and one help line per key. */
export function settingDocs(
  presets: Readonly<Record<Preset, Readonly<Record<string, unknown>>>>,
  help: Readonly<Record<string, string>>,
): SettingDoc[] {
  return Object.entries(help).map(([key, line]) => ({
    key,
    help: line,
    defaults: { tiny: presets.tiny[key] as Json, full: presets.full[key] as Json },
  }));
}

/**
 * Refuses an override that is not a setting of the model (with the one probably meant), and the
 * text fields, which come from the tokenizer.
 */
export function checkOverrides(
  model: string,
  overrides: Readonly<Record<string, unknown>>,
  settings: readonly SettingDoc[],
): void {
  for (const k of TEXT_FIELDS)
    if (k in overrides)
      throw new AppError(
        'invalid_argument',
        `${model} config: ${k} comes from the model's tokenizer; it is not a setting (remove it).`,
      );
  const u = unknownKey(
    overrides,
    settings.map((s) => s.key),
  );
  if (u)
    throw new AppError(
      'invalid_argument',
      `${model} config: ${u.key} is not a setting of ${model}${u.near ? ` (did you mean ${u.near}?)` : ''}; ` +
        `its settings: ${settings.map((s) => s.key).join(', ')}.`,
    );
}

/** Refuses a config field the model does not have (a saved config or a direct resolve call). */
export function checkConfigKeys(model: string, partial: object, known: Iterable<string>): void {
  const u = unknownKey(partial, known);
  if (u)
    throw new AppError(
      'invalid_argument',
      `${model} config: ${u.key} is not a field of ${model}${u.near ? ` (did you mean ${u.near}?)` : ''}.`,
    );
}

/** The fields every CNN + LSTM captioner's config has (sizes of the tiny / full presets in each model). */
export interface DecoderFields {
  preset: 'tiny' | 'full';
  encoder: EncoderConfig;
  /** Word embedding size (tiny 128; full 512). */
  embedDim: number;
  /** LSTM hidden size; also the size of the image embedding that initialises h and c (tiny 256; full 512). */
  hidden: number;
  /** Stacked LSTM layers (the bench configuration: 2). */
  layers: number;
  /** Dropout before the output layer while training (tiny 0; full 0.5, as Show, Attend and Tell). */
  dropout: number;
  /** Words in the vocabulary, specials included. Required: it comes from the caller's vocabulary. */
  vocabSize: number;
  /** Special ids: <pad>=0 <bos>=1 <eos>=2 (<unk>=3) as in the bench configuration's vocabulary. */
  padId: number;
  bosId: number;
  eosId: number;
  /** Longest caption in tokens, bos and eos included (the bench configuration: 16). */
  maxLength: number;
  /** Seed of the weight initialisers. */
  seed: number;
}

export type Fix = (field: string, msg: string) => AppError;
export const fixer =
  (model: string): Fix =>
  (field, msg) =>
    new AppError('invalid_argument', `${model} config: ${field} ${msg}`);

/** Checks the decoder fields: sizes positive, special ids distinct and inside the vocabulary. */
export function checkDecoderFields(c: DecoderFields, fix: Fix): void {
  for (const k of ['embedDim', 'hidden', 'layers', 'vocabSize', 'maxLength'] as const)
    if (!Number.isSafeInteger(c[k]) || c[k] < 1) throw fix(k, `must be a positive integer, got ${c[k]}.`);
  if (!Number.isSafeInteger(c.seed)) throw fix('seed', `must be an integer, got ${c.seed}.`);
  for (const k of ['padId', 'bosId', 'eosId'] as const)
    if (!Number.isSafeInteger(c[k]) || c[k] < 0 || c[k] >= c.vocabSize)
      throw fix(k, `${c[k]} is not an id of the ${c.vocabSize}-word vocabulary.`);
  if (new Set([c.padId, c.bosId, c.eosId]).size !== 3)
    throw fix('padId/bosId/eosId', `must be three different ids, got ${c.padId}/${c.bosId}/${c.eosId}.`);
  if (c.maxLength < 2) throw fix('maxLength', 'must leave room for bos and eos (at least 2).');
  if (!(c.dropout >= 0 && c.dropout < 1)) throw fix('dropout', `must be in [0, 1), got ${c.dropout}.`);
}

/** Checks and freezes the encoder choice. */
export function resolveEncoder(e: EncoderConfig, fix: Fix): Readonly<EncoderConfig> {
  if (e.kind === 'tiny-cnn') {
    const down = 2 ** e.channels.length;
    if (e.channels.length < 1 || !e.channels.every((n) => Number.isSafeInteger(n) && n > 0))
      throw fix('encoder.channels', 'must be a non-empty list of positive integers.');
    if (!Number.isSafeInteger(e.imageSize) || e.imageSize % down !== 0)
      throw fix(
        'encoder.imageSize',
        `must be a multiple of ${down} (one 2× pool per conv), got ${e.imageSize}.`,
      );
    return Object.freeze({ ...e, channels: Object.freeze([...e.channels]) });
  }
  if (e.kind === 'inception-v3')
    return Object.freeze({ kind: 'inception-v3' as const, ...resolveInceptionConfig(e) });
  throw fix('encoder.kind', `must be 'tiny-cnn' or 'inception-v3'.`);
}

/** The encoder of either kind: images [N, S, S, 3] → feature map [N, h, w, C]. */
export interface MapEncoder {
  readonly channels: number;
  readonly grid: readonly [number, number];
  /** `inputGrad` (saliency): the gradient reaches the pixels; the tiny CNN then gives its weights none. */
  apply(images: tf.Tensor4D, inputGrad?: boolean): tf.Tensor4D;
}

/** Builds the configured encoder under the `encoder.` parameter prefix. */
export function buildEncoder(ps: ParamStore, e: Readonly<EncoderConfig>): MapEncoder {
  return e.kind === 'tiny-cnn' ? new TinyCnn(ps, 'encoder.', e) : new InceptionV3(ps, 'encoder.', e);
}

/** Checks that a model's tokenizer is the one its config was resolved for. */
export function checkTokenizer(model: string, c: DecoderFields, tok: CaptionTokenizer): void {
  const t = textFields(tok);
  if (TEXT_FIELDS.some((k) => t[k] !== c[k]))
    throw new AppError(
      'invalid_argument',
      `${model}: the tokenizer (${t.vocabSize} ids, pad/bos/eos ${t.padId}/${t.bosId}/${t.eosId}) does not ` +
        `fit the config (${c.vocabSize} ids, ${c.padId}/${c.bosId}/${c.eosId}); the checkpoint is damaged.`,
    );
}

/** The encoder block of an `encoder.` parameter: `conv.<i>` of the tiny CNN, the Inception block name. */
export function encoderBlockOf(name: string): string | null {
  if (!name.startsWith('encoder.') || name.startsWith('encoder.init_state.')) return null;
  const rest = name.slice('encoder.'.length).split('.');
  return rest[0] === 'conv' ? `conv.${rest[1]}` : rest[0];
}
