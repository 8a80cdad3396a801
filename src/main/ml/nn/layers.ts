// Basic layers over ParamStore: Dense, Conv2d (3×3 'same'), Embedding, LayerNorm.
// Weight layouts are ours (Dense weight [in, out] like GPT-2's Conv1D, conv filters [k, k, in, out]
// as tfjs wants them); a Hugging Face importer transposes where a checkpoint differs.
import * as tf from '@tensorflow/tfjs';
import type { ParamStore } from './module';
import { conv2dSame, dense, embeddingLookup } from './ops';

export type Activation = 'linear' | 'relu' | 'tanh';

function activate(x: tf.Tensor, a: Activation): tf.Tensor {
  return a === 'relu' ? tf.relu(x) : a === 'tanh' ? tf.tanh(x) : x;
}

/** y = act(x W + b); `${name}.weight` [in, out], `${name}.bias` [out]. */
export class Dense {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  constructor(
    ps: ParamStore,
    readonly name: string,
    readonly inDim: number,
    readonly outDim: number,
    readonly activation: Activation = 'linear',
    init: { std?: number } = {},
  ) {
    this.weight =
      init.std === undefined
        ? ps.glorot(`${name}.weight`, [inDim, outDim], inDim, outDim)
        : ps.normal(`${name}.weight`, [inDim, outDim], init.std);
    this.bias = ps.filled(`${name}.bias`, [outDim], 0);
  }

  /** x [..., in] → [..., out] */
  apply(x: tf.Tensor): tf.Tensor {
    return activate(dense(x, this.weight as tf.Tensor2D, this.bias as tf.Tensor1D), this.activation);
  }
}

/** Stride-1 'same' conv with bias and optional ReLU; He-normal init (He et al. 2015) for ReLU nets. */
export class Conv2d {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  constructor(
    ps: ParamStore,
    readonly name: string,
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel = 3,
    readonly relu = true,
  ) {
    const fanIn = kernel * kernel * inChannels;
    this.weight = ps.normal(
      `${name}.weight`,
      [kernel, kernel, inChannels, outChannels],
      Math.sqrt(2 / fanIn),
    );
    this.bias = ps.filled(`${name}.bias`, [outChannels], 0);
  }

  /** x [N, H, W, in] → [N, H, W, out]; `paramGrad: false` gives the weights no gradient (saliency). */
  apply(x: tf.Tensor4D, inputGrad = true, paramGrad = true): tf.Tensor4D {
    return conv2dSame(x, this.weight as tf.Tensor4D, this.bias as tf.Tensor1D, {
      relu: this.relu,
      inputGrad,
      paramGrad,
    });
  }
}

/** Token embedding table `${name}.weight` [vocab, dim]. */
export class Embedding {
  readonly weight: tf.Variable;
  constructor(
    ps: ParamStore,
    readonly name: string,
    readonly vocabSize: number,
    readonly dim: number,
    std = 0.1,
  ) {
    this.weight = ps.normal(`${name}.weight`, [vocabSize, dim], std);
  }

  /** ids [...] int32 → [..., dim] */
  apply(ids: tf.Tensor): tf.Tensor {
    return embeddingLookup(this.weight as tf.Tensor2D, ids);
  }
}

/**
 * Layer norm over the last axis with biased variance and eps inside the square root, as
 * torch.nn.LayerNorm; eps 1e-5 is the GPT-2 / PyTorch default (ViT in HF uses 1e-12).
 * Autograd is fine here: only element-wise ops and reductions, no matMul.
 */
export class LayerNorm {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  constructor(
    ps: ParamStore,
    readonly name: string,
    readonly dim: number,
    readonly eps = 1e-5,
  ) {
    this.weight = ps.filled(`${name}.weight`, [dim], 1);
    this.bias = ps.filled(`${name}.bias`, [dim], 0);
  }

  /** x [..., dim] → [..., dim] */
  apply(x: tf.Tensor): tf.Tensor {
    const { mean, variance } = tf.moments(x, -1, true); // [..., 1]
    const norm = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
    return tf.add(tf.mul(norm, this.weight), this.bias);
  }
}
