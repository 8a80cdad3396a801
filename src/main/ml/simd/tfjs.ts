// The SIMD kernels as tfjs kernels of the WebAssembly backend: enableSimdKernels() registers them
// once the wasm backend runs; the gradient code asks simdConvFilterGrad / simdMatMulAtB / simdMatMulABt first and
// takes tfjs's own ops when they return null (another backend, SIMD unavailable, or turned off with
// CAPTION_STUDIO_SIMD=0). Each call copies its inputs from the tfjs heap into the kernels' memory and
// the result back into a new tfjs tensor (one copy each way).
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { SimdKernels } from './kernels';

export const SIMD_MATMUL_AT_B = 'CaptionStudioMatMulAtB';
export const SIMD_MATMUL_A_BT = 'CaptionStudioMatMulABt';
export const SIMD_CONV_FILTER_GRAD = 'CaptionStudioConvFilterGrad';

export interface SimdStatus {
  /** Whether the gradients use the kernels. */
  enabled: boolean;
  /** Why not, when they do not. */
  reason: string | null;
}

let status: SimdStatus = { enabled: false, reason: 'not started (enableSimdKernels)' };
let kernels: SimdKernels | null = null;

function f32(be: BackendWasm, t: tf.TensorInfo): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`SIMD kernels take float32 tensors, got ${t.dtype}`);
  return be.typedArrayFromHeap(t) as Float32Array;
}

/** A new tfjs tensor on the wasm heap holding `values`. */
function output(be: BackendWasm, shape: number[], values: Float32Array): tf.TensorInfo {
  const out = be.makeOutput(shape, 'float32');
  f32(be, out).set(values); // the view is taken after makeOutput: allocating may move the heap
  return out;
}

function register(k: SimdKernels) {
  tf.registerKernel({
    kernelName: SIMD_MATMUL_AT_B,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const be = backend as BackendWasm;
      const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const [m, kk] = a.shape;
      const n = b.shape[1];
      const c = k.matMulAtB(m, kk, n, (va, vb) => {
        va.set(f32(be, a));
        vb.set(f32(be, b));
      });
      return output(be, [kk, n], c);
    },
  });
  tf.registerKernel({
    kernelName: SIMD_MATMUL_A_BT,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const be = backend as BackendWasm;
      const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const [m, n] = a.shape;
      const kk = b.shape[0];
      const c = k.matMulABt(m, n, kk, (va, vb) => {
        va.set(f32(be, a));
        vb.set(f32(be, b));
      });
      return output(be, [m, kk], c);
    },
  });
  tf.registerKernel({
    kernelName: SIMD_CONV_FILTER_GRAD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const be = backend as BackendWasm;
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const ks = (attrs as { ks: number }).ks;
      const [nb, h, w, ci] = x.shape;
      const co = dy.shape[3];
      const dw = k.convFilterGrad({ nb, h, w, ci, co, ks }, (vx, vdy) => {
        vx.set(f32(be, x));
        vdy.set(f32(be, dy));
      });
      return output(be, [ks, ks, ci, co], dw);
    },
  });
}

/**
 * Loads and registers the kernels (once per process; later calls only re-read the switch); never
 * throws: the status says why they are off.
 */
export async function enableSimdKernels(env: NodeJS.ProcessEnv = process.env): Promise<SimdStatus> {
  if (env.CAPTION_STUDIO_SIMD === '0')
    return (status = { enabled: false, reason: 'turned off (CAPTION_STUDIO_SIMD=0)' });
  if (!kernels)
    try {
      kernels = await SimdKernels.load();
      register(kernels);
    } catch (e) {
      return (status = { enabled: false, reason: e instanceof Error ? e.message : String(e) });
    }
  return (status = { enabled: true, reason: null });
}

/** Turns the kernels off (tfjs's own ops) or back on, when loaded: for tests and A/B runs. */
export function setSimdKernelsEnabled(on: boolean): void {
  if (on && !kernels) throw new Error('the SIMD kernels are not loaded (enableSimdKernels)');
  status = on ? { enabled: true, reason: null } : { enabled: false, reason: 'turned off' };
}

export function simdKernelsStatus(): SimdStatus {
  return { ...status };
}

const active = () => status.enabled && tf.getBackend() === 'wasm';

/** aᵀ·b [K, N] for a [M, K], b [M, N] by the SIMD kernel, or null (use tfjs). */
export function simdMatMulAtB(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D | null {
  if (!active() || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  if (a.shape[0] !== b.shape[0]) throw new Error(`aᵀ·b needs equal rows, got ${a.shape} and ${b.shape}`);
  return tf.engine().runKernel(SIMD_MATMUL_AT_B, { a, b }) as tf.Tensor2D; // [K, N]
}

/** a·bᵀ [M, K] for a [M, N], b [K, N] by the SIMD kernel, or null (use tfjs). */
export function simdMatMulABt(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D | null {
  if (!active() || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  if (a.shape[1] !== b.shape[1]) throw new Error(`a·bᵀ needs equal columns, got ${a.shape} and ${b.shape}`);
  return tf.engine().runKernel(SIMD_MATMUL_A_BT, { a, b }) as tf.Tensor2D; // [M, K]
}

/**
 * Filter gradient [k, k, Ci, Co] of a stride-1 'same' conv with a k×k kernel, from x [N, H, W, Ci]
 * and dy [N, H, W, Co], by the SIMD kernel, or null (use tfjs).
 */
export function simdConvFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, k: number): tf.Tensor4D | null {
  if (!active() || x.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  return tf.engine().runKernel(SIMD_CONV_FILTER_GRAD, { x, dy }, { ks: k }) as tf.Tensor4D; // [k, k, Ci, Co]
}
