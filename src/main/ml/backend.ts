// Chooses the tfjs compute backend: tfjs-node-gpu → tfjs-node → WebAssembly → plain JS (inference
// only), and says why each of the others was not used. The loader is injected so that the choice
// is testable without the native packages.
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import type { BackendCandidate, BackendInfo, BackendName } from '../../shared/types';
import { initThreadedWasm } from './wasm-threads';

export type Purpose = 'train' | 'inference';

export interface BackendLoader {
  /** Loads a native tfjs package; throws when it is missing or its binary cannot load. */
  loadNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): void;
  /** Whether a CUDA GPU is visible to TensorFlow once tfjs-node-gpu loaded. */
  cudaDevices(): number;
  /**
   * Sets up the WebAssembly backend with up to `threads` threads (1: the single-threaded build);
   * returns the threads it got; throws when it cannot start.
   */
  initWasm(threads: number): Promise<number>;
  /** Sets up the plain JavaScript backend. */
  initCpu(): Promise<void>;
}

const ADVICE =
  'For fast training install the native backend: `npm install @tensorflow/tfjs-node` (CPU) or ' +
  '`@tensorflow/tfjs-node-gpu` (CUDA); both download libtensorflow at install time, so they need ' +
  'network access to storage.googleapis.com once.';

function shortReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/Cannot find module/.test(msg)) return 'not installed';
  if (/tfjs_binding\.node|native addon/i.test(msg))
    return 'installed, but its libtensorflow binary is missing';
  return msg.split('\n')[0];
}

/** The choice, plus the WebAssembly threads (null for other backends). */
export type SelectedBackend = BackendInfo & { threads: number | null };

/**
 * WebAssembly threads for a purpose: training uses every core (about +10-30% on a 2-core machine);
 * inference one, where the per-op thread hand-off makes batch-1 decoding slower.
 * CAPTION_STUDIO_WASM_THREADS=N overrides the training count (1 turns threads off).
 */
export function wasmThreadsFor(purpose: Purpose, cores: number, env = process.env): number {
  if (purpose === 'inference') return 1;
  const forced = Number(env.CAPTION_STUDIO_WASM_THREADS);
  if (Number.isSafeInteger(forced) && forced >= 1) return forced;
  return Math.max(1, cores);
}

/** Tries the backends in order and reports every candidate. */
export async function selectBackend(
  loader: BackendLoader,
  purpose: Purpose,
  cores = cpus().length,
): Promise<SelectedBackend> {
  const candidates: BackendCandidate[] = [];
  const add = (name: BackendName, available: boolean, reason: string | null) =>
    candidates.push({ name, available, reason });
  let chosen: BackendName | null = null;

  try {
    loader.loadNative('@tensorflow/tfjs-node-gpu');
    const gpus = loader.cudaDevices();
    if (gpus > 0) {
      chosen = 'tensorflow-gpu';
      add('tensorflow-gpu', true, null);
    } else add('tensorflow-gpu', false, 'loaded, but no CUDA GPU is visible');
  } catch (e) {
    add('tensorflow-gpu', false, shortReason(e));
  }

  if (!chosen) {
    try {
      loader.loadNative('@tensorflow/tfjs-node');
      chosen = 'tensorflow';
      add('tensorflow', true, null);
    } catch (e) {
      add('tensorflow', false, shortReason(e));
    }
  } else add('tensorflow', true, 'not needed: the GPU backend was chosen');

  let threads: number | null = null;
  if (!chosen) {
    const want = wasmThreadsFor(purpose, cores);
    let why: string | null = null;
    if (want > 1)
      try {
        threads = await loader.initWasm(want);
      } catch (e) {
        why = `threads unavailable (${shortReason(e)}), one thread`;
      }
    if (threads === null)
      try {
        threads = await loader.initWasm(1);
      } catch (e) {
        add('wasm', false, shortReason(e));
      }
    if (threads !== null) {
      chosen = 'wasm';
      add('wasm', true, why);
    }
  } else add('wasm', true, 'not needed: a native backend was chosen');

  let warning: string | null = null;
  if (!chosen) {
    if (purpose === 'train') {
      add('cpu', true, 'too slow to train (about 20× slower than WebAssembly)');
      throw Object.assign(new Error('No backend fast enough to train: ' + ADVICE), { candidates });
    }
    await loader.initCpu();
    chosen = 'cpu';
    add('cpu', true, null);
    warning =
      'Using the plain JavaScript backend: captions will be slow (about 20× slower than WebAssembly).';
  } else add('cpu', true, 'not needed: a faster backend was chosen');

  const native = chosen === 'tensorflow' || chosen === 'tensorflow-gpu';
  return { chosen, candidates, warning, advice: native ? null : ADVICE, threads };
}

/** The real loader over the installed packages. */
export function nodeLoader(): BackendLoader {
  // Named nodeRequire: electron-vite injects its own `require` into ESM bundles.
  const nodeRequire = createRequire(import.meta.url);
  let gpuTf: { backend(): unknown } | null = null;
  return {
    loadNative(pkg) {
      gpuTf = nodeRequire(pkg) as { backend(): unknown };
    },
    cudaDevices() {
      // tfjs-node-gpu loads only with CUDA libraries present; a loaded binding on a machine
      // without a device still reports no GPU through the environment.
      if (!gpuTf) return 0;
      return process.env.CUDA_VISIBLE_DEVICES === '' ? 0 : 1;
    },
    async initWasm(threads) {
      // the gradients' own SIMD kernels (simd/), used on the wasm backend; off with a reason if unavailable
      await (await import('./simd/tfjs')).enableSimdKernels();
      const tf = await import('@tensorflow/tfjs');
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // a process has one wasm module: a second call (tests switching backends) reuses it
      if (tf.findBackend('wasm')) {
        if (!(await tf.setBackend('wasm'))) throw new Error('the WebAssembly backend did not start');
        return wasm.getThreadsCount();
      }
      if (threads > 1) return initThreadedWasm(threads, tf, wasm);
      if (!(await tf.setBackend('wasm'))) throw new Error('the WebAssembly backend did not start');
      await tf.ready();
      return wasm.getThreadsCount();
    },
    async initCpu() {
      const tf = await import('@tensorflow/tfjs');
      await tf.setBackend('cpu');
      await tf.ready();
    },
  };
}
