// Caption metrics the field can compare with: BLEU-1..4, ROUGE-L and CIDEr-D as coco-caption computes
// them (after its PTB tokenisation), plus ROUGE-1/2 F-scores and masked cross-entropy. Pure functions.
import { AppError } from '../../../shared/result';
import { bleu } from './bleu';
import { ciderD } from './cider';
import { codeCorpus } from './prepare';
import { cocoTokenize } from './ptb';
import { rougeL, rougeN } from './rouge';

export { cocoTokenize } from './ptb';
export { crossEntropy, maskFromIds, maskFromLengths, type CrossEntropy } from './xent';

/** References per image id (usually 5) and one candidate per image id. */
export interface EvalInput {
  refs: Record<string, string[]>;
  cands: Record<string, string>;
}

export interface Scores {
  bleu1: number;
  bleu2: number;
  bleu3: number;
  bleu4: number;
  /** coco-caption ROUGE_L (LCS, β = 1.2). */
  rougeL: number;
  /** coco-caption "CIDEr", which is CIDEr-D (σ = 6, clipped, ×10). */
  ciderD: number;
  /** ROUGE-1 F-score (β = 1, best over references); not a coco-caption metric. */
  rouge1F: number;
  /** ROUGE-2 F-score (β = 1, best over references); not a coco-caption metric. */
  rouge2F: number;
}

export const METRIC_NAMES: ReadonlyArray<keyof Scores> = Object.freeze([
  'bleu1',
  'bleu2',
  'bleu3',
  'bleu4',
  'rougeL',
  'ciderD',
  'rouge1F',
  'rouge2F',
]);

export interface EvalResult {
  images: number;
  corpus: Scores;
  perImage: Record<string, Scores>;
}

export interface EvalOptions {
  /** 'coco' (default): coco-caption's PTB tokenisation and punctuation removal. 'whitespace': the
   *  captions are already tokenised; split on whitespace only. */
  tokenize?: 'coco' | 'whitespace';
}

const MAX_LISTED = 5;
const list = (ids: string[]) =>
  ids
    .slice(0, MAX_LISTED)
    .map((id) => JSON.stringify(id))
    .join(', ') + (ids.length > MAX_LISTED ? ` and ${ids.length - MAX_LISTED} more` : '');

/** Checks the shapes and that refs and cands cover the same image ids; returns the ids in refs order. */
export function checkInput(input: EvalInput): string[] {
  const bad = (msg: string) => new AppError('invalid_argument', msg);
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(input.refs))
    throw bad('References must be an object mapping each image id to a list of reference captions.');
  if (!isObject(input.cands))
    throw bad('Candidates must be an object mapping each image id to one candidate caption.');
  const ids = Object.keys(input.refs);
  for (const id of ids) {
    const rs: unknown = input.refs[id];
    if (!Array.isArray(rs) || rs.length === 0 || !rs.every((r) => typeof r === 'string'))
      throw bad(`References of image ${JSON.stringify(id)} must be a non-empty list of strings.`);
  }
  for (const [id, c] of Object.entries(input.cands))
    if (typeof c !== 'string')
      throw bad(
        `The candidate of image ${JSON.stringify(id)} must be one string (got ${Array.isArray(c) ? 'a list' : typeof c}).`,
      );
  const noRefs = Object.keys(input.cands).filter((id) => !Object.hasOwn(input.refs, id));
  if (noRefs.length)
    throw bad(
      `${noRefs.length} candidate image id(s) have no references: ${list(noRefs)}. Add their references or drop those candidates.`,
    );
  const noCand = ids.filter((id) => !Object.hasOwn(input.cands, id));
  if (noCand.length)
    throw bad(
      `${noCand.length} image id(s) with references have no candidate: ${list(noCand)}. coco-caption scores the same images on both sides; add candidates or drop those references.`,
    );
  if (ids.length === 0) throw bad('There are no images to evaluate.');
  return ids;
}

/**
 * Scores candidates against references. The corpus BLEU is coco-caption's corpus BLEU (summed counts,
 * not a mean of per-image scores); ROUGE and CIDEr-D corpus scores are means of the per-image ones.
 * CIDEr-D's document frequencies come from the references of exactly these images, so it is a score
 * of this set, as in coco-caption. Throws AppError('invalid_argument') naming the problem on bad input.
 */
export function evaluate(input: EvalInput, opts: EvalOptions = {}): EvalResult {
  const ids = checkInput(input);
  const tok = opts.tokenize === 'whitespace' ? (s: string) => s.split(/\s+/).filter(Boolean) : cocoTokenize;
  const cands = ids.map((id) => tok(input.cands[id]));
  const refs = ids.map((id) => input.refs[id].map(tok));
  const coded = codeCorpus(cands, refs);
  const b = bleu(coded);
  const rl = rougeL(coded);
  const cd = ciderD(coded);
  const r1 = rougeN(coded, 1);
  const r2 = rougeN(coded, 2);
  const perImage: Record<string, Scores> = {};
  ids.forEach((id, i) => {
    perImage[id] = {
      bleu1: b.perImage[0][i],
      bleu2: b.perImage[1][i],
      bleu3: b.perImage[2][i],
      bleu4: b.perImage[3][i],
      rougeL: rl.perImage[i],
      ciderD: cd.perImage[i],
      rouge1F: r1.perImage[i],
      rouge2F: r2.perImage[i],
    };
  });
  const corpus: Scores = {
    bleu1: b.corpus[0],
    bleu2: b.corpus[1],
    bleu3: b.corpus[2],
    bleu4: b.corpus[3],
    rougeL: rl.corpus,
    ciderD: cd.corpus,
    rouge1F: r1.corpus,
    rouge2F: r2.corpus,
  };
  return { images: ids.length, corpus, perImage };
}
