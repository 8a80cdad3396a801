// evaluate(): coco-caption tokenisation in front of the metrics, properties the reference code
// guarantees, and clear errors on bad input.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/result';
import { evaluate, METRIC_NAMES, type EvalInput } from './index';

const input: EvalInput = {
  refs: {
    '1': ['A cat sits on the mat.', 'There is a cat on the mat.', 'A black cat rests on a mat'],
    '2': ['Two dogs play in the park.', 'Dogs running on the grass.', 'A pair of dogs outside'],
    '3': ['A red bus on a city street.', 'A bus drives down the road.', 'The red bus is parked'],
  },
  cands: { '1': 'a cat on a mat', '2': 'two dogs running in a park', '3': 'a car on the street' },
};

describe('evaluate', () => {
  it('scores a candidate equal to a reference 1 on BLEU-1..4 and ROUGE-L', () => {
    const r = evaluate({
      refs: { a: ['A man rides a horse on the beach.', 'x y'] },
      cands: { a: 'A man rides a horse on the beach.' },
    });
    // Precisions (n + tiny) / (n + small) and BP exp(1 − 1/ratio) differ from 1 by ~1e-10 only.
    for (const m of ['bleu1', 'bleu2', 'bleu3', 'bleu4'] as const) expect(r.corpus[m]).toBeCloseTo(1, 8);
    expect(r.corpus.rougeL).toBe(1);
    expect(r.corpus.rouge1F).toBe(1);
  });

  it('ignores case and the punctuation coco-caption removes', () => {
    const a = evaluate(input);
    const shouted: EvalInput = {
      refs: input.refs,
      cands: Object.fromEntries(Object.entries(input.cands).map(([k, v]) => [k, `${v.toUpperCase()}!`])),
    };
    expect(evaluate(shouted).corpus).toEqual(a.corpus);
  });

  it('does not depend on image order', () => {
    const a = evaluate(input);
    const ids = Object.keys(input.refs).reverse();
    const b = evaluate({
      refs: Object.fromEntries(ids.map((id) => [id, input.refs[id]])),
      cands: Object.fromEntries(ids.map((id) => [id, input.cands[id]])),
    });
    for (const m of METRIC_NAMES) expect(b.corpus[m]).toBeCloseTo(a.corpus[m], 12);
    expect(b.perImage).toEqual(a.perImage);
  });

  it('is unchanged by a duplicated reference for BLEU and ROUGE, but not for CIDEr-D', () => {
    // BLEU clips at the max count in one reference and picks the closest length; ROUGE-L and
    // ROUGE-N take maxima over references: a duplicate changes none of these. CIDEr-D averages
    // over the references (cider_scorer.py `score_avg /= len(refs)`), so a duplicate re-weights it.
    const a = evaluate(input);
    const dup = { ...input, refs: { ...input.refs, '2': [...input.refs['2'], input.refs['2'][0]] } };
    const b = evaluate(dup);
    for (const m of ['bleu1', 'bleu2', 'bleu3', 'bleu4', 'rougeL', 'rouge1F', 'rouge2F'] as const)
      expect(b.corpus[m]).toBeCloseTo(a.corpus[m], 12);
    expect(b.perImage['2'].ciderD).not.toBeCloseTo(a.perImage['2'].ciderD, 6);
  });

  it('returns per-image scores for every id and a corpus ROUGE-L / CIDEr-D that is their mean', () => {
    const r = evaluate(input);
    expect(r.images).toBe(3);
    expect(Object.keys(r.perImage).sort()).toEqual(['1', '2', '3']);
    const mean = (m: 'rougeL' | 'ciderD') => Object.values(r.perImage).reduce((s, x) => s + x[m], 0) / 3;
    expect(r.corpus.rougeL).toBeCloseTo(mean('rougeL'), 12);
    expect(r.corpus.ciderD).toBeCloseTo(mean('ciderD'), 12);
    expect(r.perImage['3'].bleu1).toBeLessThan(r.perImage['1'].bleu1);
  });

  it('can take captions that are already tokenised', () => {
    const r = evaluate({ refs: { a: ['the cat'] }, cands: { a: 'The cat' } }, { tokenize: 'whitespace' });
    expect(r.corpus.rouge1F).toBeCloseTo(0.5, 12);
  });

  it('names the problem in bad input', () => {
    const err = (i: unknown) => {
      try {
        evaluate(i as EvalInput);
      } catch (e) {
        expect(e).toBeInstanceOf(AppError);
        expect((e as AppError).code).toBe('invalid_argument');
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(err({ refs: { a: ['x'] }, cands: { a: 'x', b: 'y' } })).toMatch(
      /1 candidate image id\(s\) have no references: "b"/,
    );
    expect(err({ refs: { a: ['x'], b: ['y'] }, cands: { a: 'x' } })).toMatch(
      /image id\(s\) with references have no candidate: "b"/,
    );
    expect(err({ refs: { a: [] }, cands: { a: 'x' } })).toMatch(
      /References of image "a" must be a non-empty list/,
    );
    expect(err({ refs: { a: ['x'] }, cands: { a: ['x'] } })).toMatch(
      /candidate of image "a" must be one string \(got a list\)/,
    );
    expect(err({ refs: [], cands: {} })).toMatch(/References must be an object/);
    expect(err({ refs: {}, cands: {} })).toMatch(/no images/);
  });
});
