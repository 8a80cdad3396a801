// Loading ViT-GPT2 checkpoints from every Hugging Face layout: identical tensors across layouts,
// joined encoder + decoder with seeded cross-attention, and errors that list what is wrong.
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/result';
import { readHfVitGpt2 } from './hfVitGpt2';
import { writeSafetensors } from './safetensors';
import { tinyArch, writeTinyJoined, writeTinyVed, type TinyLayout } from './tinyHfCheckpoint';
import { expectedTensors, hfConfigFromArch } from './vitGpt2Names';

const root = mkdtempSync(join(tmpdir(), 'hf-vitgpt2-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `d${n++}`);

type T = Map<string, { shape: number[]; data: Float32Array }>;
function expectSame(got: T, want: T) {
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [k, v] of want) {
    expect(got.get(k)!.shape, k).toEqual(v.shape);
    expect(Buffer.from(got.get(k)!.data.buffer).equals(Buffer.from(v.data.buffer)), k).toBe(true);
  }
}

function errorOf(f: () => unknown): AppError {
  try {
    f();
  } catch (e) {
    return e as AppError;
  }
  throw new Error('expected an error');
}

describe('readHfVitGpt2: VisionEncoderDecoder folders', () => {
  const layouts: TinyLayout[] = ['ved', 'ved-sharded', 'ved-f16', 'ved-bf16', 'ved-legacy'];
  it.each(layouts)('%s loads to the tensors that were written', (layout) => {
    const dir = fresh();
    const want = writeTinyVed(dir, layout);
    const got = readHfVitGpt2({ dir });
    expect(got.arch).toEqual(tinyArch());
    expectSame(got.tensors, want);
    expect(got.initialised).toEqual([]);
    expect(got.tokenizerDir).toBe(dir);
    expect(got.preprocessor).toMatchObject({ height: 32, width: 32, mean: [0.5, 0.5, 0.5] });
    expect(got.generation.decoderStartTokenId).toBe(259);
    if (layout === 'ved-f16') expect(got.notes.join('\n')).toMatch(/F16 were converted/);
    if (layout === 'ved-bf16') expect(got.notes.join('\n')).toMatch(/BF16 were converted/);
    if (layout === 'ved-legacy') {
      expect(got.notes.join('\n')).toMatch(/legacy attention mask buffer/);
      expect(got.notes.join('\n')).toMatch(/lm_head.weight is stored and equals wte/);
    }
  });

  it('gives identical tensors in every layout (pooler aside)', () => {
    const a = readHfVitGpt2({
      dir: (() => {
        const d = fresh();
        writeTinyVed(d, 'ved');
        return d;
      })(),
    }).tensors;
    for (const layout of ['ved-sharded', 'ved-bf16'] as const) {
      const d = fresh();
      writeTinyVed(d, layout);
      expectSame(readHfVitGpt2({ dir: d }).tensors, a);
    }
  });

  it('lists missing, unexpected and mis-shaped tensors together, before reading any', () => {
    const dir = fresh();
    const t = writeTinyVed(dir, 'ved');
    t.delete('decoder.transformer.h.1.mlp.c_fc.bias');
    t.set('decoder.transformer.h.0.attn.c_attn.weight', { shape: [96, 32], data: new Float32Array(96 * 32) });
    t.set('decoder.extra.weight', { shape: [2], data: new Float32Array(2) });
    writeFileSync(join(dir, 'model.safetensors'), writeSafetensors(t));
    const e = errorOf(() => readHfVitGpt2({ dir }));
    expect(e.code).toBe('invalid_argument');
    expect(e.message).toMatch(/missing \(1\): decoder\.transformer\.h\.1\.mlp\.c_fc\.bias \[128\]/);
    expect(e.message).toMatch(/unexpected \(1\): decoder\.extra\.weight/);
    expect(e.message).toMatch(
      /wrong shape \(1\): decoder\.transformer\.h\.0\.attn\.c_attn\.weight is \[96,32\], expected \[32,96\]/,
    );
  });

  it('refuses a config whose sizes disagree with the stored tensors (no huge allocation)', () => {
    const dir = fresh();
    writeTinyVed(dir, 'ved');
    const a = tinyArch();
    const cfg = hfConfigFromArch({ ...a, decoder: { ...a.decoder, vocabSize: 1_000_000 } });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
    const e = errorOf(() => readHfVitGpt2({ dir }));
    expect(e.message).toMatch(/wte\.weight is \[260,32\], expected \[1000000,32\]/);
  });

  it('refuses a shard outside the folder, pickle-only folders and a truncated file', () => {
    const dir = fresh();
    writeTinyVed(dir, 'ved-sharded');
    const idx = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8'));
    const first = Object.keys(idx.weight_map)[0];
    idx.weight_map[first] = '../evil.safetensors';
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify(idx));
    expect(() => readHfVitGpt2({ dir })).toThrow(/shards must be .safetensors files in the same folder/);

    const pk = fresh();
    writeTinyVed(pk, 'ved');
    unlinkSync(join(pk, 'model.safetensors'));
    writeFileSync(join(pk, 'pytorch_model.bin'), 'x');
    expect(() => readHfVitGpt2({ dir: pk })).toThrow(/pickle/);

    const tr = fresh();
    writeTinyVed(tr, 'ved');
    const bytes = readFileSync(join(tr, 'model.safetensors'));
    writeFileSync(join(tr, 'model.safetensors'), bytes.subarray(0, bytes.length - 10));
    expect(() => readHfVitGpt2({ dir: tr })).toThrow(/past the .*data buffer|not indexed/);
  });
});

describe('readHfVitGpt2: where the files live', () => {
  it('follows a huggingface_hub cache entry (refs/main → snapshots/<commit>, files symlinked to blobs)', () => {
    const src = fresh();
    const want = writeTinyVed(src, 'ved');
    const entry = join(fresh(), 'models--owner--tiny');
    const commit = 'c'.repeat(40);
    mkdirSync(join(entry, 'blobs'), { recursive: true });
    mkdirSync(join(entry, 'snapshots', commit), { recursive: true });
    mkdirSync(join(entry, 'refs'));
    writeFileSync(join(entry, 'refs', 'main'), commit);
    for (const f of readdirSync(src)) {
      const bytes = readFileSync(join(src, f));
      const blob = createHash('sha256').update(bytes).digest('hex');
      writeFileSync(join(entry, 'blobs', blob), bytes);
      symlinkSync(join('..', '..', 'blobs', blob), join(entry, 'snapshots', commit, f));
    }
    expectSame(readHfVitGpt2({ dir: entry }).tensors, want);
    rmSync(join(entry, 'refs'), { recursive: true });
    expect(() => readHfVitGpt2({ dir: entry })).toThrow(/snapshots\/<commit>/);
  });

  it('reads regular files only', () => {
    const dir = fresh();
    writeTinyVed(dir, 'ved');
    renameSync(join(dir, 'model.safetensors'), join(dir, 'moved'));
    mkdirSync(join(dir, 'model.safetensors'));
    expect(() => readHfVitGpt2({ dir })).toThrow(/model\.safetensors is a folder, not a regular file/);
  });
});

describe('readHfVitGpt2: an encoder folder joined with a decoder folder', () => {
  it.each([
    { encoder: 'bare', decoder: 'lm-head' },
    { encoder: 'vit-prefixed', decoder: 'bare' },
  ] as const)('$encoder ViT + $decoder GPT-2 with cross-attention loads identical tensors', (l) => {
    const e = fresh();
    const d = fresh();
    const want = writeTinyJoined(e, d, { ...l, cross: true });
    const got = readHfVitGpt2({ encoderDir: e, decoderDir: d });
    expect(got.initialised).toEqual([]);
    expectSame(got.tensors, want);
    expect(got.tokenizerDir).toBe(d);
    const v = readHfVitGpt2({
      dir: (() => {
        const x = fresh();
        writeTinyVed(x, 'ved');
        return x;
      })(),
    });
    expectSame(got.tensors, v.tensors);
  });

  it('initialises missing cross-attention from the seed as transformers does, and says so', () => {
    const e = fresh();
    const d = fresh();
    const want = writeTinyJoined(e, d, { encoder: 'bare', decoder: 'bare', cross: false });
    const a = readHfVitGpt2({ encoderDir: e, decoderDir: d }, 7);
    const b = readHfVitGpt2({ encoderDir: e, decoderDir: d }, 7);
    const c = readHfVitGpt2({ encoderDir: e, decoderDir: d }, 8);
    expect(a.initialised).toHaveLength(2 * 8);
    for (const [k, v] of want) expect(a.tensors.get(k)!.data).toEqual(v.data);
    expect(a.notes.join('\n')).toMatch(/add_cross_attention/);
    expect(a.notes.join('\n')).toMatch(/Initialised 16 tensor\(s\)/);
    expect(a.arch.decoder.padTokenId).toBe(259);
    const q = 'decoder.transformer.h.0.crossattention.q_attn.weight';
    expect(a.tensors.get(q)!.data).toEqual(b.tensors.get(q)!.data);
    expect(a.tensors.get(q)!.data).not.toEqual(c.tensors.get(q)!.data);
    const w = a.tensors.get(q)!.data;
    const std = Math.sqrt(w.reduce((s, x) => s + x * x, 0) / w.length);
    expect(std).toBeGreaterThan(0.015);
    expect(std).toBeLessThan(0.025);
    const p = a.tensors.get('decoder.transformer.h.0.crossattention.c_proj.weight')!.data;
    const pstd = Math.sqrt(p.reduce((s, x) => s + x * x, 0) / p.length);
    expect(pstd).toBeLessThan(0.015); // 0.02 / sqrt(2 · 2 layers) = 0.01
    expect(
      [...a.tensors.get('decoder.transformer.h.1.ln_cross_attn.weight')!.data].every((x) => x === 1),
    ).toBe(true);
    expect(
      [...a.tensors.get('decoder.transformer.h.1.crossattention.c_attn.bias')!.data].every((x) => x === 0),
    ).toBe(true);
  });

  it('adds enc_to_dec_proj when the widths differ', () => {
    const arch = tinyArch({ encoderHidden: 48 });
    const e = fresh();
    const d = fresh();
    writeTinyJoined(e, d, { encoder: 'bare', decoder: 'lm-head', cross: true }, arch);
    const got = readHfVitGpt2({ encoderDir: e, decoderDir: d });
    expect(got.initialised).toEqual(['enc_to_dec_proj.weight', 'enc_to_dec_proj.bias']);
    expect(got.tensors.get('enc_to_dec_proj.weight')!.shape).toEqual([32, 48]);
    expect(new Set(got.tensors.keys())).toEqual(new Set(expectedTensors(arch, { pooler: true }).keys()));
  });
});
