// `caption-studio dataset shapes`: renders the synthetic shapes dataset into the library (the
// demo's and the tests' default data: seeded scenes, five true captions each, ground truth).
import type { Command } from '../command';
import { intOption, parse, UsageError } from '../command';
import { dbOption, openCore, progressBar } from '../common';
import { printReport } from './import';

const int = intOption;

export const dataset: Command = {
  name: 'dataset',
  summary: 'Generate the shapes dataset, or give the library a seeded train/val/test split',
  usage:
    'dataset shapes --count N --seed S [--size 64] [--db FILE] [--json]\n' +
    '       caption-studio dataset split [--seed S] [--fractions 0.8,0.1,0.1] [--exact] [--overwrite] [--db FILE]',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      ...dbOption,
      count: { type: 'string' },
      seed: { type: 'string' },
      size: { type: 'string' },
      json: { type: 'boolean' },
      fractions: { type: 'string' },
      exact: { type: 'boolean' },
      overwrite: { type: 'boolean' },
    });
    if (positionals[0] === 'split' && positionals.length === 1) return split(values);
    if (positionals[0] !== 'shapes' || positionals.length !== 1)
      throw new UsageError(`Say 'shapes' or 'split' (got '${positionals.join(' ')}').`);
    const args = {
      count: int('count', values.count),
      seed: int('seed', values.seed, 0),
      size: int('size', values.size, 64),
    };
    const core = openCore(values.db);
    const bar = progressBar('shapes');
    const off = core.bus.on('job.progress', (p) => p.kind === 'shapes' && bar.update(p.done, p.total));
    try {
      const r = await core.dispatch('datasets.shapes', args);
      bar.end();
      if (!r.ok) {
        console.error(`error (${r.error.code}): ${r.error.message}`);
        return 1;
      }
      if (values.json) console.log(JSON.stringify(r.value, null, 2));
      else {
        console.log(`Shapes dataset (seed ${r.value.seed}, ${r.value.count} scenes) in ${r.value.dir}`);
        printReport(r.value.import);
      }
      return r.value.import.failed.length ? 3 : 0;
    } finally {
      off();
      core.close();
    }
  },
};

async function split(values: {
  db?: string;
  seed?: string;
  fractions?: string;
  exact?: boolean;
  overwrite?: boolean;
}): Promise<number> {
  let fractions: { train: number; val: number; test: number } | undefined;
  if (values.fractions !== undefined) {
    const parts = values.fractions.split(',').map(Number);
    if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p)))
      throw new UsageError(`--fractions takes three numbers, train,val,test (got '${values.fractions}').`);
    fractions = { train: parts[0], val: parts[1], test: parts[2] };
  }
  const core = openCore(values.db);
  try {
    const r = await core.dispatch('library.assignSplits', {
      seed: int('seed', values.seed, 0),
      fractions,
      mode: values.exact ? 'exact' : 'stable',
      overwrite: values.overwrite ?? false,
    });
    if (!r.ok) {
      console.error(`error (${r.error.code}): ${r.error.message}`);
      return 1;
    }
    const { train, val, test, changed } = r.value;
    console.log(`train ${train} · val ${val} · test ${test}  (${changed} image(s) given a new split)`);
    return 0;
  } finally {
    core.close();
  }
}
