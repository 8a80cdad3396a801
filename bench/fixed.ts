// The benches' decoding reference: a model's decoder with an end id (-1) that never matches, so every
// row decodes the same fixed number of steps (15, as bench/torch_ref.py does).
import type { Decoder } from '../src/main/ml/decode/types';
import type { CaptionModel } from '../src/main/ml/models/contract';

export const fixedLength = (model: CaptionModel): Decoder => ({
  vocabSize: model.vocabSize,
  bosId: model.bosId,
  eosId: -1,
  padId: model.padId,
  mapKind: model.mapKind,
  mapSize: model.mapSize,
  encode: (x, o) => model.encode(x, o),
  step: (s, t) => model.step(s, t),
  reorder: (s, i) => model.reorder(s, i),
});
