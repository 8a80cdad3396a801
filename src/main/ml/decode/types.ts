// The small interface every captioning model implements so greedy/beam search and the per-word maps
// work for all of them: encode images → state; step(state, tokens) → logits, new state, optional map.
import * as tf from '@tensorflow/tfjs';

/** Decoder state: named tensors, every one with the batch (or batch × beam) on axis 0. */
export type DecoderState = Record<string, tf.Tensor>;

// A type alias (not an interface) so that tf.tidy accepts it as a TensorContainer.
export type StepOutput = {
  logits: tf.Tensor2D; // [N, V]
  state: DecoderState;
  /** Attention over the map positions for this word, [N, mapHeight·mapWidth], rows summing to 1. */
  attention?: tf.Tensor2D;
};

export type MapKind = 'attention' | 'saliency';

export interface Decoder {
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  /** 'attention' when step returns attention weights, else 'saliency' (input gradients). */
  readonly mapKind: MapKind;
  /** Grid of the per-word map: the attention grid, or the input image for saliency. */
  readonly mapSize: readonly [number, number];
  /**
   * images [N, H, W, 3] → initial state. `inputGrad` keeps the gradient to the pixels (saliency);
   * the parameters may then get no gradient (nothing is trained through it).
   */
  encode(images: tf.Tensor4D, opts?: { inputGrad?: boolean }): DecoderState;
  /** One token per row (int32 [N]) → next-token logits; never re-runs earlier positions. */
  step(state: DecoderState, tokens: tf.Tensor1D): StepOutput;
  /** Rows of the state picked (and repeated) by indices int32 [M] → state with M rows. */
  reorder(state: DecoderState, indices: tf.Tensor1D): DecoderState;
}

/** The usual reorder: gather every state tensor along axis 0. */
export function gatherState(state: DecoderState, indices: tf.Tensor1D): DecoderState {
  const out: DecoderState = {};
  for (const [k, t] of Object.entries(state)) out[k] = tf.gather(t, indices);
  return out;
}

export interface DecodedMaps {
  kind: MapKind;
  height: number;
  width: number;
  /** maps[i][t]: row-major height×width map for token t of caption i, values in [0, 1] (saliency) or summing to 1 (attention). */
  maps: Float32Array[][];
}

export interface DecodeResult {
  /** Generated ids per image, without bos; ends with eos unless the length limit was hit. */
  tokens: number[][];
  /** Model probability of each generated token. */
  probs: number[][];
  /** Beam search: the hypothesis score (length-penalised sum of log-probs); greedy: sum of log-probs. */
  scores: number[];
  maps?: DecodedMaps;
}
