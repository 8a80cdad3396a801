// Test helpers: a word tokenizer of a given size and the two CNN + LSTM models built from a config
// partial (the vocabulary size and special ids taken from that tokenizer).
import { CnnLstm, resolveConfig, type CnnLstmPartial } from '../../src/main/ml/models/cnnLstm';
import { CnnLstmAttn, resolveAttnConfig, type AttnPartial } from '../../src/main/ml/models/cnnLstmAttn';
import { SPECIAL_TOKENS, WordVocab } from '../../src/main/text/vocab';

/** A word vocabulary of `v` ids: the four specials, then w4 … w(v−1). */
export const vocabOf = (v: number): WordVocab =>
  new WordVocab([...SPECIAL_TOKENS, ...Array.from({ length: v - 4 }, (_, i) => `w${i + 4}`)]);

export const lstmModel = (p: CnnLstmPartial): CnnLstm => new CnnLstm(resolveConfig(p), vocabOf(p.vocabSize));

export const attnModel = (p: AttnPartial): CnnLstmAttn =>
  new CnnLstmAttn(resolveAttnConfig(p), vocabOf(p.vocabSize));
