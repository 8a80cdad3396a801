// Inception v3 (Szegedy et al. 2016) as torchvision builds it (models/inception.py: BasicConv2d =
// conv without bias + BatchNorm eps 0.001 + ReLU; Mixed_5b … Mixed_7c), up to the last 8×8 feature
// map, so ImageNet weights in torchvision naming (timm's `inception_v3.tv_in1k` safetensors) load
// by name. A width multiplier scales every conv for CPU checks of the `full` presets.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/result';
import type { ParamStore } from '../nn/module';
import { matMul2d } from '../nn/ops';
import { readSafetensors } from '../weights/safetensors';

export interface InceptionConfig {
  /** Square input side; torchvision's minimum is 75, the pretrained weights expect 299. */
  imageSize: number;
  /** Channel multiplier (1 = the published network; e.g. 0.125 for CPU-sized checks). */
  width: number;
}

export function resolveInceptionConfig(c: Partial<InceptionConfig>): Readonly<InceptionConfig> {
  const imageSize = c.imageSize ?? 299;
  const width = c.width ?? 1;
  if (!Number.isSafeInteger(imageSize) || imageSize < 75)
    throw new AppError(
      'invalid_argument',
      `Inception v3 needs images of at least 75 px (torchvision's minimum); got ${imageSize}. Use 299 with pretrained weights.`,
    );
  if (!(width > 0 && width <= 1))
    throw new AppError('invalid_argument', `Inception v3 width must be in (0, 1], got ${width}.`);
  return Object.freeze({ imageSize, width });
}

/** Output side of a conv/pool: floor((n + 2p − k) / s) + 1. */
const outSize = (n: number, k: number, s: number, p: number) => Math.floor((n + 2 * p - k) / s) + 1;

/** dW of a 'valid' conv with stride s: im2col(x)ᵀ @ dy, the columns from kh·kw strided slices. */
function filterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, kh: number, kw: number, s: number): tf.Tensor4D {
  const [n, , , ci] = x.shape;
  const [, ho, wo, co] = dy.shape;
  const cols: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      cols.push(
        tf.stridedSlice(x, [0, i, j, 0], [n, i + s * (ho - 1) + 1, j + s * (wo - 1) + 1, ci], [1, s, s, 1]),
      ); // [N, Ho, Wo, Ci]
  const patches = tf.concat(cols, 3).reshape([n * ho * wo, kh * kw * ci]); // [NHoWo, kh·kw·Ci]
  const dW = tf.matMul(tf.transpose(patches), dy.reshape([n * ho * wo, co])); // [kh·kw·Ci, Co]
  return dW.reshape([kh, kw, ci, co]) as tf.Tensor4D;
}

/**
 * A 'valid' conv with stride s whose filter gradient avoids the wasm backend's missing
 * Conv2DBackpropFilter (tfjs 4.22); the input gradient uses Conv2DBackpropInput, which exists.
 */
function convValid(x: tf.Tensor4D, w: tf.Tensor4D, s: number): tf.Tensor4D {
  const op = tf.customGrad(((xi: tf.Tensor4D, wi: tf.Tensor4D, save: (t: tf.Tensor[]) => void) => {
    save([xi, wi]);
    return {
      value: tf.conv2d(xi, wi, s, 'valid'), // [N, Ho, Wo, Co]
      gradFunc: (dy: tf.Tensor4D, [xs, ws]: tf.Tensor[]) => [
        tf.conv2dTranspose(dy, ws as tf.Tensor4D, xs.shape as [number, number, number, number], s, 'valid'),
        filterGrad(xs as tf.Tensor4D, dy, ws.shape[0]!, ws.shape[1]!, s),
      ],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, w) as tf.Tensor4D;
}

/** What one BasicConv2d expects from a torchvision state dict (names relative to the block). */
interface ConvSpec {
  name: string;
  ci: number;
  co: number;
  kh: number;
  kw: number;
}

/** conv (no bias) → BatchNorm (running statistics, eps 0.001) → ReLU, torchvision's BasicConv2d. */
class BasicConv2d {
  readonly weight: tf.Variable; // [kh, kw, Ci, Co] (tfjs layout; torch stores [Co, Ci, kh, kw])
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly mean: tf.Variable;
  readonly variance: tf.Variable;
  constructor(
    ps: ParamStore,
    readonly spec: ConvSpec,
    prefix: string,
    readonly stride = 1,
    readonly pad: readonly [number, number] = [0, 0],
  ) {
    const { ci, co, kh, kw, name } = spec;
    const p = `${prefix}${name}`;
    this.weight = ps.normal(`${p}.conv.weight`, [kh, kw, ci, co], Math.sqrt(2 / (kh * kw * ci)));
    this.gamma = ps.filled(`${p}.bn.weight`, [co], 1);
    this.beta = ps.filled(`${p}.bn.bias`, [co], 0);
    this.mean = ps.filled(`${p}.bn.running_mean`, [co], 0);
    this.variance = ps.filled(`${p}.bn.running_var`, [co], 1);
  }

  /** x [N, H, W, Ci] → [N, H', W', Co] */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    const { ci, co, kh, kw } = this.spec;
    const [n, h, w] = x.shape;
    let y: tf.Tensor4D;
    if (kh === 1 && kw === 1 && this.stride === 1) {
      // a 1×1 conv is a matMul: XNNPACK forward and the explicit-transpose gradient of matMul2d
      const x2 = x.reshape([n * h * w, ci]) as tf.Tensor2D; // [NHW, Ci]
      y = matMul2d(x2, this.weight.reshape([ci, co]) as tf.Tensor2D).reshape([n, h, w, co]) as tf.Tensor4D;
    } else {
      const [ph, pw] = this.pad;
      const xp =
        ph || pw
          ? tf.pad(x, [
              [0, 0],
              [ph, ph],
              [pw, pw],
              [0, 0],
            ])
          : x; // [N, H+2ph, W+2pw, Ci]
      y = convValid(xp as tf.Tensor4D, this.weight as tf.Tensor4D, this.stride); // [N, H', W', Co]
    }
    // BatchNorm in inference form (frozen statistics, the usual choice when fine-tuning with small batches)
    const scale = tf.mul(this.gamma, tf.rsqrt(tf.add(this.variance, 0.001))); // [Co]
    const shift = tf.sub(this.beta, tf.mul(this.mean, scale)); // [Co]
    return tf.relu(tf.add(tf.mul(y, scale), shift)) as tf.Tensor4D;
  }
}

/** F.avg_pool2d(x, 3, stride=1, padding=1) with count_include_pad (torch's default): always ÷ 9. */
function avgPool3(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const xp = tf.pad(x, [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ]); // [N, H+2, W+2, C]
  const parts: tf.Tensor[] = [];
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) parts.push(tf.slice(xp, [0, i, j, 0], [n, h, w, c]));
  return tf.div(tf.addN(parts), 9) as tf.Tensor4D; // [N, H, W, C]
}

const maxPool3s2 = (x: tf.Tensor4D) => tf.maxPool(x, 3, 2, 'valid') as tf.Tensor4D;

type Block = (x: tf.Tensor4D) => tf.Tensor4D;

export class InceptionV3 {
  readonly channels: number;
  readonly grid: readonly [number, number];
  /** Every conv block with its torchvision name and shapes, in forward order. */
  readonly convs: BasicConv2d[] = [];
  private readonly blocks: Block[] = [];

  constructor(
    private readonly ps: ParamStore,
    /** Prefix of our parameter names: `encoder.` → `encoder.Mixed_5b.branch1x1.conv.weight`. */
    readonly prefix: string,
    config: InceptionConfig,
  ) {
    const c = (n: number) => Math.max(1, Math.round(n * config.width));
    const conv = (
      name: string,
      ci: number,
      co: number,
      k: number | [number, number],
      s = 1,
      pad: number | [number, number] = 0,
    ) => {
      const [kh, kw] = typeof k === 'number' ? [k, k] : k;
      const p: [number, number] = typeof pad === 'number' ? [pad, pad] : pad;
      const b = new BasicConv2d(this.ps, { name, ci, co, kh, kw }, prefix, s, p);
      this.convs.push(b);
      return b;
    };
    let size = config.imageSize;
    const stem = [
      conv('Conv2d_1a_3x3', 3, c(32), 3, 2),
      conv('Conv2d_2a_3x3', c(32), c(32), 3),
      conv('Conv2d_2b_3x3', c(32), c(64), 3, 1, 1),
    ];
    size = outSize(outSize(outSize(size, 3, 2, 0), 3, 1, 0), 3, 1, 1);
    size = outSize(size, 3, 2, 0); // maxpool1
    const stem2 = [conv('Conv2d_3b_1x1', c(64), c(80), 1), conv('Conv2d_4a_3x3', c(80), c(192), 3)];
    size = outSize(outSize(size, 1, 1, 0), 3, 1, 0);
    size = outSize(size, 3, 2, 0); // maxpool2
    this.blocks.push((x) => {
      let y = x;
      for (const b of stem) y = b.apply(y);
      y = maxPool3s2(y);
      for (const b of stem2) y = b.apply(y);
      return maxPool3s2(y);
    });

    let ch = c(192);
    const inceptionA = (name: string, pool: number) => {
      const ci = ch;
      const b1 = conv(`${name}.branch1x1`, ci, c(64), 1);
      const b5 = [
        conv(`${name}.branch5x5_1`, ci, c(48), 1),
        conv(`${name}.branch5x5_2`, c(48), c(64), 5, 1, 2),
      ];
      const b3 = [
        conv(`${name}.branch3x3dbl_1`, ci, c(64), 1),
        conv(`${name}.branch3x3dbl_2`, c(64), c(96), 3, 1, 1),
        conv(`${name}.branch3x3dbl_3`, c(96), c(96), 3, 1, 1),
      ];
      const bp = conv(`${name}.branch_pool`, ci, c(pool), 1);
      ch = c(64) + c(64) + c(96) + c(pool);
      this.blocks.push((x) => tf.concat([b1.apply(x), seq(b5, x), seq(b3, x), bp.apply(avgPool3(x))], 3));
    };
    const inceptionB = (name: string) => {
      const ci = ch;
      const b3 = conv(`${name}.branch3x3`, ci, c(384), 3, 2);
      const bd = [
        conv(`${name}.branch3x3dbl_1`, ci, c(64), 1),
        conv(`${name}.branch3x3dbl_2`, c(64), c(96), 3, 1, 1),
        conv(`${name}.branch3x3dbl_3`, c(96), c(96), 3, 2),
      ];
      ch = c(384) + c(96) + ci;
      size = outSize(size, 3, 2, 0);
      this.blocks.push((x) => tf.concat([b3.apply(x), seq(bd, x), maxPool3s2(x)], 3));
    };
    const inceptionC = (name: string, c7n: number) => {
      const ci = ch;
      const c7 = c(c7n);
      const b1 = conv(`${name}.branch1x1`, ci, c(192), 1);
      const b7 = [
        conv(`${name}.branch7x7_1`, ci, c7, 1),
        conv(`${name}.branch7x7_2`, c7, c7, [1, 7], 1, [0, 3]),
        conv(`${name}.branch7x7_3`, c7, c(192), [7, 1], 1, [3, 0]),
      ];
      const bd = [
        conv(`${name}.branch7x7dbl_1`, ci, c7, 1),
        conv(`${name}.branch7x7dbl_2`, c7, c7, [7, 1], 1, [3, 0]),
        conv(`${name}.branch7x7dbl_3`, c7, c7, [1, 7], 1, [0, 3]),
        conv(`${name}.branch7x7dbl_4`, c7, c7, [7, 1], 1, [3, 0]),
        conv(`${name}.branch7x7dbl_5`, c7, c(192), [1, 7], 1, [0, 3]),
      ];
      const bp = conv(`${name}.branch_pool`, ci, c(192), 1);
      ch = 4 * c(192);
      this.blocks.push((x) => tf.concat([b1.apply(x), seq(b7, x), seq(bd, x), bp.apply(avgPool3(x))], 3));
    };
    const inceptionD = (name: string) => {
      const ci = ch;
      const b3 = [
        conv(`${name}.branch3x3_1`, ci, c(192), 1),
        conv(`${name}.branch3x3_2`, c(192), c(320), 3, 2),
      ];
      const b7 = [
        conv(`${name}.branch7x7x3_1`, ci, c(192), 1),
        conv(`${name}.branch7x7x3_2`, c(192), c(192), [1, 7], 1, [0, 3]),
        conv(`${name}.branch7x7x3_3`, c(192), c(192), [7, 1], 1, [3, 0]),
        conv(`${name}.branch7x7x3_4`, c(192), c(192), 3, 2),
      ];
      ch = c(320) + c(192) + ci;
      size = outSize(size, 3, 2, 0);
      this.blocks.push((x) => tf.concat([seq(b3, x), seq(b7, x), maxPool3s2(x)], 3));
    };
    const inceptionE = (name: string) => {
      const ci = ch;
      const b1 = conv(`${name}.branch1x1`, ci, c(320), 1);
      const b3 = conv(`${name}.branch3x3_1`, ci, c(384), 1);
      const b3a = conv(`${name}.branch3x3_2a`, c(384), c(384), [1, 3], 1, [0, 1]);
      const b3b = conv(`${name}.branch3x3_2b`, c(384), c(384), [3, 1], 1, [1, 0]);
      const bd = [
        conv(`${name}.branch3x3dbl_1`, ci, c(448), 1),
        conv(`${name}.branch3x3dbl_2`, c(448), c(384), 3, 1, 1),
      ];
      const bda = conv(`${name}.branch3x3dbl_3a`, c(384), c(384), [1, 3], 1, [0, 1]);
      const bdb = conv(`${name}.branch3x3dbl_3b`, c(384), c(384), [3, 1], 1, [1, 0]);
      const bp = conv(`${name}.branch_pool`, ci, c(192), 1);
      ch = c(320) + 4 * c(384) + c(192);
      this.blocks.push((x) => {
        const y3 = b3.apply(x);
        const yd = seq(bd, x);
        return tf.concat(
          [b1.apply(x), b3a.apply(y3), b3b.apply(y3), bda.apply(yd), bdb.apply(yd), bp.apply(avgPool3(x))],
          3,
        );
      });
    };
    inceptionA('Mixed_5b', 32);
    inceptionA('Mixed_5c', 64);
    inceptionA('Mixed_5d', 64);
    inceptionB('Mixed_6a');
    inceptionC('Mixed_6b', 128);
    inceptionC('Mixed_6c', 160);
    inceptionC('Mixed_6d', 160);
    inceptionC('Mixed_6e', 192);
    inceptionD('Mixed_7a');
    inceptionE('Mixed_7b');
    inceptionE('Mixed_7c');
    this.channels = ch;
    this.grid = [size, size];
  }

  /** images [N, S, S, 3] in [−1, 1] → feature map [N, g, g, C] (8×8×2048 at 299 px, width 1). */
  apply(images: tf.Tensor4D): tf.Tensor4D {
    let x = images;
    for (const b of this.blocks) x = b(x);
    return x;
  }

  /** The torchvision names and shapes this network expects, e.g. Mixed_5b.branch1x1.conv.weight [64, 192, 1, 1]. */
  expected(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const b of this.convs) {
      const { name, ci, co, kh, kw } = b.spec;
      out.set(`${name}.conv.weight`, [co, ci, kh, kw]);
      for (const k of ['weight', 'bias', 'running_mean', 'running_var']) out.set(`${name}.bn.${k}`, [co]);
    }
    return out;
  }

  /**
   * Assigns ImageNet weights given by torchvision name (conv weights [Co, Ci, kh, kw], transposed
   * here to tfjs's [kh, kw, Ci, Co]). The classifier (`fc.*`), the auxiliary head (`AuxLogits.*`) and
   * BatchNorm's `num_batches_tracked` are not part of the encoder and are skipped. Anything missing,
   * unexpected or mis-shaped is an error that lists every problem, and nothing is assigned.
   */
  loadTorchvision(tensors: ReadonlyMap<string, { shape: number[]; data: () => Float32Array }>): {
    loaded: number;
    skipped: string[];
  } {
    const expected = this.expected();
    const skip = (k: string) =>
      k.startsWith('fc.') || k.startsWith('AuxLogits.') || k.endsWith('.num_batches_tracked');
    const skipped = [...tensors.keys()].filter(skip);
    const missing = [...expected.keys()].filter((k) => !tensors.has(k));
    const unexpected = [...tensors.keys()].filter((k) => !expected.has(k) && !skip(k));
    const wrong = [...expected]
      .filter(([k, s]) => tensors.has(k) && tensors.get(k)!.shape.join(',') !== s.join(','))
      .map(([k, s]) => `${k} (expected [${s}], file [${tensors.get(k)!.shape}])`);
    if (missing.length || unexpected.length || wrong.length) {
      const parts = [
        missing.length ? `missing ${missing.length}: ${missing.join(', ')}` : '',
        unexpected.length ? `unexpected ${unexpected.length}: ${unexpected.join(', ')}` : '',
        wrong.length ? `wrong shape ${wrong.length}: ${wrong.join(', ')}` : '',
      ].filter(Boolean);
      throw new AppError(
        'invalid_argument',
        `These Inception v3 weights do not fit the encoder (${parts.join('; ')}). Use torchvision-named ImageNet ` +
          `weights (timm inception_v3.tv_in1k) with encoder width 1, or weights made for this width.`,
        { missing, unexpected, wrongShape: wrong },
      );
    }
    for (const b of this.convs) {
      const n = b.spec.name;
      const get = (k: string) => tensors.get(`${n}.${k}`)!;
      const w = get('conv.weight');
      tf.tidy(() => b.weight.assign(tf.transpose(tf.tensor(w.data(), w.shape), [2, 3, 1, 0])));
      for (const [v, k] of [
        [b.gamma, 'bn.weight'],
        [b.beta, 'bn.bias'],
        [b.mean, 'bn.running_mean'],
        [b.variance, 'bn.running_var'],
      ] as const)
        tf.tidy(() => v.assign(tf.tensor1d(get(k).data())));
    }
    return { loaded: expected.size, skipped };
  }
}

const seq = (blocks: BasicConv2d[], x: tf.Tensor4D): tf.Tensor4D => blocks.reduce((y, b) => b.apply(y), x);

/**
 * Loads ImageNet weights into an encoder of a model (preset 'full') from safetensors bytes in
 * torchvision naming (timm `inception_v3.tv_in1k`); throws with every missing, unexpected and
 * mis-shaped tensor, and when the model's encoder is not Inception v3.
 */
export function loadInceptionWeights(
  encoder: InceptionV3 | null,
  bytes: Uint8Array,
): { loaded: number; skipped: string[] } {
  if (!encoder)
    throw new AppError(
      'invalid_argument',
      `Pretrained encoder weights need the inception-v3 encoder (preset 'full').`,
    );
  const file = readSafetensors(bytes);
  const tensors = new Map(
    file.names.map((n) => [n, { shape: file.info(n).shape, data: () => file.float32(n) }] as const),
  );
  return encoder.loadTorchvision(tensors);
}
