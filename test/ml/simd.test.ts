// The SIMD kernels (src/main/ml/simd) equal tfjs's own results: aᵀ·b against tfjs's MatMul and the
// conv filter gradient against tfjs's Conv2DBackpropFilter (cpu backend), on random shapes including
// odd sizes; the layers' gradients on wasm are the same with the kernels on and off (and the kernels
// do run); no tensor leaks; a clean fallback when the kernels cannot load or are turned off.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../../src/main/ml/backend';
import { ParamStore } from '../../src/main/ml/nn/module';
import { convFilterGrad } from '../../src/main/ml/nn/ops';
import { Conv2d, Dense } from '../../src/main/ml/nn/layers';
import { LstmCell } from '../../src/main/ml/nn/lstm';
import { SimdKernels, kernelsWasmPaths, readKernelsWasm } from '../../src/main/ml/simd/kernels';
import {
  SIMD_CONV_FILTER_GRAD,
  SIMD_MATMUL_AT_B,
  SIMD_MATMUL_A_BT,
  enableSimdKernels,
  setSimdKernelsEnabled,
  simdConvFilterGrad,
  simdKernelsStatus,
  simdMatMulABt,
  simdMatMulAtB,
} from '../../src/main/ml/simd/tfjs';

/** Seeded uniform floats in [−1, 1). */
function random(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 31 - 1;
  });
}

/** max |got − want| relative to max |want| (elements near zero make a per-element ratio meaningless). */
function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return err / scale;
}

/** Runs `f` on the cpu backend (tfjs's reference kernels) and returns its values. */
async function onCpu(f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend('cpu');
  try {
    const t = f();
    const v = t.dataSync() as Float32Array;
    t.dispose();
    return v;
  } finally {
    await tf.setBackend('wasm');
  }
}

/** Values of `f` on wasm, disposing every tensor it made. */
function values(f: () => tf.Tensor): Float32Array {
  const t = tf.tidy(f);
  const v = t.dataSync() as Float32Array;
  t.dispose();
  return v;
}

/** Names of the kernels `f` runs. */
async function kernelNames(f: () => tf.Tensor[]): Promise<string[]> {
  const p = await tf.profile(() => {
    tf.dispose(f());
    return [];
  });
  return p.kernels.map((k) => k.name);
}

beforeAll(async () => {
  // the training backend (threaded wasm where it starts): the kernels read its shared heap
  await selectBackend(nodeLoader(), 'train');
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('SIMD kernels', () => {
  it('load on the training backend', () => {
    expect(simdKernelsStatus()).toEqual({ enabled: true, reason: null });
    expect(tf.getBackend()).toBe('wasm');
  });

  // [m, k, n]: 1-element, odd sizes off every tile edge, the LSTM and attention shapes
  const mm: Array<[number, number, number]> = [
    [1, 1, 1],
    [3, 5, 7],
    [17, 13, 9],
    [65, 4, 8],
    [2, 31, 263],
    [32, 384, 1024],
    [300, 129, 67],
  ];
  it.each(mm)('aᵀ·b for a [%i, %i], b [·, %i] equals tfjs MatMul', async (m, k, n) => {
    const av = random(m * k, m * 7 + k);
    const bv = random(m * n, n * 11 + 3);
    const before = tf.memory().numTensors;
    const got = values(() => simdMatMulAtB(tf.tensor2d(av, [m, k]), tf.tensor2d(bv, [m, n]))!);
    expect(tf.memory().numTensors).toBe(before);
    const want = await onCpu(() => tf.matMul(tf.tensor2d(av, [m, k]), tf.tensor2d(bv, [m, n]), true, false));
    expect(relErr(got, want)).toBeLessThan(1e-5);
  });

  it.each(mm)('a·bᵀ for a [%i, %i], b [%i, ·] equals tfjs MatMul', async (m, n, k) => {
    const av = random(m * n, m * 5 + n);
    const bv = random(k * n, k * 13 + 1);
    const before = tf.memory().numTensors;
    const got = values(() => simdMatMulABt(tf.tensor2d(av, [m, n]), tf.tensor2d(bv, [k, n]))!);
    expect(tf.memory().numTensors).toBe(before);
    const want = await onCpu(() => tf.matMul(tf.tensor2d(av, [m, n]), tf.tensor2d(bv, [k, n]), false, true));
    expect(relErr(got, want)).toBeLessThan(1e-5);
  });

  // [n, h, w, ci, co, k]: the tiny CNN's three layers at batch 4, odd sizes, 1×1 and 5×5 kernels,
  // images narrower than the kernel
  const conv: Array<[number, number, number, number, number, number]> = [
    [8, 64, 64, 3, 32, 3],
    [8, 32, 32, 32, 64, 3],
    [8, 16, 16, 64, 128, 3],
    [1, 8, 8, 16, 24, 3],
    [3, 7, 5, 5, 13, 3],
    [2, 9, 11, 6, 9, 5],
    [1, 2, 3, 7, 10, 5],
    [5, 4, 4, 3, 4, 1],
  ];
  it.each(conv)(
    'conv filter gradient for x [%i, %i, %i, %i], %i outputs, kernel %i equals tfjs',
    async (n, h, w, ci, co, k) => {
      const xv = random(n * h * w * ci, h * 5 + ci);
      const dyv = random(n * h * w * co, w * 3 + co);
      const x = tf.tensor4d(xv, [n, h, w, ci]);
      const dy = tf.tensor4d(dyv, [n, h, w, co]);
      const before = tf.memory().numTensors;
      const got = values(() => simdConvFilterGrad(x, dy, k)!);
      expect(tf.memory().numTensors).toBe(before);
      // tfjs's ops on wasm (the path the kernel replaces: one XNNPACK conv)
      setSimdKernelsEnabled(false);
      try {
        expect(
          relErr(
            got,
            values(() => convFilterGrad(x, dy, k)),
          ),
        ).toBeLessThan(1e-5);
      } finally {
        setSimdKernelsEnabled(true);
      }
      tf.dispose([x, dy]);
      // tfjs's reference kernel Conv2DBackpropFilter (cpu backend; too slow for the big layers)
      if (n * h * w * ci * co * k * k > 4e6) return;
      const want = await onCpu(
        () =>
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropFilter',
              { x: tf.tensor4d(xv, [n, h, w, ci]), dy: tf.tensor4d(dyv, [n, h, w, co]) },
              { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [k, k, ci, co] },
            ) as tf.Tensor,
      );
      expect(relErr(got, want)).toBeLessThan(1e-5);
    },
  );

  it('give the layers the same gradients as tfjs ops, and are what the gradients run', async () => {
    const ps = new ParamStore(5);
    const conv = new Conv2d(ps, 'conv', 3, 16);
    const conv2 = new Conv2d(ps, 'conv2', 16, 8);
    const lstm = new LstmCell(ps, 'lstm', 8, 12);
    const out = new Dense(ps, 'out', 12, 5);
    const img = tf.tensor4d(random(4 * 12 * 12 * 3, 9), [4, 12, 12, 3]);
    const loss = () =>
      tf.tidy(() => {
        const f = conv2.apply(conv.apply(img, false)); // [4, 12, 12, 8]
        const x = tf.mean(f, [1, 2]) as tf.Tensor2D; // [4, 8]
        let s = { h: tf.zeros([4, 12]) as tf.Tensor2D, c: tf.zeros([4, 12]) as tf.Tensor2D };
        for (let t = 0; t < 3; t++) s = lstm.step(x, s);
        return tf.sum(tf.square(out.apply(s.h))) as tf.Scalar;
      });
    const grads = () => {
      const { value, grads } = tf.variableGrads(loss, ps.variables());
      return [value, ...ps.variables().map((v) => grads[v.name])];
    };
    const run = () => {
      const ts = grads();
      const vs = ts.map((t) => t.dataSync() as Float32Array);
      tf.dispose(ts);
      return vs;
    };
    const before = tf.memory().numTensors;
    const withSimd = run();
    expect(tf.memory().numTensors).toBe(before);
    const names = await kernelNames(grads);
    expect(names).toContain(SIMD_CONV_FILTER_GRAD);
    expect(names).toContain(SIMD_MATMUL_AT_B);
    expect(names).toContain(SIMD_MATMUL_A_BT);
    setSimdKernelsEnabled(false);
    try {
      const plain = run();
      expect((await kernelNames(grads)).filter((n) => n.startsWith('CaptionStudio'))).toEqual([]);
      expect(withSimd).toHaveLength(plain.length);
      withSimd.forEach((g, i) => expect(relErr(g, plain[i]), `gradient ${i}`).toBeLessThan(1e-5));
    } finally {
      setSimdKernelsEnabled(true);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(img);
    ps.dispose();
  });
});

describe('SIMD fallback', () => {
  it('returns null on another backend, so tfjs computes', async () => {
    await tf.setBackend('cpu');
    try {
      const a = tf.ones([2, 3]) as tf.Tensor2D;
      expect(simdMatMulAtB(a, a)).toBeNull();
      expect(simdMatMulABt(a, a)).toBeNull();
      expect(simdConvFilterGrad(tf.ones([1, 2, 2, 1]), tf.ones([1, 2, 2, 1]), 1)).toBeNull();
      tf.dispose(a);
    } finally {
      await tf.setBackend('wasm');
    }
  });

  it('is off with CAPTION_STUDIO_SIMD=0, and back on without it', async () => {
    expect(await enableSimdKernels({ CAPTION_STUDIO_SIMD: '0' })).toEqual({
      enabled: false,
      reason: 'turned off (CAPTION_STUDIO_SIMD=0)',
    });
    const a = tf.ones([2, 3]) as tf.Tensor2D;
    expect(simdMatMulAtB(a, a)).toBeNull();
    expect(await enableSimdKernels({})).toEqual({ enabled: true, reason: null });
    const c = simdMatMulAtB(a, a)!;
    expect(Array.from(c.dataSync())).toEqual(Array(9).fill(2));
    tf.dispose([a, c]);
  });

  it('refuses a binary this engine cannot compile, and says why', async () => {
    expect(WebAssembly.validate(readKernelsWasm())).toBe(true);
    const notSimd = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff]);
    await expect(SimdKernels.load(notSimd)).rejects.toThrow(/cannot compile the SIMD kernels/);
  });

  it('reports a missing binary and refuses a file that is not one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simd-test-'));
    expect(() => readKernelsWasm([join(dir, 'none.wasm')])).toThrow(/SIMD kernels binary was not found/);
    expect(() => readKernelsWasm([dir])).toThrow(/SIMD kernels binary was not found/);
    const big = join(dir, 'big.wasm');
    writeFileSync(big, Buffer.alloc(2 * 1024 * 1024));
    expect(() => readKernelsWasm([big])).toThrow(/SIMD kernels binary was not found/);
    expect(kernelsWasmPaths()[0]).toMatch(/simd[\\/]kernels\.wasm$/);
  });
});
