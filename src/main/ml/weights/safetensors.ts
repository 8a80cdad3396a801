// safetensors read/write: 8-byte LE header length, JSON header, raw little-endian tensor bytes.
// Layout as in the safetensors spec (huggingface/safetensors README): header entries
// {dtype, shape, data_offsets:[begin,end]} relative to the byte buffer after the header, optional
// `__metadata__` (string → string), buffer fully indexed without holes or overlaps.
import { AppError } from '../../../shared/result';
import { jsonSyntaxMessage } from '../../util/json';
import { f16ToF32, bf16ToF32, f32ToF16 } from './half';

/** Bytes per element of every dtype the format defines; we decode only the float ones. */
const DTYPE_SIZE: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
};

/** The safetensors reference implementation refuses headers above 100 MB; so do we. */
const MAX_HEADER = 100_000_000;

export type WriteDtype = 'F32' | 'F16';

export interface TensorInfo {
  dtype: string;
  shape: number[];
  /** [begin, end) in bytes, relative to the start of the data buffer. */
  offsets: [number, number];
}

export interface SafetensorsFile {
  metadata: Readonly<Record<string, string>>;
  /** Tensor names in file order (by offset). */
  names: string[];
  info(name: string): TensorInfo;
  /** The tensor's values as float32 (F32 copied, F16/BF16 widened). */
  float32(name: string): Float32Array;
}

export interface TensorToWrite {
  shape: number[];
  data: Float32Array;
  /** Stored dtype; F32 unless asked for F16 (values are rounded to nearest even). */
  dtype?: WriteDtype;
}

const bad = (what: string) =>
  new AppError('invalid_argument', `Not a valid safetensors file: ${what}. Re-export or re-download it.`);

const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function parseHeader(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8) throw bad(`it has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > MAX_HEADER) throw bad(`header length ${n} is above the 100 MB limit`);
  if (8 + n > bytes.length)
    throw bad(`header length ${n} runs past the end of the ${bytes.length}-byte file`);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw bad(`header is not JSON (${jsonSyntaxMessage(e, text)})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    throw bad('header is not a JSON object');
  return { header: header as Record<string, unknown>, dataStart: 8 + n };
}

function checkEntry(name: string, raw: unknown): TensorInfo {
  const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (raw === null || typeof raw !== 'object') throw bad(`entry "${name}" is not an object`);
  if (typeof e.dtype !== 'string' || !(e.dtype in DTYPE_SIZE))
    throw bad(`tensor "${name}" has unknown dtype ${JSON.stringify(e.dtype)}`);
  if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw bad(`tensor "${name}" has an invalid shape ${JSON.stringify(e.shape)}`);
  const o = e.data_offsets;
  if (!Array.isArray(o) || o.length !== 2 || !o.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw bad(`tensor "${name}" has invalid data_offsets ${JSON.stringify(o)}`);
  return { dtype: e.dtype, shape: e.shape as number[], offsets: [o[0], o[1]] };
}

export interface SafetensorsIndex {
  metadata: Readonly<Record<string, string>>;
  /** Tensor names in file order (by offset). */
  names: string[];
  infos: ReadonlyMap<string, TensorInfo>;
}

/**
 * Validates a parsed header against a data buffer of `dataLen` bytes: known dtypes, sizes that
 * match the shapes, tensors that tile the buffer without holes or overlaps. Nothing is allocated
 * beyond the index, so a file's claims can be checked before its tensors are read.
 */
export function indexHeader(header: Record<string, unknown>, dataLen: number): SafetensorsIndex {
  const metadata: Record<string, string> = {};
  const infos = new Map<string, TensorInfo>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
        throw bad('__metadata__ is not an object');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') throw bad(`__metadata__ value "${k}" is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    infos.set(name, checkEntry(name, raw));
  }
  const names = [...infos.keys()].sort((a, b) => infos.get(a)!.offsets[0] - infos.get(b)!.offsets[0]);
  let end = 0;
  for (const name of names) {
    const { dtype, shape, offsets } = infos.get(name)!;
    const [b, e] = offsets;
    const size = DTYPE_SIZE[dtype];
    if (e < b) throw bad(`tensor "${name}" ends (${e}) before it begins (${b})`);
    if (e > dataLen) throw bad(`tensor "${name}" ends at byte ${e}, past the ${dataLen}-byte data buffer`);
    if (b % size !== 0) throw bad(`tensor "${name}" starts at byte ${b}, misaligned for ${dtype}`);
    if (e - b !== numel(shape) * size)
      throw bad(
        `tensor "${name}" has ${e - b} bytes but shape [${shape}] × ${dtype} needs ${numel(shape) * size}`,
      );
    if (b < end) throw bad(`tensor "${name}" overlaps the tensor before it (starts at ${b} < ${end})`);
    if (b > end) throw bad(`there is a hole in the data buffer before tensor "${name}" (bytes ${end}–${b})`);
    end = e;
  }
  if (end !== dataLen) throw bad(`${dataLen - end} bytes after the last tensor are not indexed`);
  return { metadata: Object.freeze(metadata), names, infos };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
let f16Table: Float32Array | undefined;

/** Every F16 bit pattern's float32 value (256 KB, built on first use): one lookup per element. */
function f16Lookup(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16ToF32(h);
  }
  return f16Table;
}

/**
 * A tensor's raw little-endian bytes (exactly its data range) as float32: F32 copied, F16/BF16
 * widened. On little-endian machines this goes through typed-array views (bytes copied once to an
 * aligned buffer when needed), tens of times faster than element-wise DataView reads.
 */
export function decodeFloat32(name: string, dtype: string, raw: Uint8Array): Float32Array {
  if (dtype !== 'F32' && dtype !== 'F16' && dtype !== 'BF16')
    throw new AppError(
      'unsupported',
      `Tensor "${name}" is ${dtype}; only F32, F16 and BF16 tensors can be loaded as weights.`,
    );
  const size = DTYPE_SIZE[dtype];
  const n = raw.byteLength / size;
  if (!LITTLE_ENDIAN) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out = new Float32Array(n);
    if (dtype === 'F32') for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
    else if (dtype === 'F16') for (let i = 0; i < n; i++) out[i] = f16ToF32(view.getUint16(2 * i, true));
    else for (let i = 0; i < n; i++) out[i] = bf16ToF32(view.getUint16(2 * i, true));
    return out;
  }
  // `new Uint8Array(raw)` copies into a buffer of its own (a Node Buffer's `slice()` would not copy:
  // it is a view into the same, often pooled, memory at an offset).
  if (dtype === 'F32') return new Float32Array(new Uint8Array(raw).buffer, 0, n);
  const bits =
    raw.byteOffset % 2 === 0
      ? new Uint16Array(raw.buffer, raw.byteOffset, n)
      : new Uint16Array(new Uint8Array(raw).buffer, 0, n);
  const out = new Float32Array(n);
  if (dtype === 'F16') {
    const table = f16Lookup();
    for (let i = 0; i < n; i++) out[i] = table[bits[i]];
  } else {
    const u32 = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) u32[i] = bits[i] << 16;
  }
  return out;
}

/** Parses the 8-byte length and the JSON header from the first bytes of a file. */
export function parseHeaderPrefix(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } {
  return parseHeader(bytes);
}

/** The header length a file declares (its first 8 bytes), checked against the 100 MB limit. */
export function headerLength(first8: Uint8Array): number {
  if (first8.length < 8) throw bad(`it has ${first8.length} bytes, fewer than the 8-byte header length`);
  const n = Number(new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true));
  if (n > MAX_HEADER) throw bad(`header length ${n} is above the 100 MB limit`);
  return n;
}

/** Parses and validates a whole file held in memory; tensor bytes are decoded on demand. */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  const { header, dataStart } = parseHeader(bytes);
  const { metadata, names, infos } = indexHeader(header, bytes.length - dataStart);
  const info = (name: string): TensorInfo => {
    const i = infos.get(name);
    if (!i) throw new AppError('not_found', `The safetensors file has no tensor "${name}".`);
    return i;
  };
  return {
    metadata,
    names,
    info,
    float32(name) {
      const { dtype, offsets } = info(name);
      return decodeFloat32(name, dtype, bytes.subarray(dataStart + offsets[0], dataStart + offsets[1]));
    },
  };
}

/** Serialises tensors (in the given order) and string metadata into one safetensors file. */
export function writeSafetensors(
  tensors: ReadonlyMap<string, TensorToWrite> | Record<string, TensorToWrite>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__')
      throw new AppError('invalid_argument', 'A tensor cannot be named __metadata__.');
    if (numel(t.shape) !== t.data.length)
      throw new AppError(
        'invalid_argument',
        `Tensor "${name}": shape [${t.shape}] needs ${numel(t.shape)} values, got ${t.data.length}.`,
      );
    const dtype = t.dtype ?? 'F32';
    const bytes = t.data.length * DTYPE_SIZE[dtype];
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  // Pad with spaces so the data buffer starts 8-byte aligned, as the reference writer does.
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const [, t] of entries) {
    if ((t.dtype ?? 'F32') === 'F32') {
      for (let i = 0; i < t.data.length; i++, pos += 4) view.setFloat32(pos, t.data[i], true);
    } else {
      for (let i = 0; i < t.data.length; i++, pos += 2) view.setUint16(pos, f32ToF16(t.data[i]), true);
    }
  }
  return out;
}
