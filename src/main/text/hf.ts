// Loads a Hugging Face GPT-2-style tokenizer folder: `tokenizer.json` (a byte-level BPE model) when
// present, else `vocab.json` + `merges.txt`; special tokens from tokenizer_config.json or
// special_tokens_map.json, defaulting to GPT-2's "<|endoftext|>" for bos, eos and pad.
import { existsSync } from 'node:fs';
import { READ_CAPS, readBoundedSync } from '../files/bounded';
import { join } from 'node:path';
import { BpeTokenizer } from './bpe';

const DEFAULT_SPECIAL = '<|endoftext|>';

function readJson(path: string): unknown {
  try {
    return JSON.parse(readBoundedSync(path, READ_CAPS.vocabulary, 'tokenizer file').toString('utf8'));
  } catch (e) {
    throw new Error(`Cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** A special token as tokenizer_config.json writes it: a string or an AddedToken `{content}`. */
function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string')
    return (v as { content: string }).content;
  return undefined;
}

interface TokenizerJson {
  model?: { type?: string; vocab?: Record<string, number>; merges?: Array<string | [string, string]> };
  pre_tokenizer?: { type?: string; pretokenizers?: Array<{ type?: string }> } | null;
  added_tokens?: Array<{ id: number; content: string }>;
}

function splitMerge(m: string | [string, string], where: string): [string, string] {
  if (Array.isArray(m) && m.length === 2) return [m[0], m[1]];
  const parts = typeof m === 'string' ? m.split(' ') : [];
  if (parts.length !== 2)
    throw new Error(`${where}: merge ${JSON.stringify(m)} is not two tokens separated by one space`);
  return [parts[0], parts[1]];
}

function fromTokenizerJson(path: string, vocab: Map<string, number>): Array<[string, string]> {
  const j = readJson(path) as TokenizerJson;
  if (j.model?.type !== 'BPE' || !j.model.vocab || !Array.isArray(j.model.merges))
    throw new Error(
      `${path}: only BPE models with a vocab and merges are supported (found model type ${String(j.model?.type)})`,
    );
  const pre = j.pre_tokenizer;
  const byteLevel =
    pre?.type === 'ByteLevel' ||
    (pre?.type === 'Sequence' && pre.pretokenizers?.some((p) => p.type === 'ByteLevel'));
  if (!byteLevel)
    throw new Error(
      `${path}: only byte-level (GPT-2 style) pre-tokenisation is supported (found ${String(pre?.type)})`,
    );
  for (const [tok, id] of Object.entries(j.model.vocab)) vocab.set(tok, id);
  for (const t of j.added_tokens ?? []) vocab.set(t.content, t.id);
  return j.model.merges.map((m) => splitMerge(m, path));
}

function fromVocabAndMerges(dir: string, vocab: Map<string, number>): Array<[string, string]> {
  const v = readJson(join(dir, 'vocab.json'));
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new Error(`${join(dir, 'vocab.json')}: expected an object mapping tokens to ids`);
  for (const [tok, id] of Object.entries(v as Record<string, unknown>)) {
    if (!Number.isInteger(id))
      throw new Error(`${join(dir, 'vocab.json')}: id of ${JSON.stringify(tok)} is not an integer`);
    vocab.set(tok, id as number);
  }
  const where = join(dir, 'merges.txt');
  return readBoundedSync(where, READ_CAPS.vocabulary, 'tokenizer file')
    .toString('utf8')
    .split(/\r?\n/)
    .filter((line, i) => line !== '' && !(i === 0 && line.startsWith('#version')))
    .map((line) => splitMerge(line, where));
}

/**
 * A byte-level BPE tokenizer from a Hugging Face folder. Throws a message naming the missing or
 * malformed file. bos/eos/pad ids come from the folder's config, else "<|endoftext|>" (GPT-2 has no
 * separate bos or pad; VisionEncoderDecoder captioners use its eos for both).
 */
export function loadHfTokenizer(dir: string): BpeTokenizer {
  if (!existsSync(dir)) throw new Error(`Tokenizer folder ${dir} does not exist`);
  const vocab = new Map<string, number>();
  let merges: Array<[string, string]>;
  if (existsSync(join(dir, 'tokenizer.json'))) merges = fromTokenizerJson(join(dir, 'tokenizer.json'), vocab);
  else if (existsSync(join(dir, 'vocab.json')) && existsSync(join(dir, 'merges.txt')))
    merges = fromVocabAndMerges(dir, vocab);
  else
    throw new Error(
      `${dir} has no tokenizer.json and no vocab.json + merges.txt; copy the tokenizer files of the model there`,
    );

  const config: Record<string, unknown> = {};
  for (const f of ['special_tokens_map.json', 'tokenizer_config.json'])
    if (existsSync(join(dir, f))) Object.assign(config, readJson(join(dir, f)));
  const idOf = (key: string, fallback: string | undefined) => {
    const text = tokenText(config[key]) ?? fallback ?? DEFAULT_SPECIAL;
    const id = vocab.get(text);
    if (id === undefined)
      throw new Error(
        `${dir}: the ${key} ${JSON.stringify(text)} is not in the vocabulary; set ${key} in tokenizer_config.json`,
      );
    return id;
  };
  const eos = tokenText(config.eos_token);
  return new BpeTokenizer(vocab, merges, {
    eosId: idOf('eos_token', undefined),
    bosId: idOf('bos_token', eos),
    padId: idOf('pad_token', eos),
  });
}
