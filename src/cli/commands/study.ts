// `caption-studio study`: the study end to end on the shapes set. Generates the seeded dataset, trains
// cnn-lstm and cnn-lstm-attn (tiny presets) for several seeds in worker processes, scores the test
// captions (coco metrics, the shapes scorer's attribute and relation accuracy) and checks where the
// attention model looks when it names a shape; prints a markdown table.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Command } from '../command';
import { intOption, parse, UsageError } from '../command';
import { dbOption, openCore } from '../common';
import { accuracy, parseCaption, scoreCaption, sumScores } from '../../main/datasets/shapes/scorer';
import type { Scene } from '../../main/datasets/shapes/scene';
import type { Core } from '../../main/services/index';
import type { GeneratedCaption, RunDetail } from '../../shared/types';

export interface StudyOptions {
  count: number;
  dataSeed: number;
  seeds: number[];
  epochs: number;
}

/** Trainer settings of the study runs (the same for both models). */
export const studyConfig = (seed: number, epochs: number) => ({
  seed,
  epochs,
  // batch 16 instead of BENCH_CONFIG's 32: twice the updates for the same compute on a short budget
  batchSize: 16,
  captionsPerEpoch: 'one',
  lr: 2e-3,
  warmupSteps: 20,
  decay: 'cosine',
  clipNorm: 5,
});

/**
 * For every generated word that names a shape: is the attention peak (the arg-max cell of the
 * word's map) on the named object's box? Returns hits, total, and the hit rate of a uniformly
 * random cell (the chance level) summed over the same words.
 */
export function attentionOnShapes(
  cap: GeneratedCaption,
  scene: Scene,
): { hits: number; total: number; chance: number } {
  const out = { hits: 0, total: 0, chance: 0 };
  if (!cap.maps || cap.maps.kind !== 'attention') return out;
  const { height: gh, width: gw, data } = cap.maps;
  const cw = scene.width / gw;
  const ch = scene.height / gh;
  const onBox = (cell: number, b: Scene['objects'][number]['bbox']) => {
    const [x0, y0] = [(cell % gw) * cw, Math.floor(cell / gw) * ch];
    return x0 < b[2] && x0 + cw > b[0] && y0 < b[3] && y0 + ch > b[1];
  };
  // parseCaption's word indices are the caption's token indices (tokens are words; <eos> is last)
  for (const m of parseCaption(cap.tokens.filter((t) => t !== '<eos>').join(' ')).mentions) {
    const cands = scene.objects.filter((o) => o.shape === m.shape);
    if (!cands.length || !data[m.end]) continue;
    const score = (o: Scene['objects'][number]) =>
      (o.colour === m.colour ? 2 : 0) + (o.size === m.size ? 1 : 0);
    const obj = cands.reduce((a, b) => (score(b) > score(a) ? b : a));
    const map = data[m.end];
    const peak = map.indexOf(Math.max(...map));
    out.total++;
    if (onBox(peak, obj.bbox)) out.hits++;
    out.chance += map.filter((_, cell) => onBox(cell, obj.bbox)).length / map.length;
  }
  return out;
}

interface RunResult {
  model: string;
  seed: number;
  run: RunDetail;
  acc: Record<'shape' | 'colour' | 'size' | 'relation', number | null>;
  attention: { hits: number; total: number; chance: number };
}

async function call<T>(
  p: Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }>,
) {
  const r = await p;
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

export async function runStudy(core: Core, o: StudyOptions, log: (s: string) => void): Promise<RunResult[]> {
  log(`shapes dataset: ${o.count} scenes, seed ${o.dataSeed}`);
  await call(core.dispatch('datasets.shapes', { count: o.count, seed: o.dataSeed }));
  const test = core.store.scenes.imagesOfSplit('test').map((id) => ({ id }));
  const scenes = core.store.scenes;
  const results: RunResult[] = [];
  for (const model of ['cnn-lstm', 'cnn-lstm-attn'])
    for (const seed of o.seeds) {
      const t0 = Date.now();
      const off = core.bus.on('job.progress', (p) => {
        if (p.kind === 'train' && (p.total === 0 || p.done % 25 === 0))
          log(`  ${model} seed ${seed}: ${p.message}`);
      });
      const run = await call(
        core.dispatch('train.start', {
          model,
          preset: 'tiny',
          config: studyConfig(seed, o.epochs),
          wait: true,
        }),
      ).finally(off);
      if (run.status !== 'completed') throw new Error(`run ${run.id} ended ${run.status}: ${run.error}`);
      const caps = await call(
        core.dispatch('caption.generate', {
          runId: run.id,
          imageIds: test.map((t) => t.id),
          beam: 1,
          maps: model === 'cnn-lstm-attn',
        }),
      );
      const scored = caps.map((c, i) => scoreCaption(c.caption, scenes.get(test[i].id)!));
      const sum = sumScores(scored);
      const attention = { hits: 0, total: 0, chance: 0 };
      caps.forEach((c, i) => {
        const a = attentionOnShapes(c, scenes.get(test[i].id)!);
        attention.hits += a.hits;
        attention.total += a.total;
        attention.chance += a.chance;
      });
      results.push({
        model,
        seed,
        run,
        acc: {
          shape: accuracy(sum.shape),
          colour: accuracy(sum.colour),
          size: accuracy(sum.size),
          relation: accuracy(sum.relation),
        },
        attention,
      });
      log(`  run ${run.id} (${model}, seed ${seed}) done in ${((Date.now() - t0) / 60000).toFixed(1)} min`);
    }
  return results;
}

const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);
const f3 = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(3));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);

export function studyTable(results: RunResult[], o: StudyOptions): string {
  const head =
    '| model | seed | run | test loss | BLEU-4 | ROUGE-L | CIDEr-D | shape acc | colour acc | size acc | relation acc | attention peak on named shape (chance) |';
  const rows = results.map((r) => {
    const t = r.run.test;
    const a = r.attention;
    const att = a.total ? `${pct(a.hits / a.total)} of ${a.total} (${pct(a.chance / a.total)})` : '–';
    return `| ${r.model} | ${r.seed} | ${r.run.id} | ${f3(t.loss)} | ${f3(t.bleu4)} | ${f3(t.rougeL)} | ${f3(t.ciderD)} | ${pct(r.acc.shape)} | ${pct(r.acc.colour)} | ${pct(r.acc.size)} | ${pct(r.acc.relation)} | ${att} |`;
  });
  const means = ['cnn-lstm', 'cnn-lstm-attn'].map((m) => {
    const rs = results.filter((r) => r.model === m);
    const avg = (f: (r: RunResult) => number | null | undefined) =>
      mean(rs.map(f).filter((x): x is number => typeof x === 'number'));
    const p = (x: number | undefined) => pct(x ?? null);
    const a = rs.reduce(
      (s, r) => ({
        hits: s.hits + r.attention.hits,
        total: s.total + r.attention.total,
        chance: s.chance + r.attention.chance,
      }),
      { hits: 0, total: 0, chance: 0 },
    );
    return `| **${m}** | mean | | ${f3(avg((r) => r.run.test.loss))} | ${f3(avg((r) => r.run.test.bleu4))} | ${f3(avg((r) => r.run.test.rougeL))} | ${f3(avg((r) => r.run.test.ciderD))} | ${p(avg((r) => r.acc.shape))} | ${p(avg((r) => r.acc.colour))} | ${p(avg((r) => r.acc.size))} | ${p(avg((r) => r.acc.relation))} | ${a.total ? `${pct(a.hits / a.total)} (${pct(a.chance / a.total)})` : '–'} |`;
  });
  const wins = o.seeds.filter((s) => {
    const rel = (m: string) => results.find((r) => r.model === m && r.seed === s)?.acc.relation ?? null;
    return (rel('cnn-lstm-attn') ?? 0) > (rel('cnn-lstm') ?? 0);
  }).length;
  return [
    head,
    '|' + ' --- |'.repeat(12),
    ...rows,
    ...means,
    '',
    `Relation accuracy of cnn-lstm-attn above cnn-lstm on ${wins} of ${o.seeds.length} seeds.`,
  ].join('\n');
}

export const studyCmd: Command = {
  name: 'study',
  summary: 'Train and compare cnn-lstm and cnn-lstm-attn on the shapes set (markdown table)',
  usage: 'study [--count 800] [--data-seed 7] [--seeds 1,2,3] [--epochs 6] [--db FILE]',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      ...dbOption,
      count: { type: 'string' },
      'data-seed': { type: 'string' },
      seeds: { type: 'string' },
      epochs: { type: 'string' },
    });
    if (positionals.length) throw new UsageError(`Unexpected argument '${positionals[0]}'.`);
    const int = intOption;
    const o: StudyOptions = {
      count: int('count', values.count, 800),
      dataSeed: int('data-seed', values['data-seed'], 7),
      seeds: (values.seeds ?? '1,2,3').split(',').map((s) => int('seeds', s.trim(), 0)),
      epochs: int('epochs', values.epochs, 6),
    };
    const db = values.db ?? join(tmpdir(), `caption-studio-study-${o.count}-${o.dataSeed}`, 'library.db');
    const core = openCore(db);
    const t0 = Date.now();
    try {
      const results = await runStudy(core, o, (s) => process.stderr.write(`${s}\n`));
      console.log(
        `Shapes study: ${o.count} scenes (data seed ${o.dataSeed}, 80/10/10 split), tiny presets, ${o.epochs} epochs, ` +
          `seeds ${o.seeds.join(', ')}; greedy decoding; ${((Date.now() - t0) / 60000).toFixed(1)} min in all.\n`,
      );
      console.log(studyTable(results, o));
      return 0;
    } finally {
      core.close();
    }
  },
};
