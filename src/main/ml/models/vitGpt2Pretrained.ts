// Where a `vit-gpt2` model starts from a Hugging Face checkpoint: the folder's architecture (read
// before building, to size images), its weights through the vitio loader, and its GPT-2 byte-level
// BPE as the model's tokenizer (saved inside every checkpoint of the run, so runs never need the folder again).
import { AppError } from '../../../shared/result';
import { BpeTokenizer } from '../../text/bpe';
import { loadHfTokenizer } from '../../text/hf';
import type { CaptionTokenizer } from '../../text/tokenizer';
import { readJsonIfPresent } from '../weights/hfFiles';
import { readHfVitGpt2, type HfVitGpt2 } from '../weights/hfVitGpt2';
import { archFromHfConfig, type VitGpt2Arch } from '../weights/vitGpt2Names';

/** A VisionEncoderDecoder folder, or a ViT folder and a GPT-2 folder to join (new cross-attention). */
export type Pretrained = string | { encoder: string; decoder: string };

export function checkPretrained(p: unknown): Pretrained | null {
  if (p === null || p === undefined) return null;
  if (typeof p === 'string' && p.length > 0) return p;
  if (
    typeof p === 'object' &&
    typeof (p as Record<string, unknown>).encoder === 'string' &&
    typeof (p as Record<string, unknown>).decoder === 'string' &&
    Object.keys(p).length === 2
  )
    return { encoder: (p as { encoder: string }).encoder, decoder: (p as { decoder: string }).decoder };
  throw new AppError(
    'invalid_argument',
    'vit-gpt2 config: pretrained must be a Hugging Face folder path, or {"encoder": ViT folder, "decoder": GPT-2 folder}.',
  );
}

const configOf = (dir: string): unknown => {
  const c = readJsonIfPresent(dir, 'config.json');
  if (c === undefined)
    throw new AppError('not_found', `${dir} has no config.json; it is not a Hugging Face model folder.`);
  return c;
};

/** The architecture a pretrained source describes (config.json only; no weights read). */
export function pretrainedArch(p: Pretrained): VitGpt2Arch {
  return typeof p === 'string'
    ? archFromHfConfig(configOf(p)).arch
    : archFromHfConfig(configOf(p.encoder), configOf(p.decoder)).arch;
}

/** The weights (canonical names, float32) and tokenizer of a pretrained source. */
export function loadPretrained(p: Pretrained, seed: number): { hf: HfVitGpt2; tokenizer: CaptionTokenizer } {
  const hf = readHfVitGpt2(
    typeof p === 'string' ? { dir: p } : { encoderDir: p.encoder, decoderDir: p.decoder },
    seed,
  );
  if (!hf.tokenizerDir)
    throw new AppError(
      'not_found',
      `No tokenizer files (vocab.json + merges.txt, or tokenizer.json) next to the weights in ${typeof p === 'string' ? p : p.decoder}; copy the GPT-2 tokenizer files there.`,
    );
  return { hf, tokenizer: new Gpt2Text(loadHfTokenizer(hf.tokenizerDir)) };
}

interface Gpt2TextJson {
  kind: 'gpt2-bpe';
  vocab: Array<[string, number]>;
  merges: string[];
  bosId: number;
  eosId: number;
  padId: number;
}

/**
 * GPT-2's byte-level BPE as a model's CaptionTokenizer. serialize() stores the vocabulary and merges
 * (about 1.5 MB for GPT-2) so a checkpoint restores it without the original folder.
 */
export class Gpt2Text implements CaptionTokenizer {
  readonly kind = 'gpt2-bpe';
  constructor(private readonly bpe: BpeTokenizer) {}
  get vocabSize() {
    return this.bpe.vocabSize;
  }
  get bosId() {
    return this.bpe.bosId;
  }
  get eosId() {
    return this.bpe.eosId;
  }
  get padId() {
    return this.bpe.padId;
  }
  encode(text: string): number[] {
    return this.bpe.encode(text);
  }
  decode(ids: readonly number[]): string {
    return this.bpe.decode(ids);
  }
  tokenText(id: number): string {
    if (id === this.eosId) return '<|endoftext|>';
    return this.bpe.decode([id]);
  }
  serialize(): string {
    // BpeTokenizer keeps its tables private; they are read back here to store them.
    const inner = this.bpe as unknown as {
      vocab: ReadonlyMap<string, number>;
      ranks: ReadonlyMap<string, number>;
    };
    const merges = [...inner.ranks.entries()].sort((a, b) => a[1] - b[1]).map(([k]) => k);
    const json: Gpt2TextJson = {
      kind: 'gpt2-bpe',
      vocab: [...inner.vocab.entries()],
      merges,
      bosId: this.bosId,
      eosId: this.eosId,
      padId: this.padId,
    };
    return JSON.stringify(json);
  }

  static restore(serialized: string): Gpt2Text {
    const j = JSON.parse(serialized) as Gpt2TextJson;
    const merges = j.merges.map((m) => {
      const i = m.indexOf(' ');
      return [m.slice(0, i), m.slice(i + 1)] as [string, string];
    });
    return new Gpt2Text(
      new BpeTokenizer(new Map(j.vocab), merges, { bosId: j.bosId, eosId: j.eosId, padId: j.padId }),
    );
  }
}

/** True when a serialised tokenizer is GPT-2's BPE (else it is a word vocabulary). */
export function isGpt2Text(serialized: string): boolean {
  return serialized.startsWith('{"kind":"gpt2-bpe"');
}
