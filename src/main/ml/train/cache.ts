// Frozen-encoder feature cache: encoder features computed once per (encoder weights, preprocessing,
// image) and kept beside the database as float16 files, reused across epochs and runs, within a
// disk budget (least recently used files evicted first).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { READ_CAPS, readBoundedSync } from '../../files/bounded';
import { f16ToF32, f32ToF16 } from '../weights/half';

/** Default budget: 2 GiB (Inception's 8×8×2048 map is 256 KiB per image in float16: 8k images). */
export const DEFAULT_CACHE_BUDGET = 2 * 1024 ** 3;

const MAGIC = 0x46433136; // "FC16"

export interface CachedFeature {
  shape: number[];
  data: Float32Array;
}

export class FeatureCache {
  private readonly sizes = new Map<string, { bytes: number; used: number }>();
  private total = 0;
  hits = 0;
  misses = 0;

  constructor(
    readonly dir: string,
    readonly budgetBytes = DEFAULT_CACHE_BUDGET,
  ) {
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.f16')) continue;
      const st = statSync(join(dir, f));
      this.sizes.set(f.slice(0, -4), { bytes: st.size, used: st.mtimeMs });
      this.total += st.size;
    }
  }

  /** The cache key of one image under one encoder and one preprocessing. */
  static key(encoderFingerprint: string, preprocessing: string, imageKey: string): string {
    return createHash('sha256').update(`${encoderFingerprint}\n${preprocessing}\n${imageKey}`).digest('hex');
  }

  get bytes(): number {
    return this.total;
  }

  get(key: string): CachedFeature | null {
    const path = join(this.dir, `${key}.f16`);
    let buf: Buffer;
    try {
      buf = readBoundedSync(path, READ_CAPS.small, 'cached feature');
    } catch {
      this.misses++;
      return null;
    }
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    if (buf.byteLength < 8 || dv.getUint32(0, true) !== MAGIC) {
      this.remove(key); // a torn or foreign file: recompute
      this.misses++;
      return null;
    }
    const rank = dv.getUint32(4, true);
    const shape = Array.from({ length: rank }, (_, i) => dv.getUint32(8 + 4 * i, true));
    const n = shape.reduce((a, b) => a * b, 1);
    const off = 8 + 4 * rank;
    if (buf.byteLength !== off + 2 * n) {
      this.remove(key);
      this.misses++;
      return null;
    }
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = f16ToF32(dv.getUint16(off + 2 * i, true));
    const now = Date.now();
    try {
      utimesSync(path, now / 1000, now / 1000);
    } catch {
      // another process evicted it meanwhile; we have the data
    }
    const e = this.sizes.get(key);
    if (e) e.used = now;
    this.hits++;
    return { shape, data };
  }

  put(key: string, shape: readonly number[], data: Float32Array): void {
    const off = 8 + 4 * shape.length;
    const buf = Buffer.alloc(off + 2 * data.length);
    buf.writeUInt32LE(MAGIC, 0);
    buf.writeUInt32LE(shape.length, 4);
    shape.forEach((s, i) => buf.writeUInt32LE(s, 8 + 4 * i));
    for (let i = 0; i < data.length; i++) buf.writeUInt16LE(f32ToF16(data[i]), off + 2 * i);
    const path = join(this.dir, `${key}.f16`);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, buf);
    renameSync(tmp, path); // atomic: a reader never sees half a file
    const old = this.sizes.get(key);
    if (old) this.total -= old.bytes;
    this.sizes.set(key, { bytes: buf.byteLength, used: Date.now() });
    this.total += buf.byteLength;
    this.evict();
  }

  /** Deletes least recently used files until the cache fits its budget. */
  evict(): void {
    if (this.total <= this.budgetBytes) return;
    const byAge = [...this.sizes].sort((a, b) => a[1].used - b[1].used);
    for (const [k] of byAge) {
      if (this.total <= this.budgetBytes) break;
      this.remove(k);
    }
  }

  private remove(key: string): void {
    rmSync(join(this.dir, `${key}.f16`), { force: true });
    const e = this.sizes.get(key);
    if (e) this.total -= e.bytes;
    this.sizes.delete(key);
  }
}
