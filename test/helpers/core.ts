// What the tests that drive the core through real worker processes share: unwrapping an API result,
// and the settings of a tiny run that trains in seconds (a small CNN + LSTM, one caption per image).
import type { Result } from '../../src/shared/result';

/** The value of an API result, or its error message thrown. */
export async function call<T>(r: Promise<Result<T>>): Promise<T> {
  const x = await r;
  if (!x.ok) throw new Error(x.error.message);
  return x.value;
}

/** Trainer settings of a tiny run (add `epochs`). */
export const TINY_RUN = Object.freeze({
  modelOverrides: {
    embedDim: 16,
    hidden: 32,
    encoder: { kind: 'tiny-cnn', imageSize: 64, channels: [8, 16, 16] },
  },
  batchSize: 8,
  captionsPerEpoch: 'one',
  valImages: 4,
});
