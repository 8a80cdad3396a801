// GPT-2's byte-level BPE from a vocabulary and a merge list (the Hugging Face `vocab.json` +
// `merges.txt` pair): bytes → printable stand-in characters, GPT-2's pre-tokenising regex, then the
// lowest-ranked adjacent pair merged until none is left (openai/gpt-2 encoder.py `bpe`).
import type { Tokenizer } from './tokenizer';

/** GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the other 68 bytes are
 *  shifted to U+0100 and up, so every byte is one visible, non-space character (space → "Ġ"). */
function byteTables(): { toChar: string[]; toByte: Map<string, number> } {
  const toChar: string[] = new Array(256);
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    toChar[b] = String.fromCharCode(printable ? b : 256 + shifted++);
  }
  return { toChar, toByte: new Map(toChar.map((c, b) => [c, b])) };
}
const BYTES = byteTables();

// encoder.py: `re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")`.
const PRETOKENIZE = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's pre-tokens of a text (the pieces BPE never merges across). */
export function pretokenize(text: string): string[] {
  return text.match(PRETOKENIZE) ?? [];
}

/** The byte-level stand-in string of some bytes, one character each (how vocab.json spells tokens). */
export function bytesToChars(bytes: Iterable<number>): string {
  let s = '';
  for (const b of bytes) s += BYTES.toChar[b];
  return s;
}

/** The byte-level stand-in string of a piece of text (its UTF-8 bytes). */
export const toByteChars = (text: string): string => bytesToChars(new TextEncoder().encode(text));

export interface SpecialIds {
  bosId: number;
  eosId: number;
  padId: number;
}

export class BpeTokenizer implements Tokenizer {
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly vocabSize: number;
  private readonly ranks = new Map<string, number>();
  private readonly byId: string[] = [];
  private readonly cache = new Map<string, number[]>();

  /** `vocab` maps byte-level token strings to ids; `merges` are pairs in rank order (first = merged first). */
  constructor(
    private readonly vocab: ReadonlyMap<string, number>,
    merges: ReadonlyArray<readonly [string, string]>,
    special: SpecialIds,
  ) {
    merges.forEach(([a, b], rank) => {
      const key = a + ' ' + b;
      if (!this.ranks.has(key)) this.ranks.set(key, rank);
    });
    let max = -1;
    for (const [tok, id] of vocab) {
      this.byId[id] = tok;
      max = Math.max(max, id);
    }
    this.vocabSize = max + 1;
    for (const [name, id] of Object.entries(special))
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize)
        throw new Error(`BPE tokenizer: ${name} ${id} is not an id of this vocabulary (0…${max})`);
    ({ bosId: this.bosId, eosId: this.eosId, padId: this.padId } = special);
  }

  /** Merges one pre-token: repeatedly join every occurrence of the lowest-ranked adjacent pair. */
  private bpe(piece: string): number[] {
    const hit = this.cache.get(piece);
    if (hit) return hit;
    let parts = [...piece];
    while (parts.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < parts.length - 1; i++) {
        const r = this.ranks.get(parts[i] + ' ' + parts[i + 1]);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      const [a, b] = [parts[best], parts[best + 1]];
      const next: string[] = [];
      for (let i = 0; i < parts.length; i++) {
        if (i < parts.length - 1 && parts[i] === a && parts[i + 1] === b) {
          next.push(a + b);
          i++;
        } else next.push(parts[i]);
      }
      parts = next;
    }
    const ids = parts.map((p) => {
      const id = this.vocab.get(p);
      if (id === undefined)
        throw new Error(
          `BPE tokenizer: ${JSON.stringify(p)} is produced by the merges but missing from the vocabulary`,
        );
      return id;
    });
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(piece, ids);
    return ids;
  }

  /** Ids of a text. Special-token strings such as "<|endoftext|>" in the text are encoded as plain
   *  text, never as the special id: a caption cannot end a sequence by spelling its end token. */
  encode(text: string): number[] {
    const out: number[] = [];
    for (const piece of pretokenize(text)) for (const id of this.bpe(toByteChars(piece))) out.push(id);
    return out;
  }

  decode(ids: readonly number[]): string {
    const bytes: number[] = [];
    for (const id of ids) {
      if (id === this.bosId || id === this.eosId || id === this.padId) continue;
      const tok = this.byId[id];
      if (tok === undefined) throw new Error(`BPE tokenizer: id ${id} is not in the vocabulary`);
      for (const ch of tok) {
        const b = BYTES.toByte.get(ch);
        // Added tokens are plain text, not byte stand-ins.
        if (b === undefined) bytes.push(...new TextEncoder().encode(ch));
        else bytes.push(b);
      }
    }
    return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
  }
}
