// One optimiser step, the trainer's own (the bench times this too): the model's training loss on a
// batch, gradients of the trainable parameters, and an Adam update unless the loss is not finite.
import * as tf from '@tensorflow/tfjs';
import type { CaptionModel, LossOptions } from '../models/contract';
import type { Adam } from './optim';

export interface StepInput {
  /** Encoder features [B, ...] (frozen encoder) or images [B, S, S, 3]. */
  input: tf.Tensor;
  frozen: boolean;
  /** Padded captions [B, T] and their mask of real tokens in `loss.mask`. */
  tokens: tf.Tensor2D;
  loss: LossOptions;
  /** The parameters to train, by name. */
  params: ReadonlyArray<[string, tf.Variable]>;
  /** Learning rate of each parameter. */
  lr: (name: string) => number;
  clipNorm: number;
}

/** Runs one step; `applied` is false when the loss was not finite (the update is skipped). */
export async function trainStep(
  model: CaptionModel,
  adam: Adam,
  s: StepInput,
): Promise<{ loss: number; xent: number; applied: boolean }> {
  const byTfName = new Map(s.params.map(([name, v]) => [v.name, name]));
  let xent: tf.Scalar | null = null;
  const { value, grads } = tf.variableGrads(
    () => {
      const feats = s.frozen ? s.input : model.features(s.input as tf.Tensor4D);
      const out = model.loss(feats, s.tokens, s.loss);
      xent = tf.keep(out.xent);
      return out.loss;
    },
    s.params.map(([, v]) => v),
  );
  const [loss, x] = [(await value.data())[0], (await xent!.data())[0]];
  tf.dispose([value, xent!]);
  const applied = Number.isFinite(loss);
  if (applied) {
    const named = new Map(Object.entries(grads).map(([k, g]) => [byTfName.get(k)!, g]));
    await adam.apply(s.params, named, s.lr, s.clipNorm);
  }
  tf.dispose(Object.values(grads));
  return { loss, xent: x, applied };
}
