// Saving a ViT-GPT2 checkpoint in transformers' layout: the folder matches golden lists written from
// transformers' save code, and save → load gives back the same model, tokenizer and preprocessing.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHfTokenizer } from '../../text/hf';
import { readHfVitGpt2 } from './hfVitGpt2';
import { saveHfVitGpt2 } from './hfVitGpt2Save';
import { readSafetensors } from './safetensors';
import { writeTinyJoined, writeTinyVed } from './tinyHfCheckpoint';

const golden = JSON.parse(
  readFileSync(join(__dirname, '../../../../test/fixtures/hf/vit-gpt2-save-golden.json'), 'utf8'),
);
const root = mkdtempSync(join(tmpdir(), 'hf-save-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const keys = (o: object) => Object.keys(o).sort();
const readJson = (dir: string, f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));

describe('saveHfVitGpt2', () => {
  const src = join(root, 'src');
  writeTinyVed(src, 'ved-legacy'); // no pooler, lm_head stored, buffers: the save must clean all that up
  const loaded = readHfVitGpt2({ dir: src });
  const out = join(root, 'out');
  saveHfVitGpt2(out, { ...loaded, generation: { ...loaded.generation, maxLength: 16, numBeams: 4 } });

  it('writes the files, tensor names and config fields transformers writes', () => {
    expect(readdirSync(out).sort()).toEqual(golden.files);
    const st = readSafetensors(readFileSync(join(out, 'model.safetensors')));
    expect([...st.names].sort()).toEqual(golden.tensors);
    expect(st.metadata).toEqual(golden.safetensors_metadata);
    const cfg = readJson(out, 'config.json');
    expect(keys(cfg)).toEqual(golden.config_top);
    expect(cfg).toMatchObject(golden.config_top_values);
    expect(keys(cfg.encoder)).toEqual(golden.config_encoder);
    expect(cfg.encoder).toMatchObject(golden.config_encoder_values);
    expect(keys(cfg.decoder)).toEqual(golden.config_decoder);
    expect(cfg.decoder).toMatchObject(golden.config_decoder_values);
    const gen = readJson(out, 'generation_config.json');
    expect(keys(gen)).toEqual([...golden.generation_config, 'max_length', 'num_beams'].sort());
    expect(gen).toMatchObject({
      decoder_start_token_id: 259,
      pad_token_id: 259,
      max_length: 16,
      num_beams: 4,
    });
    const pre = readJson(out, 'preprocessor_config.json');
    expect(keys(pre)).toEqual(golden.preprocessor_config);
    expect(pre).toMatchObject({ ...golden.preprocessor_values, size: { height: 32, width: 32 } });
    expect(keys(readJson(out, 'tokenizer_config.json'))).toEqual(golden.tokenizer_config);
    expect(keys(readJson(out, 'special_tokens_map.json'))).toEqual(golden.special_tokens_map);
  });

  it('loads back to the same tensors (plus a new pooler), tokenizer, generation and preprocessing', () => {
    const back = readHfVitGpt2({ dir: out });
    expect(back.arch).toEqual(loaded.arch);
    for (const [k, v] of loaded.tensors) expect(back.tensors.get(k)!.data, k).toEqual(v.data);
    expect(back.tensors.get('encoder.pooler.dense.weight')!.shape).toEqual([32, 32]);
    expect(back.generation).toEqual({ ...loaded.generation, maxLength: 16, numBeams: 4 });
    expect(back.preprocessor).toEqual(loaded.preprocessor);
    const a = loadHfTokenizer(src);
    const b = loadHfTokenizer(back.tokenizerDir!);
    expect(b.encode(' cat sat')).toEqual(a.encode(' cat sat'));
    expect(b.eosId).toBe(259);
    expect(b.padId).toBe(259);
    // A second round trip is byte-identical.
    const again = join(root, 'again');
    saveHfVitGpt2(again, back);
    for (const f of golden.files)
      if (f !== 'generation_config.json')
        expect(readFileSync(join(again, f)).equals(readFileSync(join(out, f))), f).toBe(true);
  });

  it('saves a joined encoder + decoder as one VisionEncoderDecoder folder', () => {
    const e = join(root, 'enc');
    const d = join(root, 'dec');
    writeTinyJoined(e, d, { encoder: 'vit-prefixed', decoder: 'bare', cross: false });
    const j = readHfVitGpt2({ encoderDir: e, decoderDir: d }, 3);
    const o = join(root, 'joined-out');
    saveHfVitGpt2(o, j);
    const back = readHfVitGpt2({ dir: o });
    expect(back.initialised).toEqual([]);
    for (const [k, v] of j.tensors) expect(back.tensors.get(k)!.data, k).toEqual(v.data);
  });
});
