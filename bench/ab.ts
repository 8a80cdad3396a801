// Interleaved A/B of the training step or decoding between two source trees (or two environments),
// for judging one lever on a busy machine: runs A, B, B, A, A, B… (each in its own process, never two
// at once) and prints each side's median and the ratio B ÷ A of the medians.
//   tsx bench/ab.ts --a DIR --b DIR [--env-a K=V,…] [--env-b K=V,…] --mode train|decode --model ID [--rounds N]
//   [--key imgPerSec|cpuMsPerStep|greedyMsB1|…] (cpuMsPerStep: the training process's CPU time per step,
//   far less inflated by other jobs than wall time; B's own side must print it)
// DIR is a checkout holding bench/ml-child.ts (its own node_modules or a link to them).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const arg = (k: string, d?: string) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? process.argv[i + 1] : d;
};
const env = (s: string | undefined) =>
  Object.fromEntries((s ? s.split(',') : []).map((kv) => kv.split('=') as [string, string]));
const here = join(import.meta.dirname, '..');
const sides = {
  A: { dir: arg('a', here)!, env: env(arg('env-a')) },
  B: { dir: arg('b', here)!, env: env(arg('env-b')) },
};
const mode = arg('mode', 'train')!;
const model = arg('model', 'cnn-lstm')!;
const rounds = Number(arg('rounds', '3'));
const key = arg('key') ?? (mode === 'train' ? 'imgPerSec' : 'greedyMsB1');

const got: Record<'A' | 'B', number[]> = { A: [], B: [] };
const order = Array.from({ length: rounds }, (_, r) => (r % 2 ? ['B', 'A'] : ['A', 'B'])).flat() as Array<
  'A' | 'B'
>;
for (const s of order) {
  const side = sides[s];
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(side.dir, 'bench', 'ml-child.ts'), mode, model],
    {
      cwd: side.dir,
      env: { ...process.env, ...side.env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const j = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number | string>;
  got[s].push(Number(j[key]));
  console.log(
    `${s} ${j.backend} ${key}=${Number(j[key]).toFixed(2)} loss=${j.loss ?? '-'} rss=${Number(j.peakRssMB).toFixed(0)}`,
  );
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(
  JSON.stringify({
    model,
    mode,
    key,
    A: got.A,
    B: got.B,
    medA: med(got.A),
    medB: med(got.B),
    ratioBoverA: med(got.B) / med(got.A),
  }),
);
