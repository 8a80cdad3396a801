// The trainer's config: defaults, frozen result, and a clear error for each kind of bad input.
import { describe, expect, it } from 'vitest';
import { resolveTrainConfig } from './config';

describe('resolveTrainConfig', () => {
  it('fills the documented defaults and freezes the result', () => {
    const c = resolveTrainConfig({ model: 'cnn-lstm', epochs: 3 });
    expect(c).toMatchObject({ model: 'cnn-lstm', preset: 'tiny', epochs: 3, batchSize: 32, lr: 1e-3 });
    expect(c.encoderWeights).toBeNull();
    expect(c.earlyStopping).toEqual({ metric: 'ciderD', patience: 0 });
    expect(Object.isFrozen(c) && Object.isFrozen(c.earlyStopping) && Object.isFrozen(c.modelOverrides)).toBe(
      true,
    );
  });

  it('refuses a setting it does not know, suggesting the one meant', () => {
    expect(() => resolveTrainConfig({ model: 'cnn-lstm', encoderWeight: '/w.safetensors' } as never)).toThrow(
      /encoderWeight is not a trainer setting \(did you mean encoderWeights\?\)/,
    );
    expect(() => resolveTrainConfig({ model: 'cnn-lstm', batchsize: 8 } as never)).toThrow(
      /did you mean batchSize\?/,
    );
    expect(() => resolveTrainConfig({ model: 'cnn-lstm', colour: 'red' } as never)).toThrow(
      /colour is not a trainer setting; see/,
    );
  });

  it('checks values: encoder weights path, fine-tuning without a frozen encoder, rates, models', () => {
    expect(() => resolveTrainConfig({ model: 'cnn-lstm', encoderWeights: ' ' })).toThrow(
      /encoderWeights must be/,
    );
    expect(resolveTrainConfig({ model: 'cnn-lstm', encoderWeights: '/w.safetensors' }).encoderWeights).toBe(
      '/w.safetensors',
    );
    expect(() => resolveTrainConfig({ model: 'cnn-lstm', fineTuneFromEpoch: 2 })).toThrow(
      /needs freezeEncoder/,
    );
    expect(() => resolveTrainConfig({ model: 'cnn-lstm', lr: 0 })).toThrow(/lr must be > 0/);
    expect(() => resolveTrainConfig({ model: 'vit-gpt3' } as never)).toThrow(
      /Unknown model 'vit-gpt3'. Choose one of: cnn-lstm, cnn-lstm-attn, vit-gpt2/,
    );
  });
});
