// The loader and saver against the independent PyTorch reference (test/fixtures/vit-gpt2, written by
// make_reference.py from Hugging Face's modeling files): a folder read with readHfVitGpt2 gives the
// reference's encoder states, logits and attentions to 1e-4, and so does the folder saveHfVitGpt2
// writes from it (with identical outputs).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeLoader, selectBackend } from '../backend';
import { vitGpt2Forward } from '../models/vitGpt2Net';
import { readHfVitGpt2, type HfVitGpt2 } from './hfVitGpt2';
import { saveHfVitGpt2 } from './hfVitGpt2Save';
import { readSafetensors } from './safetensors';

const DIR = join(__dirname, '../../../../test/fixtures/vit-gpt2');
const root = mkdtempSync(join(tmpdir(), 'hf-parity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await selectBackend(nodeLoader(), 'inference');
});

function outputsOf(m: HfVitGpt2, ref: ReturnType<typeof readSafetensors>) {
  const px = ref.info('pixel_values');
  const ids = ref.float32('decoder_input_ids');
  const [b, t] = ref.info('decoder_input_ids').shape;
  const rows = Array.from({ length: b }, (_, i) => Array.from(ids.slice(i * t, (i + 1) * t)));
  const pixels = tf.tensor4d(ref.float32('pixel_values'), px.shape as [number, number, number, number]);
  const out = vitGpt2Forward(m.arch, m.tensors, pixels, rows);
  const named: Record<string, Float32Array> = {
    encoder_last_hidden_state: out.encoderLastHiddenState.dataSync() as Float32Array,
    logits: out.logits.dataSync() as Float32Array,
  };
  out.crossAttentions.forEach((a, i) => (named[`cross_attentions.${i}`] = a.dataSync() as Float32Array));
  out.decoderAttentions.forEach((a, i) => (named[`decoder_attentions.${i}`] = a.dataSync() as Float32Array));
  tf.dispose([
    pixels,
    out.encoderLastHiddenState,
    out.logits,
    ...out.encoderAttentions,
    ...out.decoderAttentions,
    ...out.crossAttentions,
  ]);
  return named;
}

describe('Hugging Face folders against the PyTorch reference', () => {
  for (const c of ['proj', 'same']) {
    it(`${c}: loaded and saved-then-loaded folders give the reference outputs to 1e-4`, () => {
      const ref = readSafetensors(new Uint8Array(readFileSync(join(DIR, c, 'outputs.safetensors'))));
      const loaded = readHfVitGpt2({ dir: join(DIR, c) });
      const before = tf.memory().numTensors;
      const a = outputsOf(loaded, ref);
      expect(tf.memory().numTensors).toBe(before);
      for (const [name, got] of Object.entries(a)) {
        const want = ref.float32(name);
        expect(got.length, name).toBe(want.length);
        let d = 0;
        for (let i = 0; i < got.length; i++) d = Math.max(d, Math.abs(got[i] - want[i]));
        expect(d, `${name}: max |ours − reference| = ${d}`).toBeLessThanOrEqual(1e-4);
      }
      const out = join(root, c);
      saveHfVitGpt2(out, loaded);
      const b = outputsOf(readHfVitGpt2({ dir: out }), ref);
      for (const [name, got] of Object.entries(b)) expect(got, name).toEqual(a[name]);
    });
  }
});
