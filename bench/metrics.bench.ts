// Caption metrics speed: every metric (coco tokenisation, BLEU-1..4, ROUGE-L, CIDEr-D, ROUGE-1/2) on
// 5,000 generated images × 5 references. BENCH_QUICK=1 runs 200 images once, to prove it works.
import { evaluate, type EvalInput } from '../src/main/ml/eval/index';
import { mulberry32 as rng } from '../src/main/util/rng';
import { timeIt, type Bench } from './types';

/** COCO-like captions: a Zipf-ish vocabulary of 3,000 words, 8–14 words, a capital and a full stop;
 *  candidates share a random part of one reference so that scores are neither 0 nor 1. */
export function makeCorpus(images: number, refsPerImage = 5, seed = 1): EvalInput {
  const rand = rng(seed);
  const vocab = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}`);
  const word = () => vocab[Math.floor(vocab.length * rand() ** 3)];
  const sentence = () => {
    const n = 8 + Math.floor(rand() * 7);
    const ws = Array.from({ length: n }, word);
    ws[0] = ws[0][0].toUpperCase() + ws[0].slice(1);
    if (rand() < 0.2) ws[Math.floor(n / 2)] += ',';
    return ws.join(' ') + '.';
  };
  const refs: Record<string, string[]> = {};
  const cands: Record<string, string> = {};
  for (let i = 0; i < images; i++) {
    const rs = Array.from({ length: refsPerImage }, sentence);
    const words = rs[0].split(' ');
    const keep = Math.floor(words.length * rand());
    cands[String(100000 + i)] = [...words.slice(0, keep), ...sentence().split(' ').slice(keep)].join(' ');
    refs[String(100000 + i)] = rs;
  }
  return { refs, cands };
}

const bench: Bench = {
  name: 'metrics',
  async run() {
    const quick = process.env.BENCH_QUICK === '1';
    const images = quick ? 200 : 5000;
    const input = makeCorpus(images);
    const ms = await timeIt(() => evaluate(input), quick ? 1 : 5, quick ? 0 : 1);
    return [
      {
        name: `all metrics: ${images.toLocaleString('en')} images × 5 refs${quick ? ' (quick)' : ''}`,
        value: ms,
        unit: 'ms',
        note: 'goal < 1000 ms (pycocoevalcap without METEOR/SPICE ≈ 7.5 s)',
      },
    ];
  },
};

export default bench;
