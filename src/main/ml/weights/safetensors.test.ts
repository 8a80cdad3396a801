// safetensors round trips, an HF-style header written by hand, F16/BF16 decoding and broken files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors } from './safetensors';
import { bf16ToF32, f16ToF32, f32ToF16 } from './half';

const dir = mkdtempSync(join(tmpdir(), 'safetensors-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Builds a file by hand: header object, raw data bytes, optional header padding. */
function craft(header: object, data: Uint8Array, pad = 0): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(pad));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const le32 = (vals: number[]) => {
  const b = new Uint8Array(vals.length * 4);
  const v = new DataView(b.buffer);
  vals.forEach((x, i) => v.setFloat32(4 * i, x, true));
  return b;
};
const le16 = (bits: number[]) => {
  const b = new Uint8Array(bits.length * 2);
  const v = new DataView(b.buffer);
  bits.forEach((x, i) => v.setUint16(2 * i, x, true));
  return b;
};

describe('half precision', () => {
  it('converts known F16 and BF16 bit patterns', () => {
    expect(f16ToF32(0x3c00)).toBe(1);
    expect(f16ToF32(0xc000)).toBe(-2);
    expect(f16ToF32(0x7bff)).toBe(65504);
    expect(f16ToF32(0x0001)).toBe(2 ** -24);
    expect(f16ToF32(0x7c00)).toBe(Infinity);
    expect(f16ToF32(0x7e00)).toBeNaN();
    expect(bf16ToF32(0x3f80)).toBe(1);
    expect(bf16ToF32(0xc0a0)).toBe(-5);
  });

  it('rounds float32 to the nearest F16, ties to even, overflow to Inf', () => {
    expect(f32ToF16(1)).toBe(0x3c00);
    expect(f32ToF16(65504)).toBe(0x7bff);
    expect(f32ToF16(70000)).toBe(0x7c00);
    expect(f32ToF16(-0)).toBe(0x8000);
    expect(f32ToF16(2 ** -24)).toBe(0x0001);
    expect(f32ToF16(2 ** -26)).toBe(0); // below half the smallest subnormal
    // 1 + 2^-11 is exactly between 1 and 1 + 2^-10: ties to the even mantissa (1)
    expect(f32ToF16(1 + 2 ** -11)).toBe(0x3c00);
    expect(f32ToF16(1 + 3 * 2 ** -11)).toBe(0x3c02);
    for (let bits = 0; bits < 0x7c00; bits += 37) expect(f32ToF16(f16ToF32(bits))).toBe(bits);
  });
});

describe('safetensors', () => {
  it('writes and reads back F32 and F16 tensors and metadata through a file', () => {
    const a = Float32Array.from({ length: 6 }, (_, i) => i * 0.5 - 1);
    const b = Float32Array.from([0.1, 1000.5, -3.25]);
    const bytes = writeSafetensors(
      new Map([
        ['decoder.lstm.0.weight', { shape: [2, 3], data: a }],
        ['decoder.out.bias', { shape: [3], data: b, dtype: 'F16' as const }],
      ]),
      { config: '{"hidden":256}', vocabulary: '["<pad>"]' },
    );
    // the data buffer starts 8-byte aligned
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
    const path = join(dir, 'model.safetensors');
    writeFileSync(path, bytes);
    const f = readSafetensors(new Uint8Array(readFileSync(path)));
    expect(f.metadata).toEqual({ config: '{"hidden":256}', vocabulary: '["<pad>"]' });
    expect(f.names).toEqual(['decoder.lstm.0.weight', 'decoder.out.bias']);
    expect(f.info('decoder.out.bias')).toEqual({ dtype: 'F16', shape: [3], offsets: [24, 30] });
    expect(Array.from(f.float32('decoder.lstm.0.weight'))).toEqual(Array.from(a));
    // F16 keeps 11 significant bits
    Array.from(f.float32('decoder.out.bias')).forEach((v, i) => expect(v).toBeCloseTo(b[i], 1));
    expect(f.float32('decoder.out.bias')[1]).toBe(1000.5);
  });

  it('reads tensors out of a Node Buffer that is a view at an offset of a larger (pooled) buffer', () => {
    const a = Float32Array.from({ length: 5 }, (_, i) => i + 0.25);
    const h = Float32Array.from([0.5, -2, 4]);
    const bytes = writeSafetensors(
      new Map([
        ['a', { shape: [5], data: a }],
        ['h', { shape: [3], data: h, dtype: 'F16' as const }],
      ]),
      {},
    );
    // Buffer.from(arrayBuffer, offset) is what readFileSync and pooled allocations hand out: a view
    // whose byteOffset is not 0, so `buf.slice().buffer` is the whole underlying memory.
    const backing = Buffer.alloc(bytes.length + 13, 0x7f);
    const view = Buffer.from(backing.buffer, backing.byteOffset + 13, bytes.length);
    view.set(bytes);
    const f = readSafetensors(view);
    expect(Array.from(f.float32('a'))).toEqual(Array.from(a));
    expect(Array.from(f.float32('h'))).toEqual(Array.from(h));
  });

  it('reads a file laid out like a Hugging Face one (unordered keys, padded header, BF16, unused dtypes)', () => {
    // The HF writer orders tensors by dtype size (largest first), which keeps every one aligned.
    const data = new Uint8Array([...new Uint8Array(8), ...le32([1.5, -2]), ...le16([0x3f80, 0xc0a0])]);
    const header = {
      'h.0.attn.c_attn.weight': { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
      __metadata__: { format: 'pt' },
      'h.0.ln_1.weight': { dtype: 'BF16', shape: [2], data_offsets: [16, 20] },
      position_ids: { dtype: 'I64', shape: [1], data_offsets: [0, 8] },
    };
    const f = readSafetensors(craft(header, data, 5));
    expect(f.metadata).toEqual({ format: 'pt' });
    expect(f.names).toEqual(['position_ids', 'h.0.attn.c_attn.weight', 'h.0.ln_1.weight']);
    expect(Array.from(f.float32('h.0.ln_1.weight'))).toEqual([1, -5]);
    expect(Array.from(f.float32('h.0.attn.c_attn.weight'))).toEqual([1.5, -2]);
    expect(() => f.float32('position_ids')).toThrow(/position_ids.*I64.*F32, F16 and BF16/);
    expect(() => f.float32('nope')).toThrow(/no tensor "nope"/);
  });

  it('rejects broken files with an error naming the problem and the tensor', () => {
    const ok = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
    const eight = new Uint8Array(8);
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(5), /fewer than the 8-byte header length/],
      [craft(ok, eight).subarray(0, 12), /runs past the end/],
      [craft({ a: ok }, eight).map((x, i) => (i === 8 ? 0x5b : x)), /not JSON/],
      [
        craft({ a: { ...ok, data_offsets: [0, 16] } }, eight),
        /"a" ends at byte 16, past the 8-byte data buffer/,
      ],
      [craft({ a: { ...ok, shape: [3] } }, eight), /"a" has 8 bytes but shape \[3\]/],
      [
        craft({ a: ok, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, eight),
        /"b" overlaps the tensor before it/,
      ],
      [
        craft({ a: { dtype: 'F32', shape: [1], data_offsets: [2, 6] } }, eight),
        /"a" starts at byte 2, misaligned/,
      ],
      [craft({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, eight), /hole .* before tensor "a"/],
      [
        craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, eight),
        /4 bytes after the last tensor/,
      ],
      [craft({ a: { ...ok, dtype: 'Q4' } }, eight), /"a" has unknown dtype "Q4"/],
      [craft({ a: ok, __metadata__: { n: 1 } }, eight), /__metadata__ value "n" is not a string/],
      [craft({ a: { ...ok, data_offsets: [8, 0] } }, eight), /"a" ends \(0\) before it begins \(8\)/],
    ];
    for (const [bytes, msg] of cases) expect(() => readSafetensors(bytes)).toThrow(msg);
  });

  it('refuses to write data that does not match its shape', () => {
    expect(() => writeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } })).toThrow(
      /"w": shape \[2,2\] needs 4 values, got 3/,
    );
  });
});
