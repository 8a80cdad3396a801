// `inspect`: one forward pass of a ViT-GPT2 checkpoint on one image and given decoder ids, with
// every intermediate a user needs to compare against a Python pipeline number by number
// (pixel_values, encoder_last_hidden_state, logits, decoder and cross attentions), as JSON arrays.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/result';
import type { RgbImage } from '../../images/decode';
import { vitPixelValues } from '../../images/vitProcessor';
import { vitGpt2Forward } from '../models/vitGpt2Net';
import type { HfVitGpt2 } from './hfVitGpt2';

/** A tensor as JSON: its shape and its values as nested arrays of that shape. */
export interface JsonTensor {
  shape: number[];
  data: unknown;
}

export interface InspectOutput {
  decoder_input_ids: number[][];
  pixel_values: JsonTensor;
  encoder_last_hidden_state: JsonTensor;
  logits: JsonTensor;
  decoder_attentions: JsonTensor[];
  cross_attentions: JsonTensor[];
  encoder_attentions?: JsonTensor[];
}

/** Flat values → nested arrays of `shape`. */
export function nest(values: ArrayLike<number>, shape: number[]): unknown {
  const n = shape.reduce((a, b) => a * b, 1);
  if (values.length !== n) throw new RangeError(`${values.length} values do not fill shape [${shape}]`);
  const build = (dim: number, offset: number): unknown => {
    if (dim === shape.length) return values[offset];
    const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    const out: unknown[] = [];
    for (let i = 0; i < shape[dim]; i++) out.push(build(dim + 1, offset + i * stride));
    return out;
  };
  return shape.length === 0 ? values[0] : build(0, 0);
}

const json = (t: tf.Tensor): JsonTensor => ({ shape: [...t.shape], data: nest(t.dataSync(), [...t.shape]) });

/** Parses "50256,64,3797" into ids checked against the vocabulary. */
export function parseDecoderIds(text: string, vocabSize: number, maxPositions: number): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const ids = parts.map(Number);
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p)))
    throw new AppError(
      'invalid_argument',
      `--decoder-ids takes comma-separated token ids, e.g. 50256,64,3797 (got "${text}").`,
    );
  const bad = ids.find((id) => id >= vocabSize);
  if (bad !== undefined)
    throw new AppError(
      'invalid_argument',
      `Token id ${bad} is not below the decoder's vocabulary size ${vocabSize}.`,
    );
  if (ids.length > maxPositions)
    throw new AppError(
      'invalid_argument',
      `${ids.length} ids are more than the decoder's ${maxPositions} positions.`,
    );
  return ids;
}

/** Runs the checkpoint once on one image; tensors are disposed before returning. */
export function inspectVitGpt2(
  model: Pick<HfVitGpt2, 'arch' | 'tensors' | 'preprocessor'>,
  image: RgbImage,
  decoderIds: number[],
  opts: { encoderAttentions?: boolean } = {},
): InspectOutput {
  const { arch } = model;
  const px = vitPixelValues(image, model.preprocessor);
  const S = arch.encoder.imageSize;
  if (px.length !== 3 * S * S)
    throw new AppError(
      'invalid_argument',
      `The preprocessed image is not ${S}×${S} (do_resize is off and the image is ${image.width}×${image.height}).`,
    );
  const pixels = tf.tensor4d(px, [1, 3, S, S]); // [1, C, H, W]
  try {
    const out = vitGpt2Forward(arch, model.tensors, pixels, [decoderIds]);
    try {
      return {
        decoder_input_ids: [decoderIds],
        pixel_values: json(pixels),
        encoder_last_hidden_state: json(out.encoderLastHiddenState),
        logits: json(out.logits),
        decoder_attentions: out.decoderAttentions.map(json),
        cross_attentions: out.crossAttentions.map(json),
        ...(opts.encoderAttentions ? { encoder_attentions: out.encoderAttentions.map(json) } : {}),
      };
    } finally {
      tf.dispose([
        out.encoderLastHiddenState,
        out.logits,
        ...out.encoderAttentions,
        ...out.decoderAttentions,
        ...out.crossAttentions,
      ]);
    }
  } finally {
    pixels.dispose();
  }
}
