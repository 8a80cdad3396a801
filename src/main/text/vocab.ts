// The word vocabulary of the CNN+LSTM captioners: built from training captions, saved as JSON with
// every checkpoint, ids fixed for specials (<pad> = 0, <bos> = 1, <eos> = 2, <unk> = 3).
import { captionWords } from './normalize';
import type { CaptionTokenizer, TextSide } from './tokenizer';

export const SPECIAL_TOKENS = Object.freeze(['<pad>', '<bos>', '<eos>', '<unk>'] as const);

/** The JSON saved beside a checkpoint. `words[id]` is the word of that id, specials first. */
export interface WordVocabJSON {
  kind: 'word-vocab';
  version: 1;
  /** The minimum training count a word needed to get an id (kept for the record). */
  minCount: number;
  words: string[];
}

export class WordVocab implements CaptionTokenizer {
  readonly kind = 'word-vocab';
  readonly padId = 0;
  readonly bosId = 1;
  readonly eosId = 2;
  readonly unkId = 3;
  private readonly ids = new Map<string, number>();
  private readonly list: readonly string[];

  /** `words` must start with the four special tokens, in order, and hold no word twice. */
  constructor(
    words: readonly string[],
    readonly minCount = 1,
  ) {
    SPECIAL_TOKENS.forEach((s, i) => {
      if (words[i] !== s)
        throw new Error(
          `Word vocabulary: id ${i} must be ${s} (found ${JSON.stringify(words[i])}); rebuild the vocabulary`,
        );
    });
    words.forEach((w, i) => {
      if (typeof w !== 'string' || w === '')
        throw new Error(`Word vocabulary: id ${i} is not a non-empty string; the vocabulary file is damaged`);
      if (this.ids.has(w))
        throw new Error(
          `Word vocabulary: ${JSON.stringify(w)} appears twice (ids ${this.ids.get(w)} and ${i}); the vocabulary file is damaged`,
        );
      this.ids.set(w, i);
    });
    this.list = Object.freeze([...words]);
  }

  get vocabSize(): number {
    return this.list.length;
  }

  /** Id of a word, or the <unk> id. */
  idOf(word: string): number {
    return this.ids.get(word) ?? this.unkId;
  }

  wordOf(id: number): string {
    const w = this.list[id];
    if (w === undefined) throw new Error(`Word vocabulary: id ${id} is outside 0…${this.list.length - 1}`);
    return w;
  }

  tokenText(id: number): string {
    return this.wordOf(id);
  }

  serialize(): string {
    return JSON.stringify(this.toJSON());
  }

  encode(text: string): number[] {
    return captionWords(text).map((w) => this.idOf(w));
  }

  decode(ids: readonly number[]): string {
    return ids
      .filter((id) => id !== this.padId && id !== this.bosId && id !== this.eosId)
      .map((id) => this.wordOf(id))
      .join(' ');
  }

  toJSON(): WordVocabJSON {
    return { kind: 'word-vocab', version: 1, minCount: this.minCount, words: [...this.list] };
  }

  static fromJSON(json: unknown): WordVocab {
    const j = json as Partial<WordVocabJSON> | null;
    if (typeof j !== 'object' || j === null || j.kind !== 'word-vocab')
      throw new Error('Not a word vocabulary: expected an object with kind "word-vocab"');
    if (j.version !== 1)
      throw new Error(
        `Word vocabulary version ${String(j.version)} is not supported (this build reads version 1)`,
      );
    if (!Array.isArray(j.words)) throw new Error('Word vocabulary: "words" must be a list of strings');
    const minCount = typeof j.minCount === 'number' ? j.minCount : 1;
    return new WordVocab(j.words, minCount);
  }
}

export interface BuildVocabOptions {
  /** A word needs at least this many occurrences in the training captions (default 1). */
  minCount?: number;
  /** Keep at most this many words besides the specials, the most frequent first. */
  maxWords?: number;
}

/**
 * Builds the vocabulary from training captions (normalised by captionWords). Words are ordered by
 * count, most frequent first, ties alphabetically, so the same captions always give the same ids.
 */
export function buildVocab(captions: Iterable<string>, opts: BuildVocabOptions = {}): WordVocab {
  const minCount = opts.minCount ?? 1;
  if (!Number.isInteger(minCount) || minCount < 1)
    throw new Error(`minCount must be an integer ≥ 1; got ${minCount}`);
  const counts = new Map<string, number>();
  for (const c of captions) for (const w of captionWords(c)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const special = new Set<string>(SPECIAL_TOKENS);
  let words = [...counts]
    .filter(([w, n]) => n >= minCount && !special.has(w))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([w]) => w);
  if (opts.maxWords !== undefined) words = words.slice(0, opts.maxWords);
  return new WordVocab([...SPECIAL_TOKENS, ...words], minCount);
}

/**
 * The text side of the CNN + LSTM captioners: a word vocabulary of the training captions (words seen
 * fewer than `minCount` times map to `<unk>`, which the model learns to predict like any word).
 */
export const WORD_TEXT: TextSide = Object.freeze({
  kind: 'words' as const,
  help: 'word vocabulary of the training captions (rarer words than minWordCount become <unk>)',
  build: (captions: readonly string[], opts: { minCount: number }) => buildVocab(captions, opts),
  restore(serialized: string): WordVocab {
    let json: unknown;
    try {
      json = JSON.parse(serialized);
    } catch (e) {
      throw new Error(
        `The checkpoint's vocabulary is not JSON (${(e as Error).message}); the file is damaged`,
        {
          cause: e,
        },
      );
    }
    return WordVocab.fromJSON(json);
  },
});
