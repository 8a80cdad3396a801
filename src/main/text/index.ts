// Text for captioning: caption normalisation, the word vocabulary, GPT-2 BPE (js-tiktoken or a Hugging
// Face folder), all behind one Tokenizer interface.
export type { Tokenizer, CaptionTokenizer, TextSide, Padded } from './tokenizer';
export { encodePadded } from './tokenizer';
export { captionWords, normalizeCaption } from './normalize';
export {
  WordVocab,
  WORD_TEXT,
  buildVocab,
  SPECIAL_TOKENS,
  type WordVocabJSON,
  type BuildVocabOptions,
} from './vocab';
export { BpeTokenizer, pretokenize } from './bpe';
export { loadHfTokenizer } from './hf';
export { gpt2Tokenizer, GPT2_EOT } from './gpt2';
