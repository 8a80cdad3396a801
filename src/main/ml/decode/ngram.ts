// No-repeat n-gram blocking (as Hugging Face's `no_repeat_ngram_size`): the tokens that would
// complete an n-gram already present in the sequence are banned at the next position.
import * as tf from '@tensorflow/tfjs';

/** Tokens banned after `seq` (the whole sequence so far, bos included, as HF includes the prompt). */
export function bannedTokens(seq: readonly number[], n: number): number[] {
  if (n < 1 || seq.length < n - 1) return [];
  if (n === 1) return [...new Set(seq)];
  const prefix = seq.slice(seq.length - (n - 1));
  const out = new Set<number>();
  for (let i = 0; i + n <= seq.length; i++) {
    let same = true;
    for (let j = 0; j < n - 1 && same; j++) same = seq[i + j] === prefix[j];
    if (same) out.add(seq[i + n - 1]);
  }
  return [...out];
}

/**
 * Additive mask [rows, V] with −1e9 at every banned (row, token), or null when nothing is banned.
 * −1e9 rather than −Inf keeps beam scores finite (no NaN from −Inf − −Inf).
 */
export function banMask(
  seqs: readonly (readonly number[])[],
  n: number,
  vocabSize: number,
): tf.Tensor2D | null {
  if (n <= 0) return null;
  const idx: number[] = [];
  seqs.forEach((s, row) => {
    for (const tok of bannedTokens(s, n)) idx.push(row, tok);
  });
  if (idx.length === 0) return null;
  return tf.tidy(() => {
    const m = idx.length / 2;
    const indices = tf.tensor2d(idx, [m, 2], 'int32'); // [M, 2]
    return tf.scatterND(indices, tf.fill([m], -1e9), [seqs.length, vocabSize]) as tf.Tensor2D;
  });
}
