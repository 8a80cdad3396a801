// A checkpoint whose config was edited to huge sizes is refused before any model is built from it
// (no gigabyte allocation, no "internal" error), by checking the config's sizes against the
// tensors in the file; the same checkpoint unedited still loads.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createModel, loadModel } from '../../src/main/ml/models/registry';
import { readSafetensors, writeSafetensors } from '../../src/main/ml/weights/safetensors';
import { AppError } from '../../src/shared/result';

async function checkpointWith(edit: (config: Record<string, unknown>) => void): Promise<Uint8Array> {
  const model = createModel('cnn-lstm-attn', 'tiny', 30, 1);
  const bytes = await model.save('{"words":[]}');
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
        loadModel(bytes).model.dispose();
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
    const { model, vocabulary } = loadModel(bytes);
    expect(vocabulary).toBe('{"words":[]}');
    expect(model.vocabSize).toBe(30);
    model.dispose();
  });
});
