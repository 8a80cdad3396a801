// Whole-model parity with the independent PyTorch reference (test/fixtures/vit-gpt2/make_reference.py,
// written from Hugging Face's modeling files): encoder states, logits and every attention map to 1e-4,
// with enc_to_dec_proj (widths 16 → 24, pooler stored) and without (equal widths).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { vitGpt2Forward } from '../../src/main/ml/models/vitGpt2Net';
import { readSafetensors } from '../../src/main/ml/weights/safetensors';
import { archFromHfConfig } from '../../src/main/ml/weights/vitGpt2Names';
import { nodeLoader, selectBackend } from '../../src/main/ml/backend';

const DIR = join(__dirname, '../fixtures/vit-gpt2');

function tensors(file: string) {
  const st = readSafetensors(new Uint8Array(readFileSync(file)));
  return new Map(st.names.map((n) => [n, { shape: st.info(n).shape, data: st.float32(n) }]));
}

function maxDiff(a: tf.Tensor, want: { shape: number[]; data: Float32Array }): number {
  expect(a.shape).toEqual(want.shape);
  const got = a.dataSync();
  let m = 0;
  for (let i = 0; i < got.length; i++) m = Math.max(m, Math.abs(got[i] - want.data[i]));
  return m;
}

beforeAll(async () => {
  await selectBackend(nodeLoader(), 'inference');
});

describe('vit-gpt2 forward matches the PyTorch reference', () => {
  for (const c of ['proj', 'same']) {
    it(`${c}: encoder states, logits, self- and cross-attention to 1e-4`, () => {
      const { arch } = archFromHfConfig(JSON.parse(readFileSync(join(DIR, c, 'config.json'), 'utf8')));
      const weights = tensors(join(DIR, c, 'model.safetensors'));
      const ref = tensors(join(DIR, c, 'outputs.safetensors'));
      const px = ref.get('pixel_values')!;
      const idsRef = ref.get('decoder_input_ids')!;
      const [b, t] = idsRef.shape;
      const ids = Array.from({ length: b }, (_, i) => Array.from(idsRef.data.slice(i * t, (i + 1) * t)));
      const before = tf.memory().numTensors;
      const pixels = tf.tensor4d(px.data, px.shape as [number, number, number, number]);
      const out = vitGpt2Forward(arch, weights, pixels, ids);
      const checks: [string, tf.Tensor][] = [
        ['encoder_last_hidden_state', out.encoderLastHiddenState],
        ['logits', out.logits],
        ...out.encoderAttentions.map((w, i) => [`encoder_attentions.${i}`, w] as [string, tf.Tensor]),
        ...out.decoderAttentions.map((w, i) => [`decoder_attentions.${i}`, w] as [string, tf.Tensor]),
        ...out.crossAttentions.map((w, i) => [`cross_attentions.${i}`, w] as [string, tf.Tensor]),
      ];
      expect(checks.length).toBe(2 + 3 * arch.decoder.layers);
      for (const [name, got] of checks) {
        const d = maxDiff(got, ref.get(name)!);
        expect(d, `${name}: max |ours − reference| = ${d}`).toBeLessThanOrEqual(1e-4);
      }
      tf.dispose([pixels, ...checks.map(([, x]) => x)]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
