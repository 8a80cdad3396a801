// The trainer's config: defaults, frozen result, and a clear error for each kind of bad input.
import { describe, expect, it } from 'vitest';
import { checkEncoderWeights, encoderLearningRate, resolveTrainConfig } from './config';

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
    expect(() => resolveTrainConfig({ model: 'vit-gpt2' } as never)).toThrow(/Unknown model 'vit-gpt2'/);
  });

  it("refuses a full (Inception) run without encoder weights, saying what to do, unless told 'from scratch'", () => {
    const full = resolveTrainConfig({ model: 'cnn-lstm-attn', preset: 'full' });
    expect(() => checkEncoderWeights(full)).toThrow(
      /encoderWeights is needed: .*--encoder-weights FILE.*encoderFromScratch: true/,
    );
    expect(() => checkEncoderWeights({ ...full, encoderWeights: '/w.safetensors' })).not.toThrow();
    expect(() => checkEncoderWeights({ ...full, encoderFromScratch: true })).not.toThrow();
    // the tiny CNN trains from scratch anyway; a full preset with a tiny encoder needs no weights
    expect(() => checkEncoderWeights(resolveTrainConfig({ model: 'cnn-lstm' }))).not.toThrow();
    const tinyEncoder = { encoder: { kind: 'tiny-cnn', imageSize: 64, channels: [8, 8, 8] } };
    expect(() =>
      checkEncoderWeights(
        resolveTrainConfig({ model: 'cnn-lstm', preset: 'full', modelOverrides: tinyEncoder }),
      ),
    ).not.toThrow();
  });

  it('fine-tunes the encoder at encoderLr (1e-4 by default, following the schedule), from scratch at lr', () => {
    const c = resolveTrainConfig({ model: 'cnn-lstm' });
    expect([c.encoderLr, c.fineTuneBlocks, c.cropScale, c.cachedCrops]).toEqual([1e-4, null, 0.875, 4]);
    expect(encoderLearningRate(c, 1e-3, false)).toBe(1e-3); // trained from scratch with the decoder
    expect(encoderLearningRate(c, 1e-3, true)).toBeCloseTo(1e-4, 12); // unfrozen after a frozen start
    expect(encoderLearningRate(c, 5e-4, true)).toBeCloseTo(5e-5, 12); // warm-up / decay apply to it too
    const pretrained = { ...c, encoderWeights: '/w.safetensors' };
    expect(encoderLearningRate(pretrained, 1e-3, false)).toBeCloseTo(1e-4, 12);
    expect(() => resolveTrainConfig({ model: 'cnn-lstm', encoderLr: 0 })).toThrow(/encoderLr must be > 0/);
    expect(() => resolveTrainConfig({ model: 'cnn-lstm', fineTuneBlocks: 0 })).toThrow(
      /fineTuneBlocks must be/,
    );
    expect(() => resolveTrainConfig({ model: 'cnn-lstm', cropScale: 1.2 })).toThrow(/cropScale must be in/);
  });

  it("checks the model's own settings at once, refusing unknown ones with the one meant", () => {
    expect(() => resolveTrainConfig({ model: 'cnn-lstm', modelOverrides: { dropuot: 0.5 } })).toThrow(
      /dropuot is not a setting of cnn-lstm \(did you mean dropout\?\)/,
    );
    expect(() => resolveTrainConfig({ model: 'cnn-lstm-attn', modelOverrides: { attnDims: 64 } })).toThrow(
      /did you mean attnDim\?/,
    );
    expect(
      resolveTrainConfig({ model: 'cnn-lstm', modelOverrides: { dropout: 0.3 } }).modelOverrides,
    ).toEqual({
      dropout: 0.3,
    });
  });
});
