// `caption-studio demo` (`npm run demo`): the study in one command, on data the app makes itself. It
// makes or reuses the demo library (the shapes set, fixed seed and size), trains every model of the
// model table at its tiny preset through the normal trainer and worker, prints the comparison table
// and writes an HTML page with, for a few test images, each model's caption, the references and each
// word's map. The runs stay in the demo library, so the app opened on it shows them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import sharp from 'sharp';
import type { Command } from '../command';
import { intOption, parse, UsageError } from '../command';
import { openCore, progressBar } from '../common';
import { renderHeatmapPng } from '../../main/images/heatmap';
import { decodeFile } from '../../main/images/decode';
import { MODEL_IDS } from '../../main/ml/models/registry';
import { defaultDataDir } from '../../main/services/paths';
import { ranking, seedRankings, studyHtml, studyTable, type PageImage } from '../study/report';
import { runStudy, type StudyOptions, type StudyRun, type StudyData } from '../study/run';

/** The two sizes of the demo: the full study (about 15 minutes on a 2-core laptop) and the quick check. */
export const DEMO_SIZES = {
  full: { count: 1000, epochs: 6 },
  quick: { count: 200, epochs: 2 },
} as const;
export const DEMO_DATA_SEED = 7;
const PAGE_IMAGES = 4;

/** The demo library's folder: `<data dir>/demo` (or `demo-quick`), beside the default library. */
export const demoDbPath = (quick: boolean, env = process.env) =>
  join(defaultDataDir(env), quick ? 'demo-quick' : 'demo', 'library.db');

/** Writes the page's photos and per-word maps into `out`; returns what the page shows. */
async function pageImages(out: string, data: StudyData, runs: StudyRun[]): Promise<PageImage[]> {
  const images: PageImage[] = [];
  const seen = new Set<string>();
  const firstRuns = runs.filter((r) => !seen.has(r.row.model) && seen.add(r.row.model));
  for (const [n, img] of data.test.slice(0, PAGE_IMAGES).entries()) {
    const photo = `photo-${img.id}.png`;
    const pixels = await decodeFile(img.path);
    const png = await sharp(Buffer.from(pixels.data), {
      raw: { width: pixels.width, height: pixels.height, channels: 3 },
    })
      .png()
      .toBuffer();
    writeFileSync(join(out, photo), png);
    const models: PageImage['models'] = [];
    for (const r of firstRuns) {
      const cap = r.captions[n];
      const words: PageImage['models'][number]['words'] = [];
      for (const [i, word] of cap.tokens.entries()) {
        if (word === '<eos>') continue;
        const map = cap.maps?.data[i];
        let file: string | null = null;
        if (map && cap.maps) {
          file = `map-${img.id}-${r.row.model}-${i}.png`;
          writeFileSync(
            join(out, file),
            await renderHeatmapPng(img.path, map, cap.maps.height, cap.maps.width, 128),
          );
        }
        words.push({ word, png: file });
      }
      models.push({ model: r.row.model, runId: r.row.runId, caption: cap.caption, words });
    }
    images.push({
      photo,
      name: img.path.split(/[\\/]/).pop() ?? String(img.id),
      references: img.captions.filter((c) => c.status === 'approved').map((c) => c.text),
      models,
    });
  }
  return images;
}

export const demo: Command = {
  name: 'demo',
  summary: 'The study in one command: shapes data → train every model (tiny) → comparison table + HTML page',
  usage:
    'demo [--quick] [--db FILE] [--out DIR] [--seeds 1,2,3] [--epochs N] [--count N] [--models cnn-lstm,cnn-lstm-attn,vit-gpt2] [--fresh]',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      quick: { type: 'boolean' },
      db: { type: 'string' },
      out: { type: 'string' },
      seeds: { type: 'string' },
      epochs: { type: 'string' },
      count: { type: 'string' },
      models: { type: 'string' },
      fresh: { type: 'boolean' },
    });
    if (positionals.length) throw new UsageError(`Unexpected argument '${positionals[0]}'.`);
    const quick = values.quick ?? false;
    const size = quick ? DEMO_SIZES.quick : DEMO_SIZES.full;
    const models = values.models ? values.models.split(',').map((m) => m.trim()) : [...MODEL_IDS];
    for (const m of models)
      if (!(MODEL_IDS as readonly string[]).includes(m))
        throw new UsageError(`Unknown model '${m}' in --models. Choose from: ${MODEL_IDS.join(', ')}.`);
    const o: StudyOptions = {
      count: intOption('count', values.count, size.count, 10),
      dataSeed: DEMO_DATA_SEED,
      seeds: (values.seeds ?? '1').split(',').map((s) => intOption('seeds', s.trim(), 0)),
      epochs: intOption('epochs', values.epochs, size.epochs, 1),
      models,
      fresh: values.fresh ?? false,
    };
    const db = resolve(values.db ?? demoDbPath(quick));
    const out = resolve(values.out ?? join(dirname(db), 'report'));
    mkdirSync(dirname(db), { recursive: true });
    const core = openCore(db);
    const bars = new Map<string, ReturnType<typeof progressBar>>();
    const t0 = Date.now();
    try {
      console.log(`Demo library: ${db}`);
      const { data, runs } = await runStudy(core, o, {
        log: (s) => console.log(s),
        progress: (label, done, total) => {
          let bar = bars.get(label);
          if (!bar) bars.set(label, (bar = progressBar(`  ${label}`)));
          bar.update(done, total);
        },
        done: () => {
          for (const b of bars.values()) b.end();
          bars.clear();
        },
      });
      const rows = runs.map((r) => r.row);
      const minutes = ((Date.now() - t0) / 60000).toFixed(1);
      const intro =
        `${o.count} shapes scenes (data seed ${o.dataSeed}, 80/10/10 split, ${data.test.length} test images), ` +
        `tiny presets, ${o.epochs} epoch(s), seed(s) ${o.seeds.join(', ')}, the same trainer settings for every model; ` +
        `greedy captions; ${minutes} min in all.`;
      const rank = ranking(rows);
      console.log(`\n${intro}\n\n${studyTable(rows)}\n`);
      console.log(`Ranking by test loss (lowest first): ${rank.byLoss.join(' < ')}`);
      console.log(`Ranking by ROUGE-L (highest first): ${rank.byRouge.join(' > ')}`);
      if (o.seeds.length > 1) for (const line of seedRankings(rows)) console.log(line);
      mkdirSync(out, { recursive: true });
      const page = await pageImages(out, data, runs);
      writeFileSync(
        join(out, 'index.html'),
        studyHtml('Caption Studio: the three-model study', intro, rows, page),
      );
      writeFileSync(join(out, 'study.md'), `${intro}\n\n${studyTable(rows)}\n`);
      console.log(`\nPage: ${join(out, 'index.html')}`);
      console.log(`See the runs in the app: npm run serve -- --db ${db}`);
      return 0;
    } finally {
      for (const b of bars.values()) b.end();
      core.close();
    }
  },
};
