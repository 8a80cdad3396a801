// WordVocab: specials at fixed ids, min count, deterministic order, JSON round trip, encode/decode.
import { describe, expect, it } from 'vitest';
import { encodePadded } from './tokenizer';
import { SPECIAL_TOKENS, WordVocab, buildVocab } from './vocab';

const captions = ['A dog runs.', 'A dog sleeps', 'a cat runs', 'A bird'];

describe('buildVocab', () => {
  it('puts <pad>=0, <bos>=1, <eos>=2, <unk>=3 first, then words by count, ties alphabetically', () => {
    // counts: a 4, dog 2, runs 2, bird 1, cat 1, sleeps 1
    const v = buildVocab(captions);
    expect(v.toJSON().words).toEqual([...SPECIAL_TOKENS, 'a', 'dog', 'runs', 'bird', 'cat', 'sleeps']);
    expect([v.padId, v.bosId, v.eosId, v.unkId]).toEqual([0, 1, 2, 3]);
    expect(v.vocabSize).toBe(10);
  });

  it('drops words below minCount and caps the size with maxWords', () => {
    expect(buildVocab(captions, { minCount: 2 }).toJSON().words.slice(4)).toEqual(['a', 'dog', 'runs']);
    expect(buildVocab(captions, { maxWords: 2 }).toJSON().words.slice(4)).toEqual(['a', 'dog']);
    expect(() => buildVocab(captions, { minCount: 0 })).toThrow(/minCount/);
  });

  it('gives the same ids whatever the caption order', () => {
    expect(buildVocab([...captions].reverse()).toJSON()).toEqual(buildVocab(captions).toJSON());
  });
});

describe('WordVocab', () => {
  const v = buildVocab(captions, { minCount: 2 });

  it('encodes known words to their ids and unknown ones to <unk>', () => {
    expect(v.encode('A dog flies!')).toEqual([4, 5, v.unkId]);
  });

  it('round-trips encode → decode for in-vocabulary captions (normalised)', () => {
    expect(v.decode(v.encode('A DOG runs.'))).toBe('a dog runs');
  });

  it('decode drops <pad>, <bos>, <eos> and shows <unk>', () => {
    expect(v.decode([1, 4, 3, 2, 0, 0])).toBe('a <unk>');
  });

  it('survives JSON serialisation unchanged', () => {
    const back = WordVocab.fromJSON(JSON.parse(JSON.stringify(v)));
    expect(back.toJSON()).toEqual(v.toJSON());
    expect(back.encode('a dog runs')).toEqual(v.encode('a dog runs'));
    expect(back.minCount).toBe(2);
  });

  it('rejects damaged JSON with a message saying what is wrong', () => {
    expect(() => WordVocab.fromJSON({ kind: 'other' })).toThrow(/word-vocab/);
    expect(() => WordVocab.fromJSON({ kind: 'word-vocab', version: 2, words: [] })).toThrow(/version 2/);
    expect(() => WordVocab.fromJSON({ kind: 'word-vocab', version: 1, words: ['a', 'b'] })).toThrow(/<pad>/);
    const dup = { kind: 'word-vocab', version: 1, words: [...SPECIAL_TOKENS, 'x', 'x'] };
    expect(() => WordVocab.fromJSON(dup)).toThrow(/"x" appears twice/);
    expect(() => v.wordOf(99)).toThrow(/outside/);
  });
});

describe('encodePadded', () => {
  const v = buildVocab(captions);

  it('wraps content in bos/eos and pads with a mask', () => {
    const p = encodePadded(v, 'a dog', 6);
    expect(p).toEqual({ ids: [1, 4, 5, 2, 0, 0], mask: [1, 1, 1, 1, 0, 0], truncated: false });
  });

  it('cuts long content but keeps eos', () => {
    const p = encodePadded(v, 'a dog runs a dog', 4);
    expect(p.ids).toEqual([1, 4, 5, 2]);
    expect(p.truncated).toBe(true);
  });

  it('refuses a maxLength that cannot hold bos, a token and eos', () => {
    expect(() => encodePadded(v, 'a', 2)).toThrow(/maxLength/);
  });
});
