// `caption-studio caption IMAGE… --run ID`: captions image files with a run's best checkpoint (beam
// search in a worker process), printing each caption with its word probabilities.
import { resolve } from 'node:path';
import type { Command } from '../command';
import { parse, UsageError } from '../command';
import { dbOption, openCore } from '../common';

export const captionCmd: Command = {
  name: 'caption',
  summary: "Caption image files with a training run's checkpoint",
  usage: 'caption IMAGE… --run ID [--beam K] [--maps] [--db FILE] [--json]',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      ...dbOption,
      run: { type: 'string' },
      beam: { type: 'string' },
      maps: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (!values.run || !/^\d+$/.test(values.run))
      throw new UsageError('Give --run ID (see `caption-studio runs`).');
    if (positionals.length === 0) throw new UsageError('Give at least one image file.');
    const beam = values.beam === undefined ? 3 : Number(values.beam);
    if (!Number.isInteger(beam) || beam < 1 || beam > 20)
      throw new UsageError('--beam is a whole number from 1 to 20.');
    const core = openCore(values.db);
    try {
      const r = await core.dispatch('caption.generate', {
        runId: Number(values.run),
        paths: positionals.map((p) => resolve(p)),
        beam,
        maps: values.maps ?? false,
      });
      if (!r.ok) {
        console.error(`error (${r.error.code}): ${r.error.message}`);
        return 1;
      }
      if (values.json) console.log(JSON.stringify(r.value, null, 2));
      else
        for (const c of r.value)
          console.log(
            `${c.source}\n  ${c.caption}\n  ${c.tokens.map((t, i) => `${t} ${(c.probs[i] * 100).toFixed(0)}%`).join(' · ')}`,
          );
      return 0;
    } finally {
      core.close();
    }
  },
};
