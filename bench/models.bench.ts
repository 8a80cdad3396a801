// Every model of the app's model table at the bench config (64×64, batch 32, 16 tokens): the
// trainer's own training step (trainStep with its Adam, threaded WebAssembly as in the training
// worker) and greedy / beam decoding at batch 1 and 32 (single-threaded, as captioning jobs), each in
// its own process, then the PyTorch reference of the same model (bench/torch_ref.py) when Debian's
// python3-torch is installed — with OpenBLAS loaded when apt can fetch it — one after the other,
// never concurrently. Ratios are ours ÷ PyTorch in speed (above 1: we are faster).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODEL_IDS } from '../src/main/ml/models/registry';
import type { Bench, BenchRow } from './types';

const here = import.meta.dirname;
const QUICK = process.env.BENCH_QUICK === '1';
const PYTHON = '/usr/bin/python3';
type Json = Record<string, number | string | boolean | number[]>;

/** Runs one measurement process and parses its JSON line. */
function child(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Json {
  const out = execFileSync(cmd, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = out.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as Json;
}
const ours = (mode: 'train' | 'decode', id: string) =>
  child(process.execPath, ['--import', 'tsx', join(here, 'ml-child.ts'), mode, id]);

/** OpenBLAS from Debian's libopenblas0-pthread, unpacked (not installed) into a temp folder once. */
function openBlasDir(): { dir: string | null; note: string } {
  const root = join(tmpdir(), 'caption-studio-openblas');
  const find = () => {
    const lib = join(root, 'root', 'usr', 'lib');
    if (!existsSync(lib)) return null;
    for (const arch of readdirSync(lib)) {
      const d = join(lib, arch, 'openblas-pthread');
      if (existsSync(join(d, 'libopenblas.so.0'))) return d;
    }
    return null;
  };
  let dir = find();
  if (!dir) {
    mkdirSync(root, { recursive: true });
    const get = spawnSync('apt-get', ['download', 'libopenblas0-pthread'], { cwd: root, encoding: 'utf8' });
    const deb = readdirSync(root).find((f) => f.startsWith('libopenblas0-pthread_') && f.endsWith('.deb'));
    if (deb) spawnSync('dpkg', ['-x', deb, 'root'], { cwd: root });
    dir = find();
    if (!dir)
      return {
        dir: null,
        note: `OpenBLAS unavailable (apt-get download libopenblas0-pthread: ${(get.stderr || get.error?.message || '').trim().split('\n').pop()}); PyTorch with its reference BLAS`,
      };
  }
  return { dir, note: 'PyTorch with OpenBLAS' };
}

/** The PyTorch reference, or why it was skipped. */
function torchRef(id: string, blas: { dir: string | null }): Json | string {
  if (!existsSync(PYTHON) || spawnSync(PYTHON, ['-c', 'import torch']).status !== 0)
    return 'skipped: Debian python3-torch is not installed (apt-get install python3-torch)';
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  if (blas.dir) env.LD_LIBRARY_PATH = [blas.dir, env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  const threads = String(cpus().length);
  const args = [join(here, 'torch_ref.py'), id, '--threads', threads, '--infer-threads', '1'];
  try {
    return child(PYTHON, QUICK ? [...args, '--quick'] : args, env);
  } catch (e) {
    return `failed: ${(e as Error).message.split('\n')[0]}`;
  }
}

const num = (j: Json | string, k: string) => (typeof j === 'string' ? NaN : Number(j[k]));

const bench: Bench = {
  name: 'models',
  async run() {
    const rows: BenchRow[] = [];
    const blas = openBlasDir();
    if (!blas.dir) process.stderr.write(`${blas.note}\n`);
    for (const id of MODEL_IDS) {
      process.stderr.write(`  ${id}: training step…\n`);
      const tr = ours('train', id);
      process.stderr.write(`  ${id}: decoding…\n`);
      const de = ours('decode', id);
      process.stderr.write(`  ${id}: PyTorch reference…\n`);
      const ref = torchRef(id, blas);
      const refNote = typeof ref === 'string' ? ref : `${ref.backend}${ref.openblas ? ' + OpenBLAS' : ''}`;
      const q = QUICK ? ' (QUICK: not a measurement)' : '';
      const ratio = (x: number) => (Number.isNaN(x) ? 'no PyTorch figure' : `${x.toFixed(2)}× PyTorch`);
      rows.push({
        name: `${id} train step, batch 32 [${tr.backend}]${q}`,
        value: Number(tr.imgPerSec),
        unit: 'img/s',
        note: `${Number(tr.stepMs).toFixed(0)} ms/step, ${ratio(Number(tr.imgPerSec) / num(ref, 'imgPerSec'))}`,
      });
      rows.push({ name: `${id} train peak memory`, value: Number(tr.peakRssMB), unit: 'MB' });
      for (const kind of ['greedy', 'beam3'])
        for (const bs of [1, 32]) {
          const ms = Number(de[`${kind}MsB${bs}`]);
          const theirs = kind === 'greedy' ? num(ref, `greedyMsB${bs}`) : NaN;
          rows.push({
            name: `${id} ${kind} 15 steps, batch ${bs} [${de.backend}]${q}`,
            value: ms,
            unit: 'ms/img',
            note: kind === 'greedy' ? ratio(theirs / ms) : 'no PyTorch beam reference',
          });
        }
      rows.push({ name: `${id} decode peak memory`, value: Number(de.peakRssMB), unit: 'MB' });
      if (typeof ref === 'string') rows.push({ name: `${id} PyTorch`, value: NaN, unit: '', note: ref });
      else {
        rows.push({
          name: `${id} PyTorch train, batch 32`,
          value: num(ref, 'imgPerSec'),
          unit: 'img/s',
          note: refNote,
        });
        for (const bs of [1, 32])
          rows.push({
            name: `${id} PyTorch greedy, batch ${bs}`,
            value: num(ref, `greedyMsB${bs}`),
            unit: 'ms/img',
            note: refNote,
          });
        rows.push({
          name: `${id} PyTorch peak memory`,
          value: num(ref, 'peakRssMB'),
          unit: 'MB',
          note: refNote,
        });
      }
    }
    return rows;
  },
};
export default bench;
