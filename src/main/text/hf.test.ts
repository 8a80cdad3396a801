// loadHfTokenizer on folders this test writes: a tiny vocab.json + merges.txt, the same as
// tokenizer.json, and GPT-2's full vocabulary rebuilt from js-tiktoken's ranks (parity with it).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import gpt2Ranks from 'js-tiktoken/ranks/gpt2';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesToChars } from './bpe';
import { gpt2Tokenizer } from './gpt2';
import { loadHfTokenizer } from './hf';

const root = mkdtempSync(join(tmpdir(), 'caption-studio-hf-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function write(files: Record<string, string | object>): string {
  const dir = mkdtempSync(join(root, `t${n++}-`));
  for (const [name, body] of Object.entries(files))
    writeFileSync(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));
  return dir;
}

const words = [
  'h',
  'e',
  'l',
  'o',
  'Ġ',
  'w',
  'r',
  'd',
  'he',
  'll',
  'hell',
  'hello',
  'or',
  'Ġw',
  'Ġwor',
  'ld',
  'Ġworld',
];
const vocab: Record<string, number> = Object.fromEntries(words.map((w, i) => [w, i]));
vocab['<|endoftext|>'] = 17;
const merges = ['h e', 'l l', 'he ll', 'hell o', 'o r', 'Ġ w', 'Ġw or', 'l d', 'Ġwor ld'];

describe('loadHfTokenizer', () => {
  it('reads vocab.json + merges.txt (skipping the #version line) and encodes by merge rank', () => {
    const dir = write({ 'vocab.json': vocab, 'merges.txt': `#version: 0.2\n${merges.join('\n')}\n` });
    const tok = loadHfTokenizer(dir);
    // Worked through by hand in bpe.test.ts: "hello" → hello (11), " world" → Ġworld (16).
    expect(tok.encode('hello world')).toEqual([11, 16]);
    expect(tok.decode([11, 16])).toBe('hello world');
    expect([tok.bosId, tok.eosId, tok.padId, tok.vocabSize]).toEqual([17, 17, 17, 18]);
  });

  it('reads tokenizer.json, with merges as strings or as pairs, and added tokens', () => {
    const { '<|endoftext|>': _eot, ...base } = vocab;
    for (const m of [merges, merges.map((x) => x.split(' '))]) {
      const dir = write({
        'tokenizer.json': {
          model: { type: 'BPE', vocab: base, merges: m },
          pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false },
          added_tokens: [{ id: 17, content: '<|endoftext|>', special: true }],
        },
      });
      const tok = loadHfTokenizer(dir);
      expect(tok.encode('hello world')).toEqual([11, 16]);
      expect(tok.eosId).toBe(17);
    }
  });

  it('takes bos/eos/pad from tokenizer_config.json, as strings or {content}', () => {
    const v = { ...vocab, '<s>': 18, '<pad>': 19 };
    const dir = write({
      'vocab.json': v,
      'merges.txt': merges.join('\n'),
      'tokenizer_config.json': { bos_token: { content: '<s>' }, pad_token: '<pad>' },
    });
    const tok = loadHfTokenizer(dir);
    expect([tok.bosId, tok.eosId, tok.padId]).toEqual([18, 17, 19]);
  });

  it('names the problem: no folder, no tokenizer files, an unknown special token, a bad model', () => {
    expect(() => loadHfTokenizer(join(root, 'nope'))).toThrow(/does not exist/);
    expect(() => loadHfTokenizer(write({ 'vocab.json': vocab }))).toThrow(
      /no tokenizer.json and no vocab.json \+ merges.txt/,
    );
    const noEot = write({ 'vocab.json': { h: 0 }, 'merges.txt': '' });
    expect(() => loadHfTokenizer(noEot)).toThrow(/eos_token "<\|endoftext\|>" is not in the vocabulary/);
    const wordPiece = write({ 'tokenizer.json': { model: { type: 'WordPiece', vocab: {} } } });
    expect(() => loadHfTokenizer(wordPiece)).toThrow(/only BPE models/);
    const badJson = write({ 'vocab.json': '{oops', 'merges.txt': '' });
    expect(() => loadHfTokenizer(badJson)).toThrow(/Cannot read .*vocab.json/);
  });
});

/** GPT-2's ranks (js-tiktoken's base64 lines "! offset tok tok …") as byte-level strings → id. */
function gpt2Vocab(): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of gpt2Ranks.bpe_ranks.split('\n')) {
    if (!line) continue;
    const [, offset, ...toks] = line.split(' ');
    toks.forEach((t, i) => out.set(bytesToChars(Buffer.from(t, 'base64')), Number(offset) + i));
  }
  return out;
}

/** The merge that makes each token: BPE on its bytes with only lower ranks ends in exactly two parts
 *  (the way Hugging Face converts tiktoken ranks to merges). */
function deriveMerges(ranks: Map<string, number>): string[] {
  const merges: string[] = [];
  const byRank = [...ranks].filter(([, r]) => r >= 256).sort((a, b) => a[1] - b[1]);
  for (const [token, rank] of byRank) {
    let parts = [...token];
    for (;;) {
      let best = -1;
      let bestRank = rank;
      for (let i = 0; i < parts.length - 1; i++) {
        const r = ranks.get(parts[i] + parts[i + 1]);
        if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
      }
      if (best < 0) break;
      parts = [...parts.slice(0, best), parts[best] + parts[best + 1], ...parts.slice(best + 2)];
    }
    if (parts.length !== 2) throw new Error(`cannot derive the merge of ${token}`);
    merges.push(`${parts[0]} ${parts[1]}`);
  }
  return merges;
}

describe('loadHfTokenizer on GPT-2’s own vocabulary', () => {
  it('encodes exactly as js-tiktoken’s GPT-2 does', () => {
    const ranks = gpt2Vocab();
    const vocabJson = Object.fromEntries(ranks);
    vocabJson['<|endoftext|>'] = 50256;
    const dir = write({
      'vocab.json': vocabJson,
      'merges.txt': `#version: 0.2\n${deriveMerges(ranks).join('\n')}\n`,
    });
    const hf = loadHfTokenizer(dir);
    const ref = gpt2Tokenizer();
    expect(hf.vocabSize).toBe(50257);
    const texts = [
      'Hello world',
      "A man's T-shirt, isn't it?",
      '  two   spaces\n\nand lines\t',
      'naïve café 東京 🐶 emoji',
      'numbers 1234567 and 3.14159',
      'a photo of <|endoftext|> text',
      'A group of people standing around a kitchen counter.',
    ];
    for (const t of texts) {
      const ids = hf.encode(t);
      expect(ids, t).toEqual(ref.encode(t));
      expect(hf.decode(ids)).toBe(t);
    }
  });
});
