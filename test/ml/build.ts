// Test helpers: a word tokenizer of a given size and the two CNN + LSTM models built from a config
// partial (the vocabulary size and special ids taken from that tokenizer); a check that a model's
// whole-sequence loss path equals its step-by-step path.
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { CaptionModel } from '../../src/main/ml/models/contract';
import { CnnLstm, resolveConfig, type CnnLstmPartial } from '../../src/main/ml/models/cnnLstm';
import { CnnLstmAttn, resolveAttnConfig, type AttnPartial } from '../../src/main/ml/models/cnnLstmAttn';
import { SPECIAL_TOKENS, WordVocab } from '../../src/main/text/vocab';

/** A word vocabulary of `v` ids: the four specials, then w4 … w(v−1). */
export const vocabOf = (v: number): WordVocab =>
  new WordVocab([...SPECIAL_TOKENS, ...Array.from({ length: v - 4 }, (_, i) => `w${i + 4}`)]);

export const lstmModel = (p: CnnLstmPartial): CnnLstm => new CnnLstm(resolveConfig(p), vocabOf(p.vocabSize));

export const attnModel = (p: AttnPartial): CnnLstmAttn =>
  new CnnLstmAttn(resolveAttnConfig(p), vocabOf(p.vocabSize));

/**
 * Asserts the loss under pure teacher forcing (the whole-sequence path) equals the step-by-step path,
 * value and every parameter's gradient, in evaluation and in training (dropout masks included).
 * teacherForcing just below 1 takes the step path and still always feeds the true token (the draws
 * are multiples of 2^-32), so both compute the same function.
 */
export function expectSequenceEqualsSteps(m: CaptionModel, images: tf.Tensor4D, tokens: tf.Tensor2D) {
  const before = tf.memory().numTensors;
  for (const training of [false, true]) {
    const lossOf = (teacherForcing: number) => {
      const f = () => m.loss(m.features(images), tokens, { training, teacherForcing, seed: 5 }).loss;
      const { value, grads } = tf.variableGrads(f, m.params.variables());
      const v = value.dataSync()[0];
      const g = m.params.entries().map(([, p]) => grads[p.name].dataSync().slice());
      tf.dispose([value, ...Object.values(grads)]);
      return { v, g };
    };
    const seq = lossOf(1);
    const step = lossOf(1 - 1e-12);
    expect(Math.abs(seq.v - step.v), `training ${training}`).toBeLessThan(1e-5 * Math.abs(step.v));
    seq.g.forEach((g, i) => {
      let scale = 1e-3;
      let err = 0;
      g.forEach((x, j) => {
        scale = Math.max(scale, Math.abs(step.g[i][j]));
        err = Math.max(err, Math.abs(x - step.g[i][j]));
      });
      expect(err, `gradient of ${m.params.entries()[i][0]}, training ${training}`).toBeLessThan(1e-4 * scale);
    });
  }
  expect(tf.memory().numTensors).toBe(before);
}
