// Encoder-decoder label conventions of transformers' VisionEncoderDecoderModel: labels are the
// caption's ids then eos, padded with -100 (ignored by the loss); decoder inputs are the labels
// shifted right behind decoder_start_token_id, with -100 replaced by the pad id.
import type { Tokenizer } from './tokenizer';

/** CrossEntropyLoss's ignore_index: label positions that carry no loss. */
export const IGNORE_INDEX = -100;

export interface Seq2SeqIds {
  decoderStartTokenId: number;
  padTokenId: number;
  eosTokenId: number;
}

export interface Seq2SeqBatch {
  /** [B, T] decoder input ids: start, then labels[:-1] (IGNORE_INDEX → pad). */
  decoderInputIds: Int32Array;
  /** [B, T] target ids, IGNORE_INDEX where there is no target. */
  labels: Int32Array;
  /** [B, T] 1 where a label counts, 0 where it is ignored. */
  weights: Float32Array;
  batch: number;
  length: number;
  /** Rows whose caption was cut to fit (eos is kept). */
  truncated: number[];
}

/**
 * transformers' `shift_tokens_right`: `out[:, 0] = start`, `out[:, 1:] = labels[:, :-1]`, then
 * IGNORE_INDEX replaced by the pad id. Rows of `length` values, flat.
 */
export function shiftTokensRight(
  labels: Int32Array,
  length: number,
  padTokenId: number,
  decoderStartTokenId: number,
): Int32Array {
  if (length < 1 || labels.length % length !== 0)
    throw new RangeError(`labels of ${labels.length} values are not rows of ${length}`);
  const out = new Int32Array(labels.length);
  for (let r = 0; r < labels.length / length; r++) {
    out[r * length] = decoderStartTokenId;
    for (let t = 1; t < length; t++) {
      const v = labels[r * length + t - 1];
      out[r * length + t] = v === IGNORE_INDEX ? padTokenId : v;
    }
  }
  return out;
}

/**
 * A training batch from content ids (no special tokens): each row's labels are its ids then eos,
 * cut to `maxLength` (eos kept), padded with IGNORE_INDEX to the longest row. Padding is marked by
 * IGNORE_INDEX, not by the pad id: with GPT-2 pad = eos = 50256, replacing pad ids by -100 after
 * padding (a common recipe) would also hide the eos target and the model would never learn to stop.
 */
export function seq2seqBatch(
  rows: ReadonlyArray<readonly number[]>,
  ids: Seq2SeqIds,
  maxLength: number,
): Seq2SeqBatch {
  if (!Number.isInteger(maxLength) || maxLength < 2)
    throw new RangeError(`maxLength must be an integer ≥ 2 (one token + eos); got ${maxLength}`);
  if (rows.length === 0) throw new RangeError('a batch needs at least one caption');
  const truncated: number[] = [];
  const seqs = rows.map((r, i) => {
    if (r.length > maxLength - 1) truncated.push(i);
    return [...r.slice(0, maxLength - 1), ids.eosTokenId];
  });
  const length = Math.max(...seqs.map((s) => s.length));
  const labels = new Int32Array(rows.length * length).fill(IGNORE_INDEX);
  const weights = new Float32Array(rows.length * length);
  seqs.forEach((s, r) =>
    s.forEach((v, t) => {
      labels[r * length + t] = v;
      weights[r * length + t] = 1;
    }),
  );
  return {
    decoderInputIds: shiftTokensRight(labels, length, ids.padTokenId, ids.decoderStartTokenId),
    labels,
    weights,
    batch: rows.length,
    length,
    truncated,
  };
}

/** Captions → batch with a tokenizer (its encode adds no special tokens). */
export function seq2seqCaptions(
  tok: Tokenizer,
  captions: readonly string[],
  ids: Seq2SeqIds,
  maxLength: number,
): Seq2SeqBatch {
  return seq2seqBatch(
    captions.map((c) => tok.encode(c)),
    ids,
    maxLength,
  );
}
