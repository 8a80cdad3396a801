// gpt2Tokenizer (js-tiktoken's GPT-2 ranks): known ids, round trip, special-token handling.
import { describe, expect, it } from 'vitest';
import { GPT2_EOT, gpt2Tokenizer } from './gpt2';
import { encodePadded } from './tokenizer';

describe('gpt2Tokenizer', () => {
  const tok = gpt2Tokenizer();

  it('encodes known strings to GPT-2 ids and decodes them back', () => {
    expect(tok.encode('Hello world')).toEqual([15496, 995]);
    // "a" 64, "," 11, " the" 262, "." 13 in GPT-2's encoder.json.
    expect(tok.encode('a, the.')).toEqual([64, 11, 262, 13]);
    expect(tok.decode([15496, 995])).toBe('Hello world');
  });

  it('has 50257 ids with <|endoftext|> = 50256 as bos, eos and pad', () => {
    expect(tok.vocabSize).toBe(50257);
    expect([tok.bosId, tok.eosId, tok.padId]).toEqual([GPT2_EOT, GPT2_EOT, GPT2_EOT]);
  });

  it('treats "<|endoftext|>" in a caption as text and drops the real one when decoding', () => {
    const ids = tok.encode('<|endoftext|>');
    expect(ids).not.toContain(GPT2_EOT);
    expect(tok.decode([GPT2_EOT, ...ids, GPT2_EOT])).toBe('<|endoftext|>');
  });

  it('pads with the eos id and marks padding in the mask only', () => {
    const p = encodePadded(tok, 'Hello world', 6);
    expect(p.ids).toEqual([GPT2_EOT, 15496, 995, GPT2_EOT, GPT2_EOT, GPT2_EOT]);
    expect(p.mask).toEqual([1, 1, 1, 1, 0, 0]);
  });

  it('is built once and shared', () => {
    expect(gpt2Tokenizer()).toBe(tok);
  });
});
