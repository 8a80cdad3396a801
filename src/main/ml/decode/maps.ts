// Per-word maps for decoded captions: the decoder's attention weights, or for a model without
// attention a gradient saliency map (|∂ log p(word) / ∂ pixels|, max over channels, scaled to [0, 1]),
// in the spirit of Simonyan et al. 2014 "Deep Inside Convolutional Networks".
import * as tf from '@tensorflow/tfjs';
import type { DecodedMaps, Decoder, DecoderState } from './types';

/** Inputs and targets of a teacher-forced replay of the captions: [T] × int32 [N], plus row masks. */
function replayPlan(decoder: Decoder, captions: number[][]) {
  const steps = Math.max(0, ...captions.map((c) => c.length));
  const inputs: number[][] = [];
  const targets: number[][] = [];
  for (let t = 0; t < steps; t++) {
    inputs.push(captions.map((c) => (t === 0 ? decoder.bosId : (c[t - 1] ?? decoder.padId))));
    targets.push(captions.map((c) => c[t] ?? -1));
  }
  return { steps, inputs, targets };
}

/** Replays the captions through the decoder (state carried step to step) and collects its maps. */
export async function computeMaps(
  decoder: Decoder,
  images: tf.Tensor4D,
  captions: number[][],
): Promise<DecodedMaps> {
  const [height, width] = decoder.mapSize;
  const maps: Float32Array[][] = captions.map(() => []);
  const { steps, inputs, targets } = replayPlan(decoder, captions);
  const size = height * width;

  if (decoder.mapKind === 'attention') {
    let state: DecoderState = tf.tidy(() => decoder.encode(images));
    try {
      for (let t = 0; t < steps; t++) {
        const tok = tf.tensor1d(inputs[t], 'int32');
        const r = tf.tidy(() => decoder.step(state, tok));
        tf.dispose([tok, state, r.logits]);
        state = r.state;
        if (!r.attention) throw new Error('The decoder says it has attention maps but step returned none.');
        const a = await r.attention.data();
        r.attention.dispose();
        captions.forEach((c, i) => {
          if (t < c.length) maps[i].push(Float32Array.from(a.subarray(i * size, (i + 1) * size)));
        });
      }
    } finally {
      tf.dispose(state);
    }
    return { kind: 'attention', height, width, maps };
  }

  // Saliency: one gradient per word position; each replays the prefix (a gradient needs the graph,
  // tfjs has no tape to keep between calls). Rows are independent, so the gradient of the sum over
  // rows gives every image its own map.
  for (let t = 0; t < steps; t++) {
    const sal = tf.tidy(() => {
      const tgt = targets[t];
      const valid = tf.tensor1d(
        tgt.map((x) => (x >= 0 ? 1 : 0)),
        'float32',
      ); // [N]
      const onehot = tf.mul(
        tf
          .oneHot(
            tf.tensor1d(
              tgt.map((x) => Math.max(0, x)),
              'int32',
            ),
            decoder.vocabSize,
          )
          .toFloat(),
        valid.expandDims(1),
      ); // [N, V]
      const f = (img: tf.Tensor) => {
        let state = decoder.encode(img as tf.Tensor4D, { inputGrad: true });
        let logits: tf.Tensor2D | null = null;
        for (let s = 0; s <= t; s++) {
          const r = decoder.step(state, tf.tensor1d(inputs[s], 'int32'));
          state = r.state;
          logits = r.logits;
        }
        return tf.sum(tf.mul(tf.logSoftmax(logits!), onehot));
      };
      const g = tf.grad(f)(images); // [N, H, W, C]
      const m = tf.max(tf.abs(g), 3); // [N, H, W]
      const peak = tf.max(m.reshape([m.shape[0], -1]), 1).reshape([-1, 1, 1]); // [N, 1, 1]
      return tf.div(m, tf.maximum(peak, 1e-12)); // [N, H, W] in [0, 1]
    });
    const a = await sal.data();
    sal.dispose();
    captions.forEach((c, i) => {
      if (t < c.length) maps[i].push(Float32Array.from(a.subarray(i * size, (i + 1) * size)));
    });
  }
  return { kind: 'saliency', height, width, maps };
}
