// GPT-2's tokenizer from the js-tiktoken package's GPT-2 ranks (50257 ids, 50256 = "<|endoftext|>",
// which is also bos and pad, as in Hugging Face's GPT-2 captioners).
import { Tiktoken } from 'js-tiktoken/lite';
import gpt2Ranks from 'js-tiktoken/ranks/gpt2';
import type { Tokenizer } from './tokenizer';

/** GPT-2's "<|endoftext|>" id. */
export const GPT2_EOT = 50256;

class TiktokenGpt2 implements Tokenizer {
  readonly vocabSize = 50257;
  readonly bosId = GPT2_EOT;
  readonly eosId = GPT2_EOT;
  readonly padId = GPT2_EOT;
  private readonly enc = new Tiktoken(gpt2Ranks);

  /** "<|endoftext|>" inside the text is encoded as plain text, never as the special id. */
  encode(text: string): number[] {
    return this.enc.encode(text, [], []);
  }

  decode(ids: readonly number[]): string {
    return this.enc.decode(ids.filter((id) => id !== GPT2_EOT));
  }
}

let shared: TiktokenGpt2 | undefined;

/** The GPT-2 tokenizer; built on first use (≈ 0.3 s) and shared after. */
export function gpt2Tokenizer(): Tokenizer {
  shared ??= new TiktokenGpt2();
  return shared;
}
