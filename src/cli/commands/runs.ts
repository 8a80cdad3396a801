// `caption-studio runs`: lists training runs with their status and test metrics; `runs ID` shows one
// run's config, per-epoch validation history, checkpoints and warnings.
import type { Command } from '../command';
import { parse, UsageError } from '../command';
import { dbOption, openCore } from '../common';
import type { RunDetail, RunSummary } from '../../shared/types';

const f3 = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(3));

export function runLine(r: RunSummary): string {
  const t = r.test;
  return [
    String(r.id).padStart(4),
    r.model.padEnd(14),
    r.preset.padEnd(5),
    r.status.padEnd(11),
    String(r.epochs).padStart(3),
    f3(t.loss).padStart(7),
    f3(t.bleu4).padStart(7),
    f3(t.rougeL).padStart(7),
    f3(t.ciderD).padStart(7),
    r.warnings.length ? ` ⚠ ${r.warnings.map((w) => `${w.kind}@${w.step}`).join(', ')}` : '',
  ].join(' ');
}

export const RUNS_HEADER = '  id model          prset status      ep  t-loss  BLEU-4 ROUGE-L CIDEr-D';

/** A run's history and outcome as text. */
export function formatRun(r: RunDetail): string {
  const lines = [`Run ${r.id}: ${r.model} (${r.preset}) ${r.status}${r.error ? ` (${r.error})` : ''}`];
  const epochs = [...new Set(r.metrics.filter((m) => m.split === 'val').map((m) => m.epoch))];
  if (epochs.length) lines.push(' epoch  train-loss  val-loss  BLEU-4  ROUGE-L  CIDEr-D');
  for (const e of epochs) {
    const get = (split: string, name: string) =>
      r.metrics.find((m) => m.epoch === e && m.split === split && m.name === name)?.value;
    lines.push(
      `${String(e).padStart(6)}  ${f3(get('train', 'loss')).padStart(10)}  ${f3(get('val', 'loss')).padStart(8)}  ` +
        `${f3(get('val', 'bleu4')).padStart(6)}  ${f3(get('val', 'rougeL')).padStart(7)}  ${f3(get('val', 'ciderD')).padStart(7)}`,
    );
  }
  if (Object.keys(r.test).length)
    lines.push(
      `test: loss ${f3(r.test.loss)} · BLEU-1..4 ${[1, 2, 3, 4].map((n) => f3(r.test[`bleu${n}`])).join('/')} · ` +
        `ROUGE-L ${f3(r.test.rougeL)} · CIDEr-D ${f3(r.test.ciderD)}`,
    );
  for (const c of r.checkpoints)
    lines.push(`${c.kind} checkpoint (epoch ${c.epoch}, step ${c.step}): ${c.path}`);
  for (const w of r.warnings) lines.push(`warning from step ${w.step} (epoch ${w.epoch}): ${w.message}`);
  return lines.join('\n');
}

export const runsCmd: Command = {
  name: 'runs',
  summary: 'List training runs and their metrics, or show one run (runs ID)',
  usage: 'runs [ID] [--db FILE] [--json]',
  async run(argv) {
    const { values, positionals } = parse(argv, { ...dbOption, json: { type: 'boolean' } });
    if (positionals.length > 1 || (positionals[0] && !/^\d+$/.test(positionals[0])))
      throw new UsageError('Give at most one run id.');
    const core = openCore(values.db);
    try {
      if (positionals[0]) {
        const r = await core.dispatch('runs.get', { runId: Number(positionals[0]) });
        if (!r.ok) {
          console.error(`error (${r.error.code}): ${r.error.message}`);
          return 1;
        }
        console.log(values.json ? JSON.stringify(r.value, null, 2) : formatRun(r.value));
        return 0;
      }
      const r = await core.dispatch('runs.list', {});
      if (!r.ok) {
        console.error(`error (${r.error.code}): ${r.error.message}`);
        return 1;
      }
      if (values.json) console.log(JSON.stringify(r.value, null, 2));
      else if (r.value.length === 0)
        console.log('No runs yet: `caption-studio train --model cnn-lstm` starts one.');
      else console.log([RUNS_HEADER, ...r.value.map(runLine)].join('\n'));
      return 0;
    } finally {
      core.close();
    }
  },
};
