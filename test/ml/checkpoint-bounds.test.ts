// A checkpoint whose config was edited to huge sizes is refused before any model is built from it
// (no gigabyte allocation, no "internal" error), by checking the config's sizes against the
// tensors in the file; the same checkpoint unedited still loads.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadModel, MODELS } from '../../src/main/ml/models/registry';
import { SPECIAL_TOKENS, WordVocab } from '../../src/main/text/index';
import { readSafetensors, writeSafetensors } from '../../src/main/ml/weights/safetensors';
import { AppError } from '../../src/shared/result';

async function checkpointWith(edit: (config: Record<string, unknown>) => void): Promise<Uint8Array> {
  const words = Array.from({ length: 30 - SPECIAL_TOKENS.length }, (_, i) => `w${i}`);
  const tokenizer = new WordVocab([...SPECIAL_TOKENS, ...words]);
  const model = MODELS['cnn-lstm-attn'].create({ preset: 'tiny', seed: 1, tokenizer });
  const bytes = await model.save();
  model.dispose();
  const file = readSafetensors(bytes);
  const config = JSON.parse(file.metadata.config) as Record<string, unknown>;
  edit(config);
  const tensors = new Map(file.names.map((n) => [n, { shape: file.info(n).shape, data: file.float32(n) }]));
  return writeSafetensors(tensors, { ...file.metadata, config: JSON.stringify(config) });
}

describe('checkpoint config sizes', () => {
  it('refuses huge sizes that no tensor in the file has, before allocating, and leaks no tensor', async () => {
    const cases: Array<[string, (c: Record<string, unknown>) => void]> = [
      ['hidden', (c) => (c.hidden = 200_000)],
      ['vocabSize', (c) => (c.vocabSize = 50_000_000)],
      ['encoder.channels[2]', (c) => ((c.encoder as { channels: number[] }).channels[2] = 1_000_000)],
      ['imageSize', (c) => ((c.encoder as { imageSize: number }).imageSize = 65_536)],
    ];
    for (const [field, edit] of cases) {
      const bytes = await checkpointWith(edit);
      const before = tf.memory().numTensors;
      let err: unknown;
      try {
        loadModel(bytes).dispose();
      } catch (e) {
        err = e;
      }
      expect(err, field).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('invalid_argument');
      expect((err as AppError).message).toContain(field);
      expect((err as AppError).message).toMatch(/does not belong to these weights/);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('still loads the checkpoint as saved', async () => {
    const bytes = await checkpointWith(() => {});
    const model = loadModel(bytes);
    expect(model.tokenizer.decode([SPECIAL_TOKENS.length])).toBe('w0');
    expect(model.vocabSize).toBe(30);
    model.dispose();
  });
});
