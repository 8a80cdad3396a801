// Teacher forcing and scheduled sampling (Bengio et al. 2015) over any step-based decoder: the
// loss every LSTM model shares, with padding masked and the per-step attention weights collected.
import * as tf from '@tensorflow/tfjs';
import { mixSeed, mulberry32 } from '../../util/rng';
import type { DecoderState, StepOutput } from '../decode/types';
import { maskedCrossEntropy } from '../nn/ops';

export interface StepwiseResult {
  /** Masked mean cross-entropy of the next-token predictions. */
  xent: tf.Scalar;
  /** Attention weights per step, [B, T−1, L], when the steps return them. */
  attention: tf.Tensor3D | null;
  /** Per step mask of real (non-pad) targets, [B, T−1]. */
  mask: tf.Tensor2D;
}

/**
 * Runs `step` over tokens [B, T] (bos … eos, pad): step t reads token t (or, with probability
 * 1 − teacherForcing per row, the model's own previous argmax), and predicts token t+1.
 * The draws come from a generator seeded by `seed`, so a replayed training step is identical.
 * `<unk>` is a target like any word: only padding is masked.
 */
export function stepwiseLoss(
  state0: DecoderState,
  tokens: tf.Tensor2D,
  padId: number,
  step: (state: DecoderState, input: tf.Tensor1D, t: number) => StepOutput,
  opts: { teacherForcing: number; seed: number; mask?: tf.Tensor2D },
): StepwiseResult {
  const [b, t] = tokens.shape;
  const columns = tf.unstack(tokens, 1) as tf.Tensor1D[]; // T × [B]
  const rng = mulberry32(mixSeed(opts.seed, 0x55));
  let state = state0;
  const logits: tf.Tensor2D[] = [];
  const attn: tf.Tensor2D[] = [];
  let prev: tf.Tensor1D | null = null;
  for (let s = 0; s < t - 1; s++) {
    let input = columns[s];
    if (s > 0 && opts.teacherForcing < 1 && prev) {
      const own = Int32Array.from({ length: b }, () => (rng() < opts.teacherForcing ? 0 : 1));
      input = tf.where(tf.tensor1d(own, 'bool'), prev, columns[s]) as tf.Tensor1D; // [B]
    }
    const r = step(state, input, s);
    state = r.state;
    logits.push(r.logits); // [B, V]
    if (r.attention) attn.push(r.attention); // [B, L]
    prev = tf.argMax(r.logits, 1) as tf.Tensor1D; // [B], no gradient through the sample
  }
  const v = logits[0].shape[1];
  const flat = tf.stack(logits, 1).reshape([b * (t - 1), v]) as tf.Tensor2D; // [B(T−1), V]
  const targets = tf.slice(tokens, [0, 1], [b, t - 1]) as tf.Tensor2D; // [B, T−1]
  // the given mask of real tokens (needed when pad is also a real id, as GPT-2's eos), else ids ≠ pad
  const mask = (
    opts.mask ? tf.slice(opts.mask, [0, 1], [b, t - 1]).toFloat() : tf.notEqual(targets, padId).toFloat()
  ) as tf.Tensor2D; // [B, T−1]
  const xent = maskedCrossEntropy(flat, targets.reshape([-1]), mask.reshape([-1]));
  const attention = attn.length ? (tf.stack(attn, 1) as tf.Tensor3D) : null; // [B, T−1, L]
  return { xent, attention, mask };
}

export interface TeacherForced {
  /** Input ids of every step, time-major: row t·B + b is token t of caption b, [(T−1)·B] int32. */
  inputs: tf.Tensor1D;
  /** The token each step predicts (token t+1), same order, [(T−1)·B] int32. */
  targets: tf.Tensor1D;
  /** 1 for a real target, 0 for padding, same order, [(T−1)·B]. */
  mask: tf.Tensor1D;
  /** T − 1 */
  steps: number;
}

/**
 * Pure teacher forcing as whole sequences: tokens [B, T] → time-major inputs, targets and mask (the
 * same targets and mask as stepwiseLoss, in time-major order), for decoders that run a layer over
 * every step at once.
 */
export function teacherForced(tokens: tf.Tensor2D, padId: number, mask?: tf.Tensor2D): TeacherForced {
  const [b, t] = tokens.shape;
  const timeMajor = (x: tf.Tensor2D) => tf.transpose(x).reshape([-1]) as tf.Tensor1D; // [B, T−1] → [(T−1)·B]
  const targets = tf.slice(tokens, [0, 1], [b, t - 1]) as tf.Tensor2D; // [B, T−1]
  const real = (
    mask ? tf.slice(mask, [0, 1], [b, t - 1]).toFloat() : tf.notEqual(targets, padId).toFloat()
  ) as tf.Tensor2D; // [B, T−1]
  return {
    inputs: timeMajor(tf.slice(tokens, [0, 0], [b, t - 1]) as tf.Tensor2D),
    targets: timeMajor(targets),
    mask: timeMajor(real),
    steps: t - 1,
  };
}
