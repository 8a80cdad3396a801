// `caption-studio demo`: the whole loop without a window, on the shapes set: generate the data, train
// the attention model, caption test images and write each word's heatmap as a PNG beside an HTML page.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from '../command';
import { intOption, parse } from '../command';
import { openCore, progressBar } from '../common';
import { renderHeatmapPng } from '../../main/images/heatmap';
import { studyConfig } from './study';

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export const demo: Command = {
  name: 'demo',
  summary: 'Headless demo: shapes data → train the attention model → captions with per-word heatmaps',
  usage: 'demo [--quick] [--epochs N] [--count N] [--out DIR] [--db FILE]',
  async run(argv) {
    const { values } = parse(
      argv,
      {
        quick: { type: 'boolean' },
        epochs: { type: 'string' },
        count: { type: 'string' },
        out: { type: 'string' },
        db: { type: 'string' },
      },
      false,
    );
    const num = (name: string, v: string | undefined, dflt: number) => intOption(name, v, dflt, 1);
    const count = num('count', values.count, values.quick ? 120 : 600);
    const epochs = num('epochs', values.epochs, values.quick ? 1 : 5);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const db = values.db ?? join(tmpdir(), `caption-studio-demo-${stamp}`, 'library.db');
    const out = resolve(values.out ?? `demo-output-${stamp}`);
    const core = openCore(db);
    const bar = progressBar('demo');
    const off = core.bus.on('job.progress', (p) => bar.update(p.done, p.total));
    const call = async <T>(
      r: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>,
    ) => {
      const x = await r;
      if (!x.ok) throw new Error(x.error.message);
      return x.value;
    };
    try {
      console.log(`1/4 Generating ${count} shapes scenes into ${db}`);
      await call(core.dispatch('datasets.shapes', { count, seed: 7 }));
      bar.end();
      console.log(`2/4 Training cnn-lstm-attn (tiny) for ${epochs} epoch(s) in a worker process`);
      const run = await call(
        core.dispatch('train.start', {
          model: 'cnn-lstm-attn',
          preset: 'tiny',
          config: studyConfig(1, epochs),
          wait: true,
        }),
      );
      bar.end();
      if (run.status !== 'completed') throw new Error(`The run ended ${run.status}: ${run.error ?? ''}`);
      const t = run.test;
      console.log(
        `   test: BLEU-4 ${t.bleu4?.toFixed(3)} · ROUGE-L ${t.rougeL?.toFixed(3)} · CIDEr-D ${t.ciderD?.toFixed(3)} · loss ${t.loss?.toFixed(3)}`,
      );
      console.log('3/4 Captioning four test images (beam 3) with attention maps');
      const test = await call(core.dispatch('library.list', { split: 'test', limit: 4 }));
      const caps = await call(
        core.dispatch('caption.generate', {
          runId: run.id,
          imageIds: test.items.map((i) => i.id),
          beam: 3,
          maps: true,
        }),
      );
      console.log(`4/4 Writing heatmaps to ${out}`);
      mkdirSync(out, { recursive: true });
      const sections: string[] = [];
      for (const [n, cap] of caps.entries()) {
        const img = test.items[n];
        const words = cap.tokens.filter((w) => w !== '<eos>');
        console.log(
          `   ${img.path.split('/').pop()}: "${cap.caption}"   (a true caption: "${img.captions[0]?.text ?? ''}")`,
        );
        const figs: string[] = [];
        for (const [i, word] of words.entries()) {
          const map = cap.maps?.data[i];
          if (!map || !cap.maps) continue;
          const file = `${n}-${i}-${word.replace(/[^\w-]/g, '_')}.png`;
          writeFileSync(
            join(out, file),
            await renderHeatmapPng(img.path, map, cap.maps.height, cap.maps.width),
          );
          figs.push(`<figure><img src="${esc(file)}" alt=""><figcaption>${esc(word)}</figcaption></figure>`);
        }
        sections.push(
          `<section><h2>${esc(cap.caption)}</h2><p>true: ${esc(img.captions[0]?.text ?? '')}</p>${figs.join('')}</section>`,
        );
      }
      writeFileSync(
        join(out, 'index.html'),
        `<!doctype html><meta charset="utf-8"><title>Caption Studio demo</title><style>body{font-family:sans-serif}` +
          `figure{display:inline-block;margin:4px;text-align:center}img{width:128px;image-rendering:auto}</style>` +
          `<h1>Run ${run.id}: cnn-lstm-attn, ${epochs} epoch(s) on ${count} shapes scenes</h1>${sections.join('')}`,
      );
      console.log(
        `Done. Open ${join(out, 'index.html')}; the library is ${db} (npm run serve -- --db ${db}).`,
      );
      return 0;
    } finally {
      off();
      core.close();
    }
  },
};
