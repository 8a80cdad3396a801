// ViTImageProcessor preprocessing against Pillow (fixture made by test/fixtures/hf/make_vit_preprocess.py
// with Debian's python3-pil), the CHW layout and normalisation, and preprocessor_config.json parsing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeRgb } from './decode';
import { resizePilBilinear } from './preprocess';
import { parseVitProcessor, vitPixelValues, vitProcessorDefaults, vitProcessorJson } from './vitProcessor';

const dir = join(__dirname, '../../../test/fixtures/hf');
const fixture = JSON.parse(readFileSync(join(dir, 'vit-preprocess.json'), 'utf8')) as {
  resized: Record<string, number[]>;
};

describe('ViT preprocessing', () => {
  it('resizes like Pillow 9.4 BILINEAR (shrinking and enlarging), bit for bit', async () => {
    const img = await decodeRgb(readFileSync(join(dir, 'vit-preprocess.png')));
    expect([img.width, img.height]).toEqual([45, 37]);
    for (const [size, want] of Object.entries(fixture.resized)) {
      const [w, h] = size.split('x').map(Number);
      const got = resizePilBilinear(img, w, h).data;
      expect(got.length).toBe(want.length);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
      expect(worst, size).toBe(0);
    }
  });

  it('gives pixel_values [3, H, W]: rescaled by 1/255 and normalised with the config mean and std', async () => {
    const img = await decodeRgb(readFileSync(join(dir, 'vit-preprocess.png')));
    const p = {
      ...vitProcessorDefaults(16),
      mean: [0.5, 0.4, 0.3] as [number, number, number],
      std: [0.5, 0.25, 0.2] as [number, number, number],
    };
    const v = vitPixelValues(img, p);
    const want = fixture.resized['16x16'];
    expect(v.length).toBe(3 * 16 * 16);
    for (let c = 0; c < 3; c++)
      for (let i = 0; i < 256; i++) {
        const x = want[i * 3 + c] / 255;
        expect(Math.abs(v[c * 256 + i] - (x - p.mean[c]) / p.std[c])).toBeLessThanOrEqual(
          1 / 255 / p.std[c] + 1e-6,
        );
      }
    const none = vitPixelValues(img, { ...p, doResize: false, doNormalize: false, doRescale: false });
    expect(none[0]).toBe(img.data[0]);
    expect(none[45 * 37]).toBe(img.data[1]); // channel 1 starts after H·W values
  });

  it('reads old and new preprocessor configs and refuses what it cannot do', () => {
    const old = {
      feature_extractor_type: 'ViTFeatureExtractor',
      size: 224,
      resample: 2,
      do_normalize: true,
      image_mean: [0.5, 0.5, 0.5],
      image_std: [0.5, 0.5, 0.5],
    };
    expect(parseVitProcessor(old, 32)).toMatchObject({
      height: 224,
      width: 224,
      doRescale: true,
      rescaleFactor: 1 / 255,
    });
    const d = vitProcessorDefaults(32);
    expect(parseVitProcessor(JSON.parse(JSON.stringify(vitProcessorJson(d))), 99)).toEqual(d);
    expect(parseVitProcessor(undefined, 48)).toMatchObject({ height: 48, width: 48, mean: [0.5, 0.5, 0.5] });
    expect(() => parseVitProcessor({ ...old, resample: 3 }, 32)).toThrow(/resample.*only 2/);
    expect(() => parseVitProcessor({ ...old, image_processor_type: 'CLIPImageProcessor' }, 32)).toThrow(
      /not ViTImageProcessor/,
    );
    expect(() => parseVitProcessor({ ...old, image_std: [0.5, 0, 0.5] }, 32)).toThrow(/zero/);
    expect(() => parseVitProcessor({ ...old, size: { shortest_edge: 224 } }, 32)).toThrow(/size/);
  });
});
