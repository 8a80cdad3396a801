// The model contract as the trainer uses it (defined in models/contract.ts), and a Decoder over
// cached encoder features for evaluating on them.
import type * as tf from '@tensorflow/tfjs';
import type { Decoder } from '../decode/types';
import type { CaptionModel } from '../models/contract';

export type { CaptionModel, LossOptions, LossOutput, ModelConfigBase } from '../models/contract';

/**
 * A Decoder whose `encode` takes encoder features instead of images: greedy/beam search over cached
 * features (the search code only passes its input through to encode and reads the batch size).
 */
export function featureDecoder(model: CaptionModel): Decoder {
  return {
    vocabSize: model.vocabSize,
    bosId: model.bosId,
    eosId: model.eosId,
    padId: model.padId,
    mapKind: model.mapKind,
    mapSize: model.mapSize,
    encode: (features) => model.initState(features as unknown as tf.Tensor),
    step: (state, tokens) => model.step(state, tokens),
    reorder: (state, indices) => model.reorder(state, indices),
  };
}
