// `caption-studio health`: duplicates, split leakage, caption lengths, vocabulary and OOV, images
// without an approved caption; --json for scripts.
import type { Command } from '../command';
import { parse, UsageError } from '../command';
import { dbOption, openCore, progressBar } from '../common';
import type { HealthReport } from '../../shared/types';

export function printHealth(r: HealthReport, out: (line: string) => void = console.log): void {
  const L = r.lengths;
  out(`${r.images} images, ${r.captions} captions.`);
  out(
    `Exact duplicates (same pixels): ${r.exactDuplicates.length} groups; near duplicates (dHash ≤ ${r.threshold} bits): ` +
      `${r.nearDuplicates.length} groups.`,
  );
  for (const g of [...r.exactDuplicates, ...r.nearDuplicates].slice(0, 20))
    out(
      `  images ${g.imageIds.join(', ')} (distance ≤ ${g.distance}${g.splits.length ? `; ${g.splits.join('/')}` : ''})`,
    );
  out(`Split leaks (duplicates across train/val/test): ${r.splitLeaks.length}.`);
  for (const g of r.splitLeaks.slice(0, 20))
    out(`  images ${g.imageIds.join(', ')} in ${g.splits.join(' and ')}`);
  out(
    `Approved caption length (words): mean ${L.mean.toFixed(1)}, median ${L.median}, p95 ${L.p95}, max ${L.max} ` +
      `over ${L.count} captions.`,
  );
  const peak = Math.max(1, ...L.histogram);
  L.histogram.forEach((n, i) => {
    if (n)
      out(
        `  ${String(i).padStart(2)}${i === L.histogram.length - 1 && i >= 40 ? '+' : ' '} ${'#'.repeat(Math.ceil((n / peak) * 40))} ${n}`,
      );
  });
  out(`Vocabulary: ${r.vocabularySize} distinct words.`);
  if (r.oov)
    out(
      `Out of vocabulary: ${(r.oov.rate * 100).toFixed(2)}% of ${r.oov.tokens} words` +
        (r.oov.top.length
          ? ` (most often: ${r.oov.top
              .slice(0, 10)
              .map((t) => `${t.word} ×${t.count}`)
              .join(', ')})`
          : '') +
        '.',
    );
  out(`Images without an approved caption: ${r.withoutApproved.count}.`);
  for (const w of r.unhashed) out(`  not hashed: ${w.path}: ${w.message}`);
}

export const healthCmd: Command = {
  name: 'health',
  summary:
    'Check the dataset: duplicates, split leakage, caption lengths, vocabulary/OOV, uncaptioned images',
  usage:
    'health [--db FILE] [--vocab FILE] [--threshold BITS] [--json]\n' +
    '  --vocab: the vocab.json of a trained CNN+LSTM model, for the out-of-vocabulary rate.\n' +
    '  --threshold: dHash bits (of 64) within which two images are near duplicates (default 8).',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      ...dbOption,
      vocab: { type: 'string' },
      threshold: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length) throw new UsageError(`Unexpected argument '${positionals[0]}'.`);
    const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
    if (threshold !== undefined && !(Number.isInteger(threshold) && threshold >= 0 && threshold <= 64))
      throw new UsageError(`--threshold is a whole number of bits from 0 to 64 (got '${values.threshold}').`);
    const core = openCore(values.db);
    const bar = progressBar('hashing');
    const jobId = `cli-health-${process.pid}`;
    const off = core.bus.on('job.progress', (p) => p.jobId === jobId && bar.update(p.done, p.total));
    const onSigint = () => void core.dispatch('jobs.cancel', { jobId });
    process.once('SIGINT', onSigint);
    try {
      const r = await core.dispatch('library.health', { vocabPath: values.vocab, threshold, jobId });
      bar.end();
      if (!r.ok) {
        console.error(`error (${r.error.code}): ${r.error.message}`);
        return r.error.code === 'cancelled' ? 130 : 1;
      }
      if (values.json) console.log(JSON.stringify(r.value, null, 2));
      else printHealth(r.value);
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
      off();
      core.close();
    }
  },
};
