// Loads a ViT-GPT2 captioner from Hugging Face folders: a VisionEncoderDecoder folder, or a ViT
// encoder folder plus a GPT-2 decoder folder joined with freshly initialised cross-attention. Names
// from the layouts found in the wild are mapped to the canonical ones of vitGpt2Names.ts; headers
// are checked against the expected shapes before any tensor is read.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../../shared/result';
import { mulberry32 } from '../../util/rng';
import { parseVitProcessor, type VitProcessorConfig } from '../../images/vitProcessor';
import {
  openFolderWeights,
  readJsonIfPresent,
  resolveModelDir,
  type FolderWeights,
  type StoredTensor,
} from './hfFiles';
import { archFromHfConfig, expectedTensors, type VitGpt2Arch } from './vitGpt2Names';

export interface HfTensor {
  shape: number[];
  data: Float32Array;
}

export interface GenerationSettings {
  maxLength: number;
  numBeams: number;
  bosTokenId: number;
  eosTokenId: number;
  padTokenId: number;
  decoderStartTokenId: number;
}

export type HfSource = { dir: string } | { encoderDir: string; decoderDir: string };

export interface HfVitGpt2 {
  arch: VitGpt2Arch;
  /** Canonical names (expectedTensors order; the pooler last when stored), float32. */
  tensors: Map<string, HfTensor>;
  /** Folder holding vocab.json + merges.txt or tokenizer.json, or null when there is none. */
  tokenizerDir: string | null;
  generation: GenerationSettings;
  preprocessor: VitProcessorConfig;
  /** What was assumed, ignored or set while loading, for the user. */
  notes: string[];
  /** Tensors that were not stored and were initialised (joined encoder + decoder only). */
  initialised: string[];
}

type Part = 'ved' | 'encoder' | 'decoder';
type Mapped = { name: string } | { ignore: string } | { tied: true };

const LEGACY_BUFFER = /^h\.\d+\.(attn|crossattention)\.(bias|masked_bias)$/;
const GPT2_TOP = /^(wte|wpe|ln_f|h)\./;
const CROSS = /^decoder\.transformer\.h\.\d+\.(crossattention|ln_cross_attn)\.|^enc_to_dec_proj\./;

/** Maps one stored name to its canonical name, or says why it is ignored. */
function canonical(raw: string, part: Part): Mapped {
  if (part === 'ved') {
    if (raw.startsWith('encoder.')) return canonicalEncoder(raw.slice(8));
    if (raw.startsWith('decoder.')) return canonicalDecoder(raw.slice(8));
    return { name: raw };
  }
  return part === 'encoder' ? canonicalEncoder(raw) : canonicalDecoder(raw);
}

function canonicalEncoder(raw: string): Mapped {
  const n = raw.startsWith('vit.') ? raw.slice(4) : raw;
  if (n === 'embeddings.mask_token') return { ignore: 'ViT mask token (masked image modelling only)' };
  if (n.startsWith('classifier.')) return { ignore: 'image classification head' };
  return { name: `encoder.${n}` };
}

function canonicalDecoder(raw: string): Mapped {
  if (raw === 'lm_head.weight') return { tied: true };
  const n = raw.startsWith('transformer.') ? raw.slice(12) : raw;
  if (LEGACY_BUFFER.test(n)) return { ignore: 'legacy attention mask buffer' };
  if (GPT2_TOP.test(n)) return { name: `decoder.transformer.${n}` };
  return { name: `decoder.${raw}` };
}

/** normal(0, std) from a seeded stream (Box–Muller). */
function normal(rng: () => number, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rng();
    const v = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v) * std;
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v) * std;
  }
  return out;
}

/**
 * Transformers' init for a tensor that is not stored: LayerNorm weight 1 and bias 0, other biases 0,
 * weights normal(0, initializer_range), GPT-2's `c_proj.weight` with std / sqrt(2 · n_layer).
 */
export function initTensor(
  name: string,
  shape: number[],
  rng: () => number,
  layers: number,
  std = 0.02,
): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const isLn = /\.(ln_[a-z_0-9]+|layernorm[a-z_]*)\.(weight|bias)$/.test(name);
  if (isLn && name.endsWith('.weight')) return new Float32Array(n).fill(1);
  if (name.endsWith('.bias')) return new Float32Array(n);
  return normal(rng, n, name.endsWith('c_proj.weight') ? std / Math.sqrt(2 * layers) : std);
}

const sameShape = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function listed(title: string, items: string[]): string {
  if (items.length === 0) return '';
  const shown = items.slice(0, 12).join(', ');
  return `\n  ${title} (${items.length}): ${shown}${items.length > 12 ? `, … ${items.length - 12} more` : ''}`;
}

function findTokenizerDir(dirs: string[]): string | null {
  for (const d of dirs)
    if (
      existsSync(join(d, 'tokenizer.json')) ||
      (existsSync(join(d, 'vocab.json')) && existsSync(join(d, 'merges.txt')))
    )
      return d;
  return null;
}

function generationFrom(json: unknown, arch: VitGpt2Arch): GenerationSettings {
  const g = (json && typeof json === 'object' ? json : {}) as Record<string, unknown>;
  const d = arch.decoder;
  const intOr = (key: string, dflt: number, max: number) => {
    const v = g[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max)
      throw new AppError('invalid_argument', `generation_config.json: "${key}" is ${JSON.stringify(v)}.`);
    return v;
  };
  return {
    maxLength: intOr('max_length', 20, 1_000_000),
    numBeams: intOr('num_beams', 1, 1000),
    bosTokenId: intOr('bos_token_id', d.bosTokenId, d.vocabSize - 1),
    eosTokenId: intOr('eos_token_id', d.eosTokenId, d.vocabSize - 1),
    padTokenId: intOr('pad_token_id', d.padTokenId, d.vocabSize - 1),
    decoderStartTokenId: intOr('decoder_start_token_id', d.decoderStartTokenId, d.vocabSize - 1),
  };
}

/**
 * Reads a ViT-GPT2 checkpoint. Throws AppError listing every missing, unexpected and mis-shaped
 * tensor at once; float16 / bfloat16 are widened to float32. `seed` drives the initialisation of
 * cross-attention (and enc_to_dec_proj) when an encoder and a decoder are joined.
 */
export function readHfVitGpt2(source: HfSource, seed = 0): HfVitGpt2 {
  const src: HfSource =
    'encoderDir' in source
      ? { encoderDir: resolveModelDir(source.encoderDir), decoderDir: resolveModelDir(source.decoderDir) }
      : { dir: resolveModelDir(source.dir) };
  const joined = 'encoderDir' in src;
  const notes: string[] = [];
  const cfgOf = (dir: string) => {
    const c = readJsonIfPresent(dir, 'config.json');
    if (c === undefined)
      throw new AppError('not_found', `${dir} has no config.json; it is not a Hugging Face model folder.`);
    return c;
  };
  const parsed = joined
    ? archFromHfConfig(cfgOf(src.encoderDir), cfgOf(src.decoderDir))
    : archFromHfConfig(cfgOf(src.dir));
  const arch = parsed.arch;
  notes.push(...parsed.notes);
  const decoderCfg = (
    joined ? cfgOf(src.decoderDir) : (cfgOf(src.dir) as { decoder: unknown }).decoder
  ) as Record<string, unknown>;
  const initRange = typeof decoderCfg.initializer_range === 'number' ? decoderCfg.initializer_range : 0.02;

  const folders: Array<[FolderWeights, Part]> = [];
  try {
    if (joined) {
      folders.push([openFolderWeights(src.encoderDir), 'encoder']);
      folders.push([openFolderWeights(src.decoderDir), 'decoder']);
    } else folders.push([openFolderWeights(src.dir), 'ved']);

    // Map stored names to canonical ones.
    const stored = new Map<string, StoredTensor & { raw: string }>();
    const tied: Array<StoredTensor & { raw: string }> = [];
    const ignored = new Map<string, string[]>();
    const duplicated: string[] = [];
    for (const [fw, part] of folders)
      for (const [raw, t] of fw.tensors) {
        const m = canonical(raw, part);
        if ('ignore' in m) ignored.set(m.ignore, [...(ignored.get(m.ignore) ?? []), raw]);
        else if ('tied' in m) tied.push({ ...t, raw });
        else if (stored.has(m.name)) duplicated.push(`${stored.get(m.name)!.raw} and ${raw}`);
        else stored.set(m.name, { ...t, raw });
      }
    for (const [why, names] of ignored)
      notes.push(`Ignored ${names.length} tensor(s): ${why} (${names[0]}${names.length > 1 ? ', …' : ''}).`);

    const hasPooler = stored.has('encoder.pooler.dense.weight');
    const expected = expectedTensors(arch, { pooler: hasPooler });
    if (hasPooler) {
      // The pooler is loaded but never used; its width may differ (pooler_output_size).
      const w = stored.get('encoder.pooler.dense.weight')!.info.shape;
      if (w.length === 2 && w[1] === arch.encoder.hidden) {
        expected.set('encoder.pooler.dense.weight', [w[0], w[1]]);
        expected.set('encoder.pooler.dense.bias', [w[0]]);
      }
    }
    const missing: string[] = [];
    const misshaped: string[] = [];
    const initialised: string[] = [];
    for (const [name, shape] of expected) {
      const s = stored.get(name);
      if (!s) {
        if (joined && CROSS.test(name)) initialised.push(name);
        else missing.push(`${name} [${shape}]`);
      } else if (!sameShape(s.info.shape, shape))
        misshaped.push(`${s.raw} is [${s.info.shape}], expected [${shape}]`);
    }
    const unexpected = [...stored.keys()].filter((n) => !expected.has(n)).map((n) => stored.get(n)!.raw);
    for (const t of tied)
      if (!sameShape(t.info.shape, [arch.decoder.vocabSize, arch.decoder.hidden]))
        misshaped.push(
          `${t.raw} is [${t.info.shape}], expected [${arch.decoder.vocabSize},${arch.decoder.hidden}]`,
        );
    if (missing.length || unexpected.length || misshaped.length || duplicated.length) {
      const where = joined ? `${src.encoderDir} + ${src.decoderDir}` : src.dir;
      throw new AppError(
        'invalid_argument',
        `The weights in ${where} do not match their config.json (ViT ${arch.encoder.layers}×${arch.encoder.hidden}, ` +
          `GPT-2 ${arch.decoder.layers}×${arch.decoder.hidden}):` +
          listed('missing', missing) +
          listed('unexpected', unexpected) +
          listed('wrong shape', misshaped) +
          listed('stored twice', duplicated) +
          '\nUse the config.json saved with these weights, or weights of the architecture it describes.',
        { missing, unexpected, misshaped, duplicated },
      );
    }

    // Every shape is now checked against the headers (and the headers against the file sizes).
    const tensors = new Map<string, HfTensor>();
    const rng = mulberry32(seed);
    const dtypes = new Set<string>();
    for (const [name, shape] of expected) {
      const s = stored.get(name);
      if (s) {
        dtypes.add(s.info.dtype);
        tensors.set(name, { shape: [...shape], data: s.file.float32(s.raw) });
      } else
        tensors.set(name, {
          shape: [...shape],
          data: initTensor(name, shape, rng, arch.decoder.layers, initRange),
        });
    }
    for (const d of dtypes) if (d !== 'F32') notes.push(`Weights stored as ${d} were converted to float32.`);
    if (initialised.length)
      notes.push(
        `Initialised ${initialised.length} tensor(s) the decoder did not have (cross-attention${
          initialised.some((n) => n.startsWith('enc_to_dec_proj')) ? ' and enc_to_dec_proj' : ''
        }), seed ${seed}: normal(0, ${initRange}), zero biases, LayerNorm 1/0; they need fine-tuning.`,
      );
    for (const t of tied) {
      const lm = t.file.float32(t.raw);
      const wte = tensors.get('decoder.transformer.wte.weight')!.data;
      let same = true;
      for (let i = 0; i < lm.length && same; i++) same = lm[i] === wte[i];
      notes.push(
        same
          ? `${t.raw} is stored and equals wte; it stays tied.`
          : `${t.raw} differs from wte and was dropped: the LM head is tied to wte, as transformers ties it.`,
      );
    }
    const mainDir = joined ? src.decoderDir : src.dir;
    const procDir = joined ? src.encoderDir : src.dir;
    const preprocessor = parseVitProcessor(
      readJsonIfPresent(procDir, 'preprocessor_config.json'),
      arch.encoder.imageSize,
    );
    if (
      preprocessor.doResize &&
      (preprocessor.height !== arch.encoder.imageSize || preprocessor.width !== arch.encoder.imageSize)
    )
      throw new AppError(
        'invalid_argument',
        `${procDir}/preprocessor_config.json resizes to ${preprocessor.width}×${preprocessor.height} but the encoder ` +
          `takes ${arch.encoder.imageSize}×${arch.encoder.imageSize} images; fix "size".`,
      );
    if (!existsSync(join(procDir, 'preprocessor_config.json')))
      notes.push(
        `No preprocessor_config.json: ViTImageProcessor defaults (${arch.encoder.imageSize} px, mean/std 0.5).`,
      );
    const tokenizerDir = findTokenizerDir(joined ? [src.decoderDir, src.encoderDir] : [src.dir]);
    if (!tokenizerDir)
      notes.push('No tokenizer files (vocab.json + merges.txt or tokenizer.json) in the folder.');
    return {
      arch,
      tensors,
      tokenizerDir,
      generation: generationFrom(readJsonIfPresent(mainDir, 'generation_config.json'), arch),
      preprocessor,
      notes,
      initialised,
    };
  } finally {
    for (const [fw] of folders) fw.close();
  }
}
