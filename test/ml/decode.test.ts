// Greedy and beam search over scripted Decoders (a Markov chain with known probabilities, and one
// with attention), to check the search itself and the Decoder interface apart from any real model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../../src/main/ml/backend';
import { beamDecode, greedyDecode } from '../../src/main/ml/decode/search';
import { gatherState, type Decoder, type DecoderState } from '../../src/main/ml/decode/types';

// ids: pad 0, bos 1, eos 2, A 3, B 4. Next-token probabilities depend only on the previous token.
const P: Record<number, number[]> = {
  1: [0, 0, 0, 0.6, 0.4], // after bos: A is likelier…
  3: [0, 0, 0.35, 0.33, 0.32], // …but after A nothing is sure,
  4: [0, 0, 0.9, 0.05, 0.05], // while after B eos is: P(B eos) = 0.36 > P(A eos) = 0.21
  0: [0, 0, 1, 0, 0],
  2: [0, 0, 1, 0, 0],
};

/** A Markov chain as a Decoder; with `attention`, each step attends to position (prev token mod 4). */
let table: tf.Tensor2D; // [5, 5] log-probabilities
function markov(attention: boolean): Decoder {
  return {
    vocabSize: 5,
    bosId: 1,
    eosId: 2,
    padId: 0,
    mapKind: attention ? 'attention' : 'saliency',
    mapSize: [2, 2],
    encode: (images) => ({ dummy: tf.zeros([images.shape[0], 1]) }),
    step: (state: DecoderState, tokens) => ({
      logits: tf.gather(table, tokens) as tf.Tensor2D,
      state: { dummy: tf.add(state.dummy, 1) },
      ...(attention
        ? { attention: tf.oneHot(tf.mod(tokens, tf.scalar(4, 'int32')), 4).toFloat() as tf.Tensor2D }
        : {}),
    }),
    reorder: gatherState,
  };
}

let images: tf.Tensor4D;
beforeAll(async () => {
  await selectBackend(nodeLoader(), 'inference');
  images = tf.zeros([2, 2, 2, 3]);
  table = tf.tidy(() => tf.log(tf.add(tf.tensor2d([0, 1, 2, 3, 4].map((i) => P[i])), 1e-9))) as tf.Tensor2D;
});
afterAll(() => tf.dispose([images, table]));

describe('search over a scripted Markov decoder', () => {
  it('greedy takes A then eos; beam 2 finds the likelier B eos', async () => {
    const d = markov(false);
    const before = tf.memory().numTensors;
    const g = await greedyDecode(d, images, { maxTokens: 5 });
    expect(g.tokens).toEqual([
      [3, 2],
      [3, 2],
    ]);
    expect(g.probs[0][0]).toBeCloseTo(0.6, 5);
    expect(g.probs[0][1]).toBeCloseTo(0.35, 5);
    const b = await beamDecode(d, images, { width: 2, maxTokens: 5, lengthPenalty: 0 });
    expect(b.tokens).toEqual([
      [4, 2],
      [4, 2],
    ]);
    expect(b.scores[0]).toBeCloseTo(Math.log(0.36), 5);
    expect(b.probs[0][0]).toBeCloseTo(0.4, 5);
    expect(b.probs[0][1]).toBeCloseTo(0.9, 5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops at maxTokens when eos never comes, in both searches', async () => {
    const d = markov(false);
    const g = await greedyDecode(d, images, { maxTokens: 1 });
    expect(g.tokens[0]).toEqual([3]);
    const b = await beamDecode(d, images, { width: 2, maxTokens: 1, lengthPenalty: 0 });
    expect(b.tokens[0]).toEqual([3]);
    expect(b.scores[0]).toBeCloseTo(Math.log(0.6), 5);
  });

  it('rejects bad options with a message saying what is allowed', async () => {
    const d = markov(false);
    await expect(beamDecode(d, images, { width: 0 })).rejects.toThrow(
      /Beam width must be a positive integer/,
    );
    await expect(greedyDecode(d, images, { maxTokens: 0 })).rejects.toThrow(/maxTokens/);
  });

  it('collects attention maps by replaying the chosen tokens', async () => {
    const d = markov(true);
    const before = tf.memory().numTensors;
    const r = await beamDecode(d, images, { width: 2, maxTokens: 5, lengthPenalty: 0, maps: true });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.maps!.kind).toBe('attention');
    // step 0 sees bos (1 → position 1); step 1 sees B (4 → position 0)
    expect(Array.from(r.maps!.maps[0][0])).toEqual([0, 1, 0, 0]);
    expect(Array.from(r.maps!.maps[0][1])).toEqual([1, 0, 0, 0]);
    expect(r.maps!.maps[1].length).toBe(2);
  });
});
