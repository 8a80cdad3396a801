// What transformers 5.17 makes of a folder saved by saveHfVitGpt2 (recorded in
// test/fixtures/hf/transformers-checks.json by make_transformers_checks.py): the same config, the same
// token ids from the saved tokenizer files, the same pixel_values from the saved preprocessor config.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeRgb } from '../../images/decode';
import { vitPixelValues } from '../../images/vitProcessor';
import { loadHfTokenizer } from '../../text/hf';
import { readHfVitGpt2 } from './hfVitGpt2';
import { saveHfVitGpt2 } from './hfVitGpt2Save';
import { readSafetensors } from './safetensors';
import { writeTinyVed } from './tinyHfCheckpoint';

const fixtures = join(__dirname, '../../../../test/fixtures/hf');
const want = JSON.parse(readFileSync(join(fixtures, 'transformers-checks.json'), 'utf8'));
const root = mkdtempSync(join(tmpdir(), 'hf-transformers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a saved folder as transformers reads it', () => {
  // The same steps as test/fixtures/hf/save_tiny.ts.
  writeTinyVed(join(root, 'src'), 'ved-legacy');
  saveHfVitGpt2(join(root, 'saved'), readHfVitGpt2({ dir: join(root, 'src') }));
  const saved = readHfVitGpt2({ dir: join(root, 'saved') });

  it('has the config, generation settings and tensors transformers found', () => {
    expect(want.config_class).toBe('VisionEncoderDecoderConfig');
    expect(want.decoder).toEqual({
      model_type: 'gpt2',
      n_embd: 32,
      add_cross_attention: true,
      is_decoder: true,
    });
    expect(want.encoder).toEqual({ model_type: 'vit', hidden_size: 32, image_size: 32 });
    expect(want.decoder_start_token_id).toBe(saved.arch.decoder.decoderStartTokenId);
    expect(want.pad_token_id).toBe(saved.arch.decoder.padTokenId);
    expect(want.generation).toEqual({
      decoder_start_token_id: saved.generation.decoderStartTokenId,
      eos_token_id: saved.generation.eosTokenId,
      pad_token_id: saved.generation.padTokenId,
    });
    const st = readSafetensors(readFileSync(join(root, 'saved', 'model.safetensors')));
    expect([...st.names].sort()).toEqual(want.safetensors.names);
    expect(st.metadata).toEqual(want.safetensors.metadata);
  });

  it('tokenises captions to the ids transformers gives', () => {
    const tok = loadHfTokenizer(join(root, 'saved'));
    expect(tok.eosId).toBe(want.tokenizer.eos_token_id);
    expect(tok.padId).toBe(want.tokenizer.pad_token_id);
    for (const [text, ids] of Object.entries(want.tokenizer.ids as Record<string, number[]>))
      if (text !== '<|endoftext|>') expect(tok.encode(text), JSON.stringify(text)).toEqual(ids);
  });

  it("gives transformers' pixel_values for the fixture image", async () => {
    const img = await decodeRgb(readFileSync(join(fixtures, 'vit-preprocess.png')));
    const px = vitPixelValues(img, saved.preprocessor);
    expect([1, 3, saved.preprocessor.height, saved.preprocessor.width]).toEqual(want.pixel_values.shape);
    let worst = 0;
    for (let i = 0; i < px.length; i++) worst = Math.max(worst, Math.abs(px[i] - want.pixel_values.data[i]));
    expect(worst).toBeLessThanOrEqual(1e-6);
  });
});
