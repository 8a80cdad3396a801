// The integer n-gram coding changes no number: BLEU and CIDEr-D on coded captions equal a plain
// string-keyed transcription of bleu_scorer.py / cider_scorer.py on seeded random corpora; the n-gram
// hash table keeps every entry through its growth.
import { describe, expect, it } from 'vitest';
import { bleu } from './bleu';
import { ciderD } from './cider';
import { PairTable, codeCorpus, countOf, offsetOf } from './prepare';

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function corpus(images: number, seed: number) {
  const rand = rng(seed);
  const vocab = Array.from({ length: 40 }, (_, i) => `w${i}`);
  const sentence = () =>
    Array.from({ length: Math.floor(rand() * 9) }, () => vocab[Math.floor(40 * rand() ** 2)]);
  const cands = Array.from({ length: images }, sentence);
  const refs = Array.from({ length: images }, () =>
    Array.from({ length: 1 + Math.floor(rand() * 4) }, sentence),
  );
  return { cands, refs };
}

/** n-gram counts of a token list as in precook (tuple keys as joined strings). */
function precook(words: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (let k = 1; k <= 4; k++)
    for (let i = 0; i + k <= words.length; i++) {
      const g = words.slice(i, i + k).join(' ');
      counts.set(g, (counts.get(g) ?? 0) + 1);
    }
  return counts;
}
const order = (g: string) => g.split(' ').length;

/** bleu_scorer.py compute_score(option='closest'), corpus part, transcribed naively. */
function naiveBleu(cands: string[][], refs: string[][][]): number[] {
  let testlen = 0;
  let reflen = 0;
  const guess = [0, 0, 0, 0];
  const correct = [0, 0, 0, 0];
  cands.forEach((c, i) => {
    const maxc = new Map<string, number>();
    for (const r of refs[i]) for (const [g, n] of precook(r)) maxc.set(g, Math.max(maxc.get(g) ?? 0, n));
    const lens = refs[i].map((r) => r.length);
    reflen += lens.reduce((b, l) => {
      const d = Math.abs(l - c.length) - Math.abs(b - c.length);
      return d < 0 || (d === 0 && l < b) ? l : b;
    });
    testlen += c.length;
    for (let k = 0; k < 4; k++) guess[k] += Math.max(0, c.length - k);
    for (const [g, n] of precook(c)) correct[order(g) - 1] += Math.min(maxc.get(g) ?? 0, n);
  });
  const out: number[] = [];
  let b = 1;
  for (let k = 0; k < 4; k++) {
    b *= (correct[k] + 1e-15) / (guess[k] + 1e-9);
    out.push(b ** (1 / (k + 1)));
  }
  const ratio = (testlen + 1e-15) / (reflen + 1e-9);
  return ratio < 1 ? out.map((x) => x * Math.exp(1 - 1 / ratio)) : out;
}

/** cider_scorer.py compute_score, per image, transcribed naively. */
function naiveCider(cands: string[][], refs: string[][][]): number[] {
  const df = new Map<string, number>();
  for (const rs of refs)
    for (const g of new Set(rs.flatMap((r) => [...precook(r).keys()]))) df.set(g, (df.get(g) ?? 0) + 1);
  const refLen = Math.log(cands.length);
  const vec = (words: string[]) => {
    const v = new Map<string, number>();
    const norm = [0, 0, 0, 0];
    for (const [g, tf] of precook(words)) {
      const w = tf * (refLen - Math.log(Math.max(1, df.get(g) ?? 0)));
      v.set(g, w);
      norm[order(g) - 1] += w * w;
    }
    return { v, norm: norm.map(Math.sqrt), length: Math.max(0, words.length - 1) };
  };
  return cands.map((c, i) => {
    const h = vec(c);
    const score = [0, 0, 0, 0];
    for (const r of refs[i]) {
      const ref = vec(r);
      const val = [0, 0, 0, 0];
      for (const [g, w] of h.v) val[order(g) - 1] += Math.min(w, ref.v.get(g) ?? 0) * (ref.v.get(g) ?? 0);
      const delta = h.length - ref.length;
      for (let n = 0; n < 4; n++) {
        if (h.norm[n] !== 0 && ref.norm[n] !== 0) val[n] /= h.norm[n] * ref.norm[n];
        score[n] += val[n] * Math.exp(-(delta * delta) / 72);
      }
    }
    return (score.reduce((a, b) => a + b) / 4 / refs[i].length) * 10;
  });
}

describe('PairTable', () => {
  it('interns pairs to the first value given and keeps them all through growth', () => {
    const t = new PairTable(0); // 1024 slots, grown at 512 entries and again after
    for (let i = 0; i < 5000; i++) expect(t.intern(i % 97, Math.floor(i / 97), i)).toBe(i);
    for (let i = 0; i < 5000; i++) expect(t.intern(i % 97, Math.floor(i / 97), -7)).toBe(i);
    expect(t.intern(0, 0x7fffffff, 1)).toBe(1);
  });
});

describe('codeCorpus', () => {
  it('lays out each caption as its 1-grams, then 2-, 3-, 4-grams, sharing ids within an image', () => {
    const c = codeCorpus([['a', 'b', 'a', 'b']], [[['a', 'b', 'c']]]);
    const cand = c.cands[0];
    expect(cand.grams.length).toBe(4 + 3 + 2 + 1);
    expect(offsetOf(4, 3)).toBe(7);
    expect(countOf(2, 3)).toBe(0);
    const bigrams = Array.from(cand.grams.subarray(offsetOf(4, 2), offsetOf(4, 3)));
    expect(bigrams[0]).toBe(bigrams[2]); // "a b" twice
    expect(bigrams[1]).not.toBe(bigrams[0]); // "b a"
    expect(c.refs[0][0].grams[offsetOf(3, 2)]).toBe(bigrams[0]); // the reference's "a b" is the same gram
    // Distinct grams: a b c | a-b b-a b-c | a-b-a b-a-b a-b-c | a-b-a-b → 10.
    expect(c.images[0].size).toBe(10);
    expect(Array.from(c.images[0].orderOf).sort()).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3, 4]);
  });

  it('gives the same BLEU and CIDEr-D as a plain transcription of the Python, on random corpora', () => {
    for (const seed of [1, 2, 3]) {
      const { cands, refs } = corpus(300, seed);
      const coded = codeCorpus(cands, refs);
      const b = bleu(coded).corpus;
      naiveBleu(cands, refs).forEach((x, k) => expect(b[k]).toBeCloseTo(x, 12));
      const c = ciderD(coded).perImage;
      naiveCider(cands, refs).forEach((x, i) => expect(c[i]).toBeCloseTo(x, 10));
    }
  });
});
