// What the CNN + LSTM models' configs share: the encoder choice (the tiny CNN or Inception v3) and
// the decoder fields, with one set of checks and one error style for both.
import { AppError } from '../../../shared/result';
import { resolveInceptionConfig, type InceptionConfig } from './inceptionV3';

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
  },
  full: {
    encoder: { kind: 'inception-v3', imageSize: 299, width: 1 },
    embedDim: 512,
    hidden: 512,
    layers: 2,
  },
} as const;

/** The fields every CNN + LSTM captioner's config has (sizes of the tiny / full presets in each model). */
export interface DecoderFields {
  preset: 'tiny' | 'full';
  encoder: EncoderConfig;
  /** Word embedding size (tiny 128; full 512). */
  embedDim: number;
  /** LSTM hidden size; also the size of the image embedding that initialises h and c (tiny 256; full 512). */
  hidden: number;
  /** Stacked LSTM layers (BENCH_CONFIG: 2). */
  layers: number;
  /** Words in the vocabulary, specials included. Required: it comes from the caller's vocabulary. */
  vocabSize: number;
  /** Special ids: <pad>=0 <bos>=1 <eos>=2 (<unk>=3) as in BENCH_CONFIG's vocabulary. */
  padId: number;
  bosId: number;
  eosId: number;
  /** Longest caption in tokens, bos and eos included (BENCH_CONFIG: 16). */
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
