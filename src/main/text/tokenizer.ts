// The one interface every caption tokeniser implements (word vocabulary, GPT-2 BPE), and the fixed-length
// encoding the trainer feeds models.

export interface Tokenizer {
  /** Number of ids (the largest id + 1). */
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  /** Content ids of a text, without any special token. */
  encode(text: string): number[];
  /** Text of ids; special ids (bos, eos, pad) are dropped. */
  decode(ids: readonly number[]): string;
}

/**
 * The tokenizer a captioning model owns: a Tokenizer that can also show one id as text and be stored
 * inside the model's checkpoint (restored by the model's TextSide). The trainer, the worker,
 * evaluation and captioning only ever see this interface.
 */
export interface CaptionTokenizer extends Tokenizer {
  /** Names the serialised form ('word-vocab', a pretrained subword tokenizer's kind…). */
  readonly kind: string;
  /** Display text of one id (a word, a subword piece); specials by their names. */
  tokenText(id: number): string;
  /** What the checkpoint stores; `TextSide.restore` reads it back. */
  serialize(): string;
}

/**
 * The text side of a model: where its tokenizer comes from. A word vocabulary is built from the
 * training captions of each new run; a pretrained subword tokenizer is shipped with the weights.
 * Either way the tokenizer is saved in every checkpoint and `restore` reads it back.
 */
export interface TextSide {
  /** 'words': built per run from the training captions; 'pretrained': fixed, comes with the weights. */
  readonly kind: 'words' | 'pretrained';
  /** One line for the model list ("word vocabulary of the training captions"…). */
  readonly help: string;
  /** The tokenizer of a new run. `minCount` applies to word vocabularies only. */
  build(captions: readonly string[], opts: { minCount: number }): CaptionTokenizer;
  /** The tokenizer stored in a checkpoint (the string `serialize` wrote). */
  restore(serialized: string): CaptionTokenizer;
}

export interface Padded {
  /** `[bos, …content, eos, pad, …]`, exactly `maxLength` long. */
  ids: number[];
  /** 1 for bos, content and eos; 0 for padding. */
  mask: number[];
  /** Whether content was cut to fit. */
  truncated: boolean;
}

/**
 * Encodes a caption for training: bos, the content ids cut to `maxLength − 2`, eos, then pad ids up
 * to `maxLength`. The eos is kept even when the content is cut, so a model always learns to stop.
 * The mask (not the pad id) says what is padding: GPT-2's pad id is its eos id.
 */
export function encodePadded(tok: Tokenizer, text: string, maxLength: number): Padded {
  if (!Number.isInteger(maxLength) || maxLength < 3)
    throw new Error(`maxLength must be an integer ≥ 3 (bos + at least one token + eos); got ${maxLength}`);
  const content = tok.encode(text);
  const keep = Math.min(content.length, maxLength - 2);
  const ids = [tok.bosId, ...content.slice(0, keep), tok.eosId];
  const mask = ids.map(() => 1);
  while (ids.length < maxLength) {
    ids.push(tok.padId);
    mask.push(0);
  }
  return { ids, mask, truncated: keep < content.length };
}
