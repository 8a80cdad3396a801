// Evaluation during and after training: the teacher-forced loss over every reference caption, greedy
// captions of the images, and the corpus metrics (BLEU-4, ROUGE-L, CIDEr-D) of those captions.
import * as tf from '@tensorflow/tfjs';
import { greedyDecode } from '../decode/search';
import { evaluate } from '../eval/index';
import type { CaptionModel } from '../models/contract';
import { chunks, encodeCaptions, type Example } from './data';
import type { FeatureSource } from './features';
import { featureDecoder } from './model';

export interface EvalContext {
  model: CaptionModel;
  inputs: FeatureSource;
  batchSize: number;
  /** Features of a frozen encoder come from the cache. */
  frozen: boolean;
}

/** Mean next-token cross-entropy over every reference caption of the examples (per predicted token). */
export async function evalLoss(c: EvalContext, examples: readonly Example[]): Promise<number> {
  const { model } = c;
  let sum = 0;
  let count = 0;
  const samples = examples.flatMap((e) => e.captions.map((caption) => ({ key: e.key, caption })));
  for (const batch of chunks(samples, c.batchSize)) {
    await new Promise((resolve) => setImmediate(resolve)); // let a cancel message in
    const { ids, mask, t } = encodeCaptions(
      model.tokenizer,
      batch.map((s) => s.caption),
      model.config.maxLength,
    );
    const feats = await c.inputs.eval(
      batch.map((s) => s.key),
      c.frozen,
    );
    const tokens = tf.tensor2d(ids, [batch.length, t], 'int32'); // [B, T]
    const real = tf.tensor2d(mask, [batch.length, t]); // [B, T]
    const x = tf.tidy(
      () => model.loss(feats, tokens, { training: false, teacherForcing: 1, seed: 0, mask: real }).xent,
    );
    const n = mask.filter((m, i) => i % t !== 0 && m > 0).length; // predicted tokens: all but bos
    sum += (await x.data())[0] * n;
    count += n;
    tf.dispose([x, feats, tokens, real]);
  }
  return sum / Math.max(1, count);
}

/** Greedy caption of every example, by image key. */
export async function decodeAll(
  c: EvalContext,
  examples: readonly Example[],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const dec = featureDecoder(c.model);
  for (const batch of chunks(examples, c.batchSize)) {
    await new Promise((resolve) => setImmediate(resolve));
    const feats = await c.inputs.eval(
      batch.map((e) => e.key),
      c.frozen,
    );
    const r = await greedyDecode(dec, feats as unknown as tf.Tensor4D, {
      maxTokens: c.model.config.maxLength - 1,
    });
    feats.dispose();
    batch.forEach((e, i) => (out[e.key] = c.model.tokenizer.decode(r.tokens[i])));
  }
  return out;
}

/** Corpus metrics of candidate captions against the examples' references. */
export function scores(examples: readonly Example[], cands: Record<string, string>): Record<string, number> {
  const refs = Object.fromEntries(examples.map((e) => [e.key, e.captions]));
  return { ...evaluate({ refs, cands }).corpus };
}
