// Per-word maps for decoded captions: the decoder's attention weights, or for a model without
// attention a gradient saliency map (|∂ log p(word) / ∂ pixels|, max over channels, scaled to [0, 1]),
// in the spirit of Simonyan et al. 2014 "Deep Inside Convolutional Networks".
import * as tf from '@tensorflow/tfjs';
import type { DecodedMaps, Decoder, DecoderState } from './types';

/**
 * Image pixels per saliency backward pass (copies × images × height × width): 64 copies of a
 * 64-px image (every word of a caption at once), 2 copies of a 299-px one.
 */
export const PIXELS_PER_PASS = 64 * 64 * 64;

export interface MapOptions {
  /** Saliency: pixels per backward pass (default PIXELS_PER_PASS); fewer means more passes. */
  pixelsPerPass?: number;
}

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
  opts: MapOptions = {},
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

  // Saliency in one backward pass per chunk of words: the decoder runs on K copies of the images,
  // and the loss sums copy j's log-prob of word t_j only. Rows are independent, so the gradient to
  // copy j's pixels is word t_j's gradient alone: the same map as a backward pass of its own, at
  // the cost of one (a copy of the prefix for each word in one batch instead of T replays).
  const [n, ih, iw] = images.shape;
  const perPass = Math.max(1, Math.floor((opts.pixelsPerPass ?? PIXELS_PER_PASS) / (n * ih * iw)));
  for (let t0 = 0; t0 < steps; t0 += perPass) {
    const words = Array.from({ length: Math.min(perPass, steps - t0) }, (_, j) => t0 + j);
    const k = words.length;
    const last = words[k - 1];
    const sal = tf.tidy(() => {
      const onehots = words.map((t) => {
        const tgt = targets[t];
        const valid = tf.tensor1d(
          tgt.map((x) => (x >= 0 ? 1 : 0)),
          'float32',
        ); // [N]
        const ids = tf.tensor1d(
          tgt.map((x) => Math.max(0, x)),
          'int32',
        ); // [N]
        return tf.mul(tf.oneHot(ids, decoder.vocabSize).toFloat(), valid.expandDims(1)); // [N, V]
      });
      const copies = tf.tile(images, [k, 1, 1, 1]); // [K·N, H, W, C]; copy j is rows j·N … j·N+N−1
      const f = (img: tf.Tensor) => {
        let state = decoder.encode(img as tf.Tensor4D, { inputGrad: true });
        let total: tf.Tensor = tf.scalar(0);
        for (let s = 0; s <= last; s++) {
          const tok = tf.tensor1d(
            words.flatMap(() => inputs[s]),
            'int32',
          ); // [K·N]
          const r = decoder.step(state, tok);
          state = r.state;
          const j = s - t0; // the copy whose word is s
          if (j < 0) continue;
          const rows = tf.slice(r.logits, [j * n, 0], [n, -1]); // [N, V]
          total = tf.add(total, tf.sum(tf.mul(tf.logSoftmax(rows), onehots[j])));
        }
        return total;
      };
      const g = tf.grad(f)(copies); // [K·N, H, W, C]
      const m = tf.max(tf.abs(g), 3); // [K·N, H, W]
      const peak = tf.max(m.reshape([m.shape[0], -1]), 1).reshape([-1, 1, 1]); // [K·N, 1, 1]
      return tf.div(m, tf.maximum(peak, 1e-12)); // [K·N, H, W] in [0, 1]
    });
    const a = await sal.data();
    sal.dispose();
    words.forEach((t, j) =>
      captions.forEach((c, i) => {
        const at = (j * n + i) * size;
        if (t < c.length) maps[i].push(Float32Array.from(a.subarray(at, at + size)));
      }),
    );
  }
  return { kind: 'saliency', height, width, maps };
}
