// `caption-studio weights pull REPO [--revision R]`: downloads the files a ViT-GPT2 captioner needs
// from the Hugging Face hub (HF_ENDPOINT overrides the address) into the weights folder beside the
// library, resuming interrupted files and checking sizes and hashes, with a progress bar.
import { resolve } from 'node:path';
import type { Command } from '../command';
import { parse, UsageError } from '../command';
import { dbOption, progressBar } from '../common';
import { defaultDbPath, weightsDirFor } from '../../main/services/paths';
import { pullRepo } from '../../main/ml/weights/hub';

export const weightsCmd: Command = {
  name: 'weights',
  summary: 'Download a Hugging Face checkpoint (weights pull REPO) into the weights folder',
  usage: 'weights pull OWNER/NAME [--revision R] [--dir FOLDER] [--db FILE] [--json]',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      ...dbOption,
      revision: { type: 'string' },
      dir: { type: 'string' },
      json: { type: 'boolean' },
    });
    const [sub, repo, ...rest] = positionals;
    if (sub !== 'pull')
      throw new UsageError(sub ? `Unknown subcommand '${sub}'.` : 'Give a subcommand: pull.');
    if (!repo) throw new UsageError('Give the repository, e.g. nlpconnect/vit-gpt2-image-captioning.');
    if (rest.length) throw new UsageError(`Unexpected argument '${rest[0]}'.`);
    const weightsDir = values.dir
      ? resolve(values.dir)
      : weightsDirFor(values.db ? resolve(values.db) : defaultDbPath());
    let bar: ReturnType<typeof progressBar> | null = null;
    let current = '';
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    try {
      const r = await pullRepo({
        repo,
        revision: values.revision,
        weightsDir,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.file !== current) {
            bar?.end();
            current = p.file;
            bar = progressBar(p.file);
          }
          bar!.update(p.done, p.total);
        },
      });
      (bar as ReturnType<typeof progressBar> | null)?.end();
      if (values.json) console.log(JSON.stringify(r, null, 2));
      else {
        for (const f of r.files)
          console.log(
            `${f.skipped ? 'kept' : 'got '} ${f.file} (${f.size} bytes, ${f.checked === 'size' ? 'size' : f.checked} checked${
              f.resumedFrom ? `, resumed at ${f.resumedFrom}` : ''
            })`,
          );
        console.log(`${repo}${r.commit ? ` @ ${r.commit.slice(0, 12)}` : ''} → ${r.dir}`);
      }
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
