// Encoder-decoder label conventions: shift right behind decoder_start, -100 padding, eos kept.
import { describe, expect, it } from 'vitest';
import { BpeTokenizer } from './bpe';
import { IGNORE_INDEX, seq2seqBatch, seq2seqCaptions, shiftTokensRight } from './seq2seq';
import { bytesToChars } from './bpe';

const gpt2Ids = { decoderStartTokenId: 50256, padTokenId: 50256, eosTokenId: 50256 };

describe('seq2seq labels', () => {
  it('shifts right like transformers (start first, -100 becomes pad)', () => {
    const labels = Int32Array.from([5, 6, 7, IGNORE_INDEX, 8, 9, IGNORE_INDEX, IGNORE_INDEX]);
    expect([...shiftTokensRight(labels, 4, 0, 2)]).toEqual([2, 5, 6, 7, 2, 8, 9, 0]);
    expect(() => shiftTokensRight(labels, 3, 0, 2)).toThrow(/rows of 3/);
  });

  it('pads with -100, keeps the eos target even though pad = eos, and weights only real targets', () => {
    const b = seq2seqBatch([[64, 3797], [64]], gpt2Ids, 8);
    expect(b.length).toBe(3);
    expect([...b.labels]).toEqual([64, 3797, 50256, 64, 50256, IGNORE_INDEX]);
    expect([...b.decoderInputIds]).toEqual([50256, 64, 3797, 50256, 64, 50256]);
    expect([...b.weights]).toEqual([1, 1, 1, 1, 1, 0]);
    expect(b.truncated).toEqual([]);
  });

  it('cuts long captions to maxLength with eos last, and uses a distinct start id when given', () => {
    const b = seq2seqBatch([[1, 2, 3, 4, 5]], { decoderStartTokenId: 9, padTokenId: 0, eosTokenId: 8 }, 4);
    expect([...b.labels]).toEqual([1, 2, 3, 8]);
    expect([...b.decoderInputIds]).toEqual([9, 1, 2, 3]);
    expect(b.truncated).toEqual([0]);
    expect(() => seq2seqBatch([[1]], gpt2Ids, 1)).toThrow(/maxLength/);
  });

  it('tokenises captions with a byte-level BPE without adding special tokens', () => {
    const vocab = new Map<string, number>();
    for (let i = 0; i < 256; i++) vocab.set(bytesToChars([i]), i);
    vocab.set('Ġc', 256);
    vocab.set('at', 257);
    vocab.set('Ġcat', 258);
    vocab.set('<|endoftext|>', 259);
    const tok = new BpeTokenizer(
      vocab,
      [
        ['Ġ', 'c'],
        ['a', 't'],
        ['Ġc', 'at'],
      ],
      { bosId: 259, eosId: 259, padId: 259 },
    );
    const ids = { decoderStartTokenId: 259, padTokenId: 259, eosTokenId: 259 };
    const b = seq2seqCaptions(tok, ['a cat', ' cat'], ids, 10);
    expect([...b.labels]).toEqual([97, 258, 259, 258, 259, IGNORE_INDEX]);
  });
});
