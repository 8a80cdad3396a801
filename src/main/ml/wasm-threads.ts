// Multi-threaded WebAssembly for tfjs under Node (training worker only). tfjs-backend-wasm 4.22.0
// ships a threaded SIMD build but never uses it on Node, for three reasons this module works around
// while the backend initialises:
// 1. the flag WASM_HAS_MULTITHREAD_SUPPORT is hard-coded false on Node (tfjs issue #3830): forced on;
// 2. Emscripten's pthread workers are started from a Blob / blob: URL, which Node's worker_threads
//    cannot load: the scripts are written to temp files instead, and the main script gets back the
//    `fs`/`path`/`url`/`perf_hooks`/`os` requires and `commonjsGlobal` that the bundle renamed;
// 3. the C++ caps the pool at half the logical cores ("two hyperthreads per core"), one thread on a
//    2-core machine: os.cpus() reports twice the cores during the initialisation only.
// It relies on tfjs internals, hence the exact version pin (checked below) and a clean fallback to
// one thread in backend.ts. On 2 cores it speeds training up but slows batch-1 decoding down (a
// thread hand-off per small op), so inference stays single-threaded.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const nodeRequire = createRequire(import.meta.url);
/** The tfjs-backend-wasm version whose bundle internals the patches match. */
export const THREADED_WASM_VERSION = '4.22.0';
const RENAMED_REQUIRES =
  "var require$$0=require('fs'),require$$1=require('path'),require$$2=require('url')," +
  "require$$3=require('perf_hooks'),require$$4=require('os'),commonjsGlobal=globalThis;\n";
const WORKER_IMPORT =
  /if\(typeof e\.data\.urlOrBlob=="string"\)\{importScripts\(e\.data\.urlOrBlob\)\}else\{[^}]*\}/;

type TextBlob = Blob & { text_?: string };

/**
 * Starts the wasm backend (of the caller's tfjs and tfjs-backend-wasm modules) with `threads`
 * threads; returns the thread count it got. Throws (with every patch undone) when the threaded build
 * cannot start; the caller falls back to one thread.
 */
export async function initThreadedWasm(
  threads: number,
  tf: typeof import('@tensorflow/tfjs'),
  wasm: typeof import('@tensorflow/tfjs-backend-wasm'),
): Promise<number> {
  const version = (nodeRequire('@tensorflow/tfjs-backend-wasm/package.json') as { version: string }).version;
  if (version !== THREADED_WASM_VERSION)
    throw new Error(
      `threaded wasm is patched for tfjs-backend-wasm ${THREADED_WASM_VERSION}, found ${version}`,
    );
  const os = nodeRequire('node:os') as typeof import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'caption-studio-wasm-mt-'));
  const mainPath = join(dir, 'main.js');
  const OrigBlob = globalThis.Blob;
  const origCreate = URL.createObjectURL;
  const origCpus = os.cpus;
  class FileBlob extends OrigBlob {
    text_: string;
    constructor(parts: BlobPart[], opts?: BlobPropertyBag) {
      super(parts, opts);
      this.text_ = parts.map(String).join('');
      if (opts?.type === 'text/javascript') writeFileSync(mainPath, RENAMED_REQUIRES + this.text_);
    }
  }
  let n = 0;
  globalThis.Blob = FileBlob as typeof Blob;
  URL.createObjectURL = (blob: Blob) => {
    const text = (blob as TextBlob).text_;
    if (text === undefined) return origCreate(blob);
    if (!WORKER_IMPORT.test(text))
      throw new Error('the pthread worker bootstrap of tfjs-backend-wasm is not the one patched here');
    const patched = text.replace(WORKER_IMPORT, `importScripts(${JSON.stringify(mainPath)});`);
    const p = join(dir, `worker${n++}.js`);
    writeFileSync(p, patched);
    return p;
  };
  os.cpus = () => origCpus().concat(origCpus());
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('the threaded WebAssembly backend did not start');
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return wasm.getThreadsCount();
  } catch (e) {
    // the backend stays registered: setBackend('wasm') runs its factory again, single-threaded
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setThreadsCount(1);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  } finally {
    os.cpus = origCpus;
    globalThis.Blob = OrigBlob;
    URL.createObjectURL = origCreate;
  }
}
