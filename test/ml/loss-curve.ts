// The seeded tiny runs whose loss curves are pinned by test/ml/fixtures/loss-curves.json: both LSTM
// models at their bench sizes (tiny preset), batch 8, six trainer steps each, one with AdamW, dropout
// and scheduled sampling, so that every speed-up of the training step is checked against the maths
// of the code before it. `npx tsx test/ml/loss-curve.ts` rewrites the fixture (only when the maths
// changes on purpose).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { train, type TrainPartial } from '../../src/main/ml/train/index';
import { shapesData } from './shapes-data';

export const FIXTURE = join(import.meta.dirname, 'fixtures', 'loss-curves.json');

export const RUNS: Record<string, TrainPartial> = {
  'cnn-lstm': {
    model: 'cnn-lstm',
    seed: 3,
    batchSize: 8,
    captionsPerEpoch: 'one',
    cropScale: 1,
    maxSteps: 6,
  },
  'cnn-lstm-attn': {
    model: 'cnn-lstm-attn',
    modelOverrides: { dropout: 0.3 },
    seed: 4,
    batchSize: 8,
    captionsPerEpoch: 'one',
    optimizer: 'adamw',
    weightDecay: 0.01,
    teacherForcing: 1,
    teacherForcingEnd: 0.5,
    cropScale: 1,
    maxSteps: 6,
  },
};

/** The per-step training losses (masked cross-entropy) of each run. */
export async function lossCurves(): Promise<Record<string, number[]>> {
  const data = shapesData(9, { train: 64, val: 4, test: 0 });
  const root = mkdtempSync(join(tmpdir(), 'cs-curve-'));
  const out: Record<string, number[]> = {};
  try {
    for (const [name, cfg] of Object.entries(RUNS)) {
      const losses: number[] = [];
      const r = await train(
        cfg,
        data,
        { onStep: (p) => losses.push(p.loss) },
        { checkpointDir: join(root, name), skipTest: true },
      );
      if (r.status !== 'completed') throw new Error(`${name}: ${r.status} ${r.error ?? ''}`);
      out[name] = losses;
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return out;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const { nodeLoader, selectBackend } = await import('../../src/main/ml/backend');
  await selectBackend(nodeLoader(), 'train');
  const curves = await lossCurves();
  writeFileSync(FIXTURE, JSON.stringify(curves, null, 2) + '\n');
  console.log(curves);
}
