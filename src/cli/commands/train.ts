// `caption-studio train`: trains a captioning model on the library's approved captions in a worker
// process, with a progress bar; Ctrl-C cancels (saving a checkpoint), `--resume ID` continues a run.
import { resolve } from 'node:path';
import type { Command } from '../command';
import { parse, UsageError } from '../command';
import { dbOption, openCore, progressBar } from '../common';
import type { ModelInfo, RunDetail } from '../../shared/types';
import { describeModels } from '../../main/ml/models/registry';
import { formatRun } from './runs';

const num = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} takes a number (got '${v}').`);
  return n;
};

/** The models, presets and settings, as `system.models` lists them, for `train --help`. */
export function modelsHelp(models: readonly ModelInfo[]): string {
  const lines = [
    'Models (--model), their presets (--preset) and settings (--config \'{"modelOverrides": {…}}\'):',
  ];
  for (const m of models) {
    lines.push('', `  ${m.id}: ${m.help}`, `    text: ${m.text.help}`);
    for (const p of m.presets) lines.push(`    --preset ${p.name}: ${p.help}`);
    for (const s of m.settings) {
      const d = (v: unknown) => JSON.stringify(v);
      const dflt =
        d(s.defaults.tiny) === d(s.defaults.full)
          ? d(s.defaults.tiny)
          : `tiny ${d(s.defaults.tiny)}, full ${d(s.defaults.full)}`;
      lines.push(`    ${s.key} (${dflt}): ${s.help}`);
    }
  }
  return lines.join('\n');
}

export const trainCmd: Command = {
  name: 'train',
  summary: `Train a captioner (${describeModels()
    .map((m) => m.id)
    .join(', ')}) on the approved captions, or resume a run`,
  details: () => modelsHelp(describeModels()),
  usage:
    'train --model M [--preset tiny|full] [--epochs N] [--seed S] [--batch-size N] [--lr X] ' +
    "[--encoder-weights FILE] [--config '{…json…}'] [--collection ID] [--db FILE] [--json]  |  " +
    'train --resume RUN_ID [--db FILE]',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      ...dbOption,
      model: { type: 'string' },
      preset: { type: 'string' },
      epochs: { type: 'string' },
      seed: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      'encoder-weights': { type: 'string' },
      config: { type: 'string' },
      collection: { type: 'string' },
      resume: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length) throw new UsageError(`Unexpected argument '${positionals[0]}'.`);
    if (!values.model && !values.resume) throw new UsageError('Give --model M (or --resume RUN_ID).');
    if (values.preset && values.preset !== 'tiny' && values.preset !== 'full')
      throw new UsageError(`--preset is tiny or full (got '${values.preset}').`);
    let extra: Record<string, unknown> = {};
    if (values.config) {
      try {
        extra = JSON.parse(values.config) as Record<string, unknown>;
      } catch (e) {
        throw new UsageError(`--config must be a JSON object: ${(e as Error).message}`);
      }
    }
    const config: Record<string, unknown> = { ...extra };
    for (const [flag, key] of [
      ['epochs', 'epochs'],
      ['seed', 'seed'],
      ['batch-size', 'batchSize'],
      ['lr', 'lr'],
    ] as const) {
      const v = num(flag, values[flag]);
      if (v !== undefined) config[key] = v;
    }
    // Pretrained Inception v3 weights (torchvision naming) from a local file, for the full preset.
    if (values['encoder-weights']) config.encoderWeights = resolve(values['encoder-weights']);
    const core = openCore(values.db);
    const bar = progressBar('train');
    let runId: number | null = values.resume ? Number(values.resume) : null;
    const off = core.bus.on('job.progress', (p) => {
      if (p.kind !== 'train') return;
      if (p.total > 0) bar.update(p.done, p.total);
      if (!process.stderr.isTTY || p.total === 0) process.stderr.write(`  ${p.message}\n`);
      runId ??= Number(p.jobId.replace('run-', ''));
    });
    let interrupts = 0;
    const onInt = () => {
      if (runId === null || interrupts++ > 0) process.exit(130);
      process.stderr.write('\nCancelling: saving a checkpoint (Ctrl-C again to quit at once)…\n');
      void core.dispatch('train.cancel', { runId });
    };
    process.on('SIGINT', onInt);
    try {
      const r = values.resume
        ? await core.dispatch('train.resume', { runId: Number(values.resume), wait: true })
        : await core.dispatch('train.start', {
            model: values.model!,
            preset: values.preset as 'tiny' | 'full' | undefined,
            config,
            collectionId: values.collection ? Number(values.collection) : undefined,
            wait: true,
          });
      bar.end();
      if (!r.ok) {
        console.error(`error (${r.error.code}): ${r.error.message}`);
        return 1;
      }
      const run: RunDetail = r.value;
      if (values.json) console.log(JSON.stringify(run, null, 2));
      else console.log(formatRun(run));
      return run.status === 'completed' ? 0 : 3;
    } finally {
      process.off('SIGINT', onInt);
      off();
      core.close();
    }
  },
};
