// In-process interleaved A/B of batch-1 greedy decoding between two source trees (both load the same
// tfjs through their node_modules link), for judging a decoding change on a busy machine: each round
// decodes one image with A then B (then B, A…), so load spikes hit both sides alike. Prints the
// medians of wall time and of the process's CPU time.
//   tsx bench/ab-decode.ts --a DIR --b DIR [--model ID] [--rounds N]
// Same model (tiny preset, seed 1, vocabulary 32), same image, 15 fixed steps (an end id that never matches).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { CaptionModel } from '../src/main/ml/models/contract';
import { fixedLength } from './fixed';

const arg = (k: string, d?: string) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? process.argv[i + 1] : d;
};
const here = join(import.meta.dirname, '..');
const dirs = { A: arg('a', here)!, B: arg('b', here)! };
const id = arg('model', 'cnn-lstm')!;
const rounds = Number(arg('rounds', '21'));
const load = (dir: string, f: string) => import(pathToFileURL(join(dir, 'src/main', f)).href);

type Run = () => Promise<unknown>;
async function side(dir: string, skip: number): Promise<Run> {
  const { nodeLoader, selectBackend } = await load(dir, 'ml/backend.ts');
  await selectBackend(nodeLoader(), 'inference');
  const { modelSpec } = await load(dir, 'ml/models/registry.ts');
  // each tree counts its ParamStores from 1 and tfjs variable names are global: B skips A's tag
  const { ParamStore } = await load(dir, 'ml/nn/module.ts');
  for (let i = 0; i < skip; i++) new ParamStore();
  const { greedyDecode } = await load(dir, 'ml/decode/search.ts');
  const { SPECIAL_TOKENS, WordVocab } = await load(dir, 'text/vocab.ts');
  const tokenizer = new WordVocab([...SPECIAL_TOKENS, ...Array.from({ length: 28 }, (_, i) => `w${i}`)]);
  const model = modelSpec(id).create({ preset: 'tiny', overrides: { maxLength: 16 }, seed: 1, tokenizer });
  const s = model.imageSize;
  const image = tf.randomUniform([1, s, s, 3], -1, 1, 'float32', 1) as tf.Tensor4D; // [1, S, S, 3]
  const fixed = fixedLength(model as CaptionModel); // the same shape in both trees
  return () => greedyDecode(fixed, image, { maxTokens: 15 });
}

const runs = { A: await side(dirs.A, 0), B: await side(dirs.B, 1) };
// wall time, and the process's CPU time (user + system), which a loaded machine inflates far less
const got: Record<'A' | 'B', number[]> = { A: [], B: [] };
const cpu: Record<'A' | 'B', number[]> = { A: [], B: [] };
const tokens: Record<'A' | 'B', string> = { A: '', B: '' };
for (const s of ['A', 'B'] as const)
  tokens[s] = JSON.stringify(((await runs[s]()) as { tokens: number[][] }).tokens);
for (let r = 0; r < rounds; r++)
  for (const s of r % 2 ? (['B', 'A'] as const) : (['A', 'B'] as const)) {
    const t = performance.now();
    const c = process.cpuUsage();
    await runs[s]();
    const dc = process.cpuUsage(c);
    got[s].push(performance.now() - t);
    cpu[s].push((dc.user + dc.system) / 1000);
  }
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(
  JSON.stringify({
    model: id,
    sameTokens: tokens.A === tokens.B,
    medA: med(got.A),
    medB: med(got.B),
    ratioBoverA: med(got.B) / med(got.A),
    cpuMsA: med(cpu.A),
    cpuMsB: med(cpu.B),
    cpuRatioBoverA: med(cpu.B) / med(cpu.A),
  }),
);
process.exit(0);
