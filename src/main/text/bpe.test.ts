// Byte-level BPE on a tiny vocabulary whose merges are worked through by hand below.
import { describe, expect, it } from 'vitest';
import { BpeTokenizer, pretokenize, toByteChars } from './bpe';

// "Ġ" is GPT-2's stand-in for the space byte (bytes_to_unicode maps byte 32 to U+0120).
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
const tinyVocab = new Map(words.map((w, i) => [w, i]));
tinyVocab.set('<|endoftext|>', 17);
const tinyMerges: Array<[string, string]> = [
  ['h', 'e'], // rank 0
  ['l', 'l'], // rank 1
  ['he', 'll'], // rank 2
  ['hell', 'o'], // rank 3
  ['o', 'r'], // rank 4
  ['Ġ', 'w'], // rank 5
  ['Ġw', 'or'], // rank 6
  ['l', 'd'], // rank 7
  ['Ġwor', 'ld'], // rank 8
];
const special = { bosId: 17, eosId: 17, padId: 17 };

describe('GPT-2 pre-tokenisation and byte mapping', () => {
  it('splits contractions, letter runs with their leading space, numbers and punctuation', () => {
    expect(pretokenize("I'm here,  it's 42!")).toEqual([
      'I',
      "'m",
      ' here',
      ',',
      ' ',
      ' it',
      "'s",
      ' 42',
      '!',
    ]);
  });

  it('maps the space byte to Ġ and multi-byte characters to one stand-in per byte', () => {
    expect(toByteChars(' a')).toBe('Ġa');
    expect([...toByteChars('é')]).toHaveLength(2); // U+00E9 is two UTF-8 bytes
  });
});

describe('BpeTokenizer', () => {
  const tok = new BpeTokenizer(tinyVocab, tinyMerges, special);

  it('merges the lowest-ranked pair first until no merge applies', () => {
    // "hello": (h,e) rank 0 → [he,l,l,o]; (l,l) 1 → [he,ll,o]; (he,ll) 2 → [hell,o]; (hell,o) 3 → [hello].
    // " world" = Ġworld: (o,r) rank 4 beats (Ġ,w) 5 and (l,d) 7 → [Ġ,w,or,l,d]; (Ġ,w) 5 → [Ġw,or,l,d];
    // (Ġw,or) 6 → [Ġwor,l,d]; (l,d) 7 → [Ġwor,ld]; (Ġwor,ld) 8 → [Ġworld].
    expect(tok.encode('hello world')).toEqual([11, 16]);
  });

  it('never merges across pre-tokens and stops when no pair has a rank', () => {
    // " hello" = Ġ,h,e,l,l,o → [Ġ, hello]: there is no (Ġ, hello) merge. "lol": no pair has a rank.
    expect(tok.encode('hello hello')).toEqual([11, 4, 11]);
    expect(tok.encode('lol')).toEqual([2, 3, 2]);
  });

  it('merges every occurrence of the chosen pair in one step', () => {
    // "llll": (l,l) occurs at 0 and 2 (non-overlapping) → [ll, ll]; (ll,ll) has no rank.
    expect(tok.encode('llll')).toEqual([9, 9]);
  });

  it('decodes back to the text and drops the special id', () => {
    expect(tok.decode([17, 11, 16, 17])).toBe('hello world');
    expect(tok.vocabSize).toBe(18);
    expect([tok.bosId, tok.eosId, tok.padId]).toEqual([17, 17, 17]);
  });

  it('says which token is missing when the vocabulary does not cover the merges', () => {
    expect(() => tok.encode('x')).toThrow(/"x" .* missing from the vocabulary/);
    expect(() => tok.decode([99])).toThrow(/id 99/);
    expect(() => new BpeTokenizer(tinyVocab, tinyMerges, { ...special, eosId: 50 })).toThrow(/eosId 50/);
  });
});
