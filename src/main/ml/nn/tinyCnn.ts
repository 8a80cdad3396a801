// The small CNN encoder of the `tiny` presets: conv3×3 + ReLU + 2× max-pool per entry of `channels`
// ('same' padding), so 64 px with three convs gives an 8×8 map. Parameters `${prefix}conv.${i}.*`.
import * as tf from '@tensorflow/tfjs';
import { Conv2d } from './layers';
import type { ParamStore } from './module';

export class TinyCnn {
  readonly channels: number;
  readonly grid: readonly [number, number];
  private readonly convs: Conv2d[];

  constructor(ps: ParamStore, prefix: string, e: { imageSize: number; channels: readonly number[] }) {
    this.convs = e.channels.map(
      (co, i) => new Conv2d(ps, `${prefix}conv.${i}`, i ? e.channels[i - 1] : 3, co),
    );
    this.channels = e.channels[e.channels.length - 1];
    const side = e.imageSize / 2 ** e.channels.length;
    this.grid = [side, side];
  }

  /**
   * images [N, S, S, 3] → map [N, S/2^k, S/2^k, C]. Training needs no gradient to the pixels (the
   * first conv's input gradient is the costliest backward conv), saliency maps do: `inputGrad`,
   * which gives the gradient to the pixels only (none to the weights: saliency trains nothing).
   */
  apply(images: tf.Tensor4D, inputGrad = false): tf.Tensor4D {
    let x = images; // [N, S, S, 3]
    this.convs.forEach(
      (conv, i) => (x = tf.maxPool(conv.apply(x, i > 0 || inputGrad, !inputGrad), 2, 2, 'valid')), // [N, S/2^(i+1), ·, C_i]
    );
    return x;
  }
}
