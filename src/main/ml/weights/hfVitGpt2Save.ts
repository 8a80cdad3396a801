// Saves a ViT-GPT2 captioner as transformers' VisionEncoderDecoderModel.save_pretrained does
// (version 4.46): config.json, model.safetensors (tied lm_head left out, {"format": "pt"}),
// generation_config.json, preprocessor_config.json and the GPT-2 tokenizer files (fast and slow).
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../../shared/result';
import { mulberry32 } from '../../util/rng';
import { vitProcessorJson, type VitProcessorConfig } from '../../images/vitProcessor';
import { MAX_JSON_BYTES, readCapped, readJsonCapped } from './hfFiles';
import type { GenerationSettings, HfTensor } from './hfVitGpt2';
import { initTensor } from './hfVitGpt2';
import { writeSafetensors, type TensorToWrite } from './safetensors';
import { expectedTensors, hfConfigFromArch, type VitGpt2Arch } from './vitGpt2Names';

export const TRANSFORMERS_VERSION = '4.46.3';

export interface SaveHfVitGpt2 {
  arch: VitGpt2Arch;
  tensors: ReadonlyMap<string, HfTensor>;
  generation: GenerationSettings;
  preprocessor: VitProcessorConfig;
  /** Folder with vocab.json + merges.txt (or tokenizer.json) to copy; null writes none. */
  tokenizerDir: string | null;
  /** The special token text for bos/eos/pad/unk (GPT-2: "<|endoftext|>"). */
  specialToken?: string;
}

const json = (v: unknown) => JSON.stringify(sortKeys(v), null, 2) + '\n';

/** Python's json.dumps(sort_keys=True): objects with sorted keys, recursively. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** generation_config.json as GenerationConfig.from_model_config writes it (non-defaults only). */
export function generationJson(g: GenerationSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {
    _from_model_config: true,
    bos_token_id: g.bosTokenId,
    decoder_start_token_id: g.decoderStartTokenId,
    eos_token_id: g.eosTokenId,
    pad_token_id: g.padTokenId,
    transformers_version: TRANSFORMERS_VERSION,
  };
  if (g.maxLength !== 20) out.max_length = g.maxLength;
  if (g.numBeams !== 1) out.num_beams = g.numBeams;
  return out;
}

/** vocab.json + merges.txt from a folder, taken from tokenizer.json when those two are absent. */
function tokenizerFiles(dir: string): { vocab: Uint8Array; merges: Uint8Array } {
  if (existsSync(join(dir, 'vocab.json')) && existsSync(join(dir, 'merges.txt')))
    return {
      vocab: readCapped(join(dir, 'vocab.json'), MAX_JSON_BYTES),
      merges: readCapped(join(dir, 'merges.txt'), MAX_JSON_BYTES),
    };
  const tj = readJsonCapped(join(dir, 'tokenizer.json')) as {
    model?: { vocab?: Record<string, number>; merges?: Array<string | [string, string]> };
  };
  if (!tj.model?.vocab || !Array.isArray(tj.model.merges))
    throw new AppError('invalid_argument', `${dir}/tokenizer.json has no BPE vocab and merges to save.`);
  const merges = tj.model.merges.map((m) => (Array.isArray(m) ? m.join(' ') : m));
  const enc = new TextEncoder();
  return {
    vocab: enc.encode(JSON.stringify(tj.model.vocab)),
    merges: enc.encode(['#version: 0.2', ...merges].join('\n') + '\n'),
  };
}

/**
 * tokenizer.json as the tokenizers library serialises GPT-2's fast tokenizer (byte-level BPE, the
 * special token as an added token). transformers 4.x writes it beside vocab.json + merges.txt;
 * transformers 5 needs it to build the tokenizer of a VisionEncoderDecoder folder.
 */
function tokenizerJson(
  vocab: Record<string, number>,
  mergesText: string,
  special: string,
): Record<string, unknown> {
  const byteLevel = (addPrefix: boolean, trim: boolean) => ({
    type: 'ByteLevel',
    add_prefix_space: addPrefix,
    trim_offsets: trim,
    use_regex: true,
  });
  const merges = mergesText
    .split(/\r?\n/)
    .filter((l, i) => l !== '' && !(i === 0 && l.startsWith('#version')));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      {
        id: vocab[special],
        content: special,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: true,
        special: true,
      },
    ],
    normalizer: null,
    pre_tokenizer: byteLevel(false, true),
    post_processor: byteLevel(true, false),
    decoder: byteLevel(true, true),
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
}

/** GPT2Tokenizer.save_pretrained's tokenizer_config.json and special_tokens_map.json. */
function tokenizerConfigs(special: string, id: number, maxLen: number) {
  const added = { content: special, lstrip: false, normalized: true, rstrip: false, single_word: false };
  return {
    tokenizer_config: {
      add_bos_token: false,
      add_prefix_space: false,
      added_tokens_decoder: { [String(id)]: { ...added, special: true } },
      bos_token: special,
      clean_up_tokenization_spaces: true,
      eos_token: special,
      errors: 'replace',
      model_max_length: maxLen,
      pad_token: special,
      tokenizer_class: 'GPT2Tokenizer',
      unk_token: special,
    },
    special_tokens_map: { bos_token: added, eos_token: added, pad_token: added, unk_token: added },
  };
}

/**
 * Writes the folder (created if needed). Files are written to `name.tmp` then renamed, so a folder
 * that had a model keeps a whole file of each kind. A pooler that was not loaded is initialised,
 * as ViTModel has one and transformers saves it.
 */
export function saveHfVitGpt2(dir: string, m: SaveHfVitGpt2, seed = 0): string[] {
  const expected = expectedTensors(m.arch, { pooler: true });
  const pw = m.tensors.get('encoder.pooler.dense.weight');
  if (pw) {
    expected.set('encoder.pooler.dense.weight', [...pw.shape]);
    expected.set('encoder.pooler.dense.bias', [pw.shape[0]]);
  }
  const out = new Map<string, TensorToWrite>();
  const rng = mulberry32(seed);
  const names = [...expected.keys()].sort();
  for (const name of names) {
    const shape = expected.get(name)!;
    const t = m.tensors.get(name);
    if (t) {
      if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
        throw new AppError('invalid_argument', `Cannot save: ${name} is [${t.shape}], expected [${shape}].`);
      out.set(name, { shape, data: t.data });
    } else if (name.startsWith('encoder.pooler.')) {
      out.set(name, { shape, data: initTensor(name, shape, rng, m.arch.decoder.layers) });
    } else throw new AppError('invalid_argument', `Cannot save: tensor ${name} is missing.`);
  }
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const put = (file: string, data: string | Uint8Array) => {
    writeFileSync(join(dir, `${file}.tmp`), data);
    renameSync(join(dir, `${file}.tmp`), join(dir, file));
    written.push(file);
  };
  try {
    put('model.safetensors', writeSafetensors(out, { format: 'pt' }));
    put('config.json', json(hfConfigFromArch(m.arch, TRANSFORMERS_VERSION)));
    put('generation_config.json', json(generationJson(m.generation)));
    put('preprocessor_config.json', json(vitProcessorJson(m.preprocessor)));
    if (m.tokenizerDir) {
      const { vocab, merges } = tokenizerFiles(m.tokenizerDir);
      put('vocab.json', vocab);
      put('merges.txt', merges);
      const special = m.specialToken ?? '<|endoftext|>';
      const ids = JSON.parse(new TextDecoder().decode(vocab)) as Record<string, number>;
      if (!(special in ids))
        throw new AppError(
          'invalid_argument',
          `The tokenizer has no ${JSON.stringify(special)} token to save as eos.`,
        );
      if (existsSync(join(m.tokenizerDir, 'tokenizer.json')))
        put('tokenizer.json', readCapped(join(m.tokenizerDir, 'tokenizer.json'), MAX_JSON_BYTES));
      else
        put('tokenizer.json', JSON.stringify(tokenizerJson(ids, new TextDecoder().decode(merges), special)));
      const cfgs = tokenizerConfigs(special, ids[special], m.arch.decoder.positions);
      put('tokenizer_config.json', json(cfgs.tokenizer_config));
      put('special_tokens_map.json', json(cfgs.special_tokens_map));
    }
  } catch (e) {
    for (const f of ['model.safetensors', 'config.json', 'vocab.json', 'merges.txt', 'tokenizer.json'])
      rmSync(join(dir, `${f}.tmp`), { force: true });
    throw e;
  }
  return written;
}
