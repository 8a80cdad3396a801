// The backend choice, with an injected loader standing in for the installed packages.
import { describe, expect, it } from 'vitest';
import { selectBackend, wasmThreadsFor, type BackendLoader } from './backend';

function loader(opts: { gpu?: boolean; cuda?: number; node?: boolean; wasm?: boolean; noThreads?: boolean }) {
  const calls: string[] = [];
  const asked: number[] = [];
  const l: BackendLoader = {
    loadNative(pkg) {
      calls.push(pkg);
      const okay = pkg.endsWith('-gpu') ? opts.gpu : opts.node;
      if (!okay) throw new Error(`Cannot find module '${pkg}'`);
    },
    cudaDevices: () => opts.cuda ?? 0,
    async initWasm(threads) {
      calls.push('wasm');
      asked.push(threads);
      if (!opts.wasm) throw new Error('wasm failed to compile');
      if (threads > 1 && opts.noThreads) throw new Error('the threaded WebAssembly backend did not start');
      return threads;
    },
    async initCpu() {
      calls.push('cpu');
    },
  };
  return { l, calls, asked };
}

describe('selectBackend', () => {
  it('takes tfjs-node-gpu when it loads and sees a GPU', async () => {
    const { l } = loader({ gpu: true, cuda: 1, node: true, wasm: true });
    const info = await selectBackend(l, 'train');
    expect(info.chosen).toBe('tensorflow-gpu');
    expect(info.advice).toBeNull();
  });

  it('falls back to tfjs-node when the GPU package loads without a GPU', async () => {
    const { l } = loader({ gpu: true, cuda: 0, node: true, wasm: true });
    const info = await selectBackend(l, 'train');
    expect(info.chosen).toBe('tensorflow');
    expect(info.candidates[0]).toEqual({
      name: 'tensorflow-gpu',
      available: false,
      reason: 'loaded, but no CUDA GPU is visible',
    });
  });

  it('uses wasm when no native package is installed, and says how to get one', async () => {
    const { l, calls } = loader({ wasm: true });
    const info = await selectBackend(l, 'train', 1);
    expect(info.chosen).toBe('wasm');
    expect(calls).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', 'wasm']);
    expect(info.candidates.find((c) => c.name === 'tensorflow')?.reason).toBe('not installed');
    expect(info.advice).toMatch(/npm install @tensorflow\/tfjs-node/);
  });

  it('reports a native package whose binary is missing', async () => {
    const l: BackendLoader = {
      loadNative() {
        throw new Error('The Node.js native addon module (tfjs_binding.node) can not be found at path: x');
      },
      cudaDevices: () => 0,
      initWasm: async () => 1,
      initCpu: async () => {},
    };
    const info = await selectBackend(l, 'inference');
    expect(info.candidates[1].reason).toBe('installed, but its libtensorflow binary is missing');
  });

  it('uses the plain JS backend only for inference, with a warning', async () => {
    const { l, calls } = loader({});
    const info = await selectBackend(l, 'inference');
    expect(info.chosen).toBe('cpu');
    expect(info.warning).toMatch(/slow/);
    expect(calls.at(-1)).toBe('cpu');
    await expect(selectBackend(loader({}).l, 'train')).rejects.toThrow(/No backend fast enough to train/);
  });

  it('trains on threaded wasm with every core and decodes on one thread', async () => {
    const train = loader({ wasm: true });
    expect((await selectBackend(train.l, 'train', 4)).threads).toBe(4);
    expect(train.asked).toEqual([4]);
    const infer = loader({ wasm: true });
    expect((await selectBackend(infer.l, 'inference', 4)).threads).toBe(1);
    expect(infer.asked).toEqual([1]);
  });

  it('falls back to one wasm thread when the threaded build cannot start, and says why', async () => {
    const { l, asked } = loader({ wasm: true, noThreads: true });
    const info = await selectBackend(l, 'train', 2);
    expect(info.chosen).toBe('wasm');
    expect(info.threads).toBe(1);
    expect(asked).toEqual([2, 1]);
    expect(info.candidates.find((c) => c.name === 'wasm')?.reason).toMatch(/threads unavailable.*one thread/);
  });

  it('lets CAPTION_STUDIO_WASM_THREADS set the training threads (1 = off)', () => {
    expect(wasmThreadsFor('train', 2, { CAPTION_STUDIO_WASM_THREADS: '1' })).toBe(1);
    expect(wasmThreadsFor('train', 2, { CAPTION_STUDIO_WASM_THREADS: 'x' })).toBe(2);
    expect(wasmThreadsFor('inference', 8, { CAPTION_STUDIO_WASM_THREADS: '4' })).toBe(1);
  });
});
