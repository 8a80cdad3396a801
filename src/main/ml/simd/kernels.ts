// Loads the SIMD kernels (kernels.wasm, built from kernels.c by scripts/build-simd.sh) and runs them
// on Float32Arrays: inputs are copied into the module's own memory, which grows to the largest call
// and is reused. Null when the file is missing or this WebAssembly engine has no SIMD.
import { fileURLToPath } from 'node:url';
import { readBoundedSync } from '../../files/bounded';

/** The binary is about 4 kB; anything bigger is not ours. */
const MAX_WASM_BYTES = 1024 * 1024;
const PAGE = 65536;

interface Exports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  matmul_at_b(a: number, b: number, c: number, m: number, k: number, n: number): void;
  matmul_a_bt(a: number, b: number, c: number, m: number, n: number, k: number): void;
  conv_filter_grad(
    x: number,
    dy: number,
    dw: number,
    nb: number,
    h: number,
    w: number,
    ci: number,
    co: number,
    ks: number,
  ): void;
}

/** Where the binary is: beside this file in the sources, beside the bundle in a build (see electron.vite.config.ts). */
export function kernelsWasmPaths(): string[] {
  return ['./kernels.wasm', './simd-kernels.wasm', '../simd-kernels.wasm'].map((p) =>
    fileURLToPath(new URL(p, import.meta.url)),
  );
}

/** Reads the first of `paths` that exists, bounded to MAX_WASM_BYTES. */
export function readKernelsWasm(paths = kernelsWasmPaths()): Uint8Array<ArrayBuffer> {
  const errors: string[] = [];
  for (const p of paths)
    try {
      return new Uint8Array(readBoundedSync(p, MAX_WASM_BYTES, 'SIMD kernels')); // an ArrayBuffer of its own
    } catch (e) {
      errors.push(e instanceof Error ? e.message : String(e));
    }
  throw new Error(`the SIMD kernels binary was not found: ${errors.join('; ')}`);
}

export class SimdKernels {
  private readonly ex: Exports;
  private readonly base: number;

  private constructor(instance: WebAssembly.Instance) {
    this.ex = instance.exports as unknown as Exports;
    this.base = ((this.ex.__heap_base.value as number) + 63) & ~63;
  }

  /**
   * Instantiates the kernels; rejects with the reason when WebAssembly SIMD is unavailable or the
   * binary cannot be read.
   */
  static async load(bytes: Uint8Array<ArrayBuffer> = readKernelsWasm()): Promise<SimdKernels> {
    if (!WebAssembly.validate(bytes))
      throw new Error(
        'this WebAssembly engine cannot compile the SIMD kernels (no WebAssembly SIMD, or a damaged binary)',
      );
    const { instance } = await WebAssembly.instantiate(bytes, {});
    return new SimdKernels(instance);
  }

  /** Byte offsets of consecutive float32 arrays of these lengths (64-byte aligned), memory grown to fit. */
  private layout(lengths: number[]): number[] {
    const offsets: number[] = [];
    let at = this.base;
    for (const n of lengths) {
      offsets.push(at);
      at += (n * 4 + 63) & ~63;
    }
    const have = this.ex.memory.buffer.byteLength;
    if (at > have) this.ex.memory.grow(Math.ceil((at - have) / PAGE));
    return offsets;
  }

  private view(offset: number, length: number): Float32Array {
    return new Float32Array(this.ex.memory.buffer, offset, length);
  }

  /**
   * Runs a kernel: `put` copies the inputs into the module's memory (views at the offsets of
   * `lengths`), `run` calls it; returns a view of the output (the last length), valid until the
   * next call.
   */
  private call(lengths: number[], put: (views: Float32Array[]) => void, run: (offsets: number[]) => void) {
    const offsets = this.layout(lengths);
    put(offsets.slice(0, -1).map((o, i) => this.view(o, lengths[i])));
    run(offsets);
    return this.view(offsets[offsets.length - 1], lengths[lengths.length - 1]);
  }

  /** aᵀ·b [k, n] for a [m, k], b [m, n]; `fill(views)` writes a and b. View valid until the next call. */
  matMulAtB(m: number, k: number, n: number, fill: (a: Float32Array, b: Float32Array) => void): Float32Array {
    return this.call(
      [m * k, m * n, k * n],
      ([a, b]) => fill(a, b),
      ([a, b, c]) => this.ex.matmul_at_b(a, b, c, m, k, n),
    );
  }

  /** a·bᵀ [m, k] for a [m, n], b [k, n]; `fill(views)` writes a and b. View valid until the next call. */
  matMulABt(m: number, n: number, k: number, fill: (a: Float32Array, b: Float32Array) => void): Float32Array {
    return this.call(
      [m * n, k * n, m * k],
      ([a, b]) => fill(a, b),
      ([a, b, c]) => this.ex.matmul_a_bt(a, b, c, m, n, k),
    );
  }

  /**
   * Filter gradient [ks, ks, ci, co] of a stride-1 'same' conv from x [nb, h, w, ci] and dy
   * [nb, h, w, co]; `fill(views)` writes x and dy. View valid until the next call.
   */
  convFilterGrad(
    s: { nb: number; h: number; w: number; ci: number; co: number; ks: number },
    fill: (x: Float32Array, dy: Float32Array) => void,
  ): Float32Array {
    const px = s.nb * s.h * s.w;
    return this.call(
      [px * s.ci, px * s.co, s.ks * s.ks * s.ci * s.co],
      ([x, dy]) => fill(x, dy),
      ([x, dy, dw]) => this.ex.conv_filter_grad(x, dy, dw, s.nb, s.h, s.w, s.ci, s.co, s.ks),
    );
  }

  /** Bytes of memory the module holds (it grows to the largest call and stays there). */
  get memoryBytes(): number {
    return this.ex.memory.buffer.byteLength;
  }
}
