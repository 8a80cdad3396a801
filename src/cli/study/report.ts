// The study's comparison, as text: one row per run and one mean row per model (test loss, BLEU-1..4,
// ROUGE-L, CIDEr-D, the shapes scorer's accuracies, how often a word's map peaks on the shape it
// names with the chance level beside it, training time and speed), and the HTML page of the demo.

/** Where a model's maps peak for the words that name a shape: hits of total, and the chance hits. */
export interface MapTally {
  hits: number;
  total: number;
  chance: number;
}

export interface StudyRow {
  model: string;
  seed: number;
  runId: number;
  /** Test metrics of the run (loss, bleu1..4, rougeL, ciderD). */
  test: Record<string, number>;
  /** Shapes scorer accuracies over the test captions (null when a caption never names the attribute). */
  acc: Record<'shape' | 'colour' | 'size' | 'relation', number | null>;
  map: MapTally;
  mapKind: 'attention' | 'saliency' | null;
  /** Wall time of the training epochs, seconds. */
  trainSeconds: number;
  /** Training images per second over the epochs. */
  imagesPerSec: number;
  /** Train loss of the first epoch and of the last one. */
  firstLoss: number | null;
  lastLoss: number | null;
}

const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : `${(100 * x).toFixed(1)}%`;
const f3 = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toFixed(3));

/** "41.2% of 87 (chance 9.8%)", or "–" when no word named a shape. */
export function mapCell(t: MapTally): string {
  return t.total ? `${pct(t.hits / t.total)} of ${t.total} (chance ${pct(t.chance / t.total)})` : '–';
}

export const STUDY_COLUMNS = [
  'model',
  'seed',
  'run',
  'test loss',
  'BLEU-1',
  'BLEU-2',
  'BLEU-3',
  'BLEU-4',
  'ROUGE-L',
  'CIDEr-D',
  'shape acc',
  'colour acc',
  'size acc',
  'relation acc',
  'map peak on named shape',
  'train time',
  'images/s',
] as const;

const METRICS = ['loss', 'bleu1', 'bleu2', 'bleu3', 'bleu4', 'rougeL', 'ciderD'] as const;

function cells(r: Omit<StudyRow, 'runId' | 'seed'>, seed: string, run: string): string[] {
  return [
    r.model,
    seed,
    run,
    ...METRICS.map((m) => f3(r.test[m])),
    pct(r.acc.shape),
    pct(r.acc.colour),
    pct(r.acc.size),
    pct(r.acc.relation),
    `${mapCell(r.map)}${r.mapKind === 'saliency' ? ' (saliency)' : ''}`,
    `${(r.trainSeconds / 60).toFixed(1)} min`,
    r.imagesPerSec.toFixed(1),
  ];
}

/** Sample standard deviation (null below two values). */
const sd = (xs: number[]): number | null => {
  if (xs.length < 2) return null;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};

const mean = (xs: Array<number | null | undefined>): number | null => {
  const ok = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : null;
};

/** The mean of one model's runs (metrics averaged, map tallies summed). */
export function meanRow(rows: readonly StudyRow[]): Omit<StudyRow, 'runId' | 'seed'> {
  const test: Record<string, number> = {};
  for (const m of METRICS) {
    const v = mean(rows.map((r) => r.test[m]));
    if (v !== null) test[m] = v;
  }
  const acc = (k: keyof StudyRow['acc']) => mean(rows.map((r) => r.acc[k]));
  return {
    model: rows[0].model,
    test,
    acc: { shape: acc('shape'), colour: acc('colour'), size: acc('size'), relation: acc('relation') },
    map: rows.reduce(
      (s, r) => ({
        hits: s.hits + r.map.hits,
        total: s.total + r.map.total,
        chance: s.chance + r.map.chance,
      }),
      { hits: 0, total: 0, chance: 0 },
    ),
    mapKind: rows[0].mapKind,
    trainSeconds: mean(rows.map((r) => r.trainSeconds)) ?? 0,
    imagesPerSec: mean(rows.map((r) => r.imagesPerSec)) ?? 0,
    firstLoss: mean(rows.map((r) => r.firstLoss)),
    lastLoss: mean(rows.map((r) => r.lastLoss)),
  };
}

/** Models in the order they were first trained. */
export const modelsOf = (rows: readonly StudyRow[]) => [...new Set(rows.map((r) => r.model))];

/** The comparison as a markdown table: every run, then (with several seeds) each model's mean. */
export function studyTable(rows: readonly StudyRow[]): string {
  const line = (c: string[]) => `| ${c.join(' | ')} |`;
  const out = [line([...STUDY_COLUMNS]), line(STUDY_COLUMNS.map(() => '---'))];
  for (const r of rows) out.push(line(cells(r, String(r.seed), String(r.runId))));
  const models = modelsOf(rows);
  if (rows.length > models.length)
    for (const m of models) {
      const own = rows.filter((r) => r.model === m);
      const c = cells(meanRow(own), 'mean', '');
      c[0] = `**${m}**`;
      // the test metrics' spread over seeds: mean ± sample standard deviation
      METRICS.forEach((k, i) => {
        const s = sd(own.map((r) => r.test[k]).filter((x) => Number.isFinite(x)));
        if (s !== null) c[3 + i] += ` ± ${s.toFixed(3)}`;
      });
      out.push(line(c));
    }
  return out.join('\n');
}

/**
 * With several seeds: the ranking each seed gives (by test loss and by ROUGE-L), and whether every
 * seed gives the same order.
 */
export function seedRankings(rows: readonly StudyRow[]): string[] {
  const seeds = [...new Set(rows.map((r) => r.seed))];
  const per = seeds.map((seed) => ({ seed, ...ranking(rows.filter((r) => r.seed === seed)) }));
  const same = (k: 'byLoss' | 'byRouge') => new Set(per.map((p) => p[k].join(','))).size === 1;
  return [
    ...per.map((p) => `  seed ${p.seed}: loss ${p.byLoss.join(' < ')}; ROUGE-L ${p.byRouge.join(' > ')}`),
    `Same order in every seed: by test loss ${same('byLoss') ? 'yes' : 'no'}, by ROUGE-L ${same('byRouge') ? 'yes' : 'no'}.`,
  ];
}

/** Models by mean test loss (lowest first) and by mean ROUGE-L (highest first), for the ranking line. */
export function ranking(rows: readonly StudyRow[]): { byLoss: string[]; byRouge: string[] } {
  const means = modelsOf(rows).map((m) => meanRow(rows.filter((r) => r.model === m)));
  const key = (r: (typeof means)[number], k: string, bad: number) => r.test[k] ?? bad;
  return {
    byLoss: [...means]
      .sort((a, b) => key(a, 'loss', Infinity) - key(b, 'loss', Infinity))
      .map((r) => r.model),
    byRouge: [...means]
      .sort((a, b) => key(b, 'rougeL', -Infinity) - key(a, 'rougeL', -Infinity))
      .map((r) => r.model),
  };
}

export const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface PageImage {
  /** File name of the photo inside the output folder. */
  photo: string;
  name: string;
  references: string[];
  models: Array<{
    model: string;
    runId: number;
    caption: string;
    words: Array<{ word: string; png: string | null }>;
  }>;
}

/** The demo's page: the table, then each test image with its references and every model's caption and maps. */
export function studyHtml(
  title: string,
  intro: string,
  rows: readonly StudyRow[],
  images: readonly PageImage[],
) {
  const head = `<tr>${STUDY_COLUMNS.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const body = rows
    .map(
      (r) =>
        `<tr>${cells(r, String(r.seed), String(r.runId))
          .map((c) => `<td>${esc(c)}</td>`)
          .join('')}</tr>`,
    )
    .join('');
  const sections = images.map((im) => {
    const refs = im.references.map((t) => `<li>${esc(t)}</li>`).join('');
    const models = im.models
      .map((m) => {
        const figs = m.words
          .map((w) =>
            w.png
              ? `<figure><img src="${esc(w.png)}" alt="map of ${esc(w.word)}"><figcaption>${esc(w.word)}</figcaption></figure>`
              : `<figure class="none"><figcaption>${esc(w.word)}</figcaption></figure>`,
          )
          .join('');
        return `<div class="model"><h3>${esc(m.model)} <small>run ${m.runId}</small></h3><p class="cap">${esc(m.caption)}</p>${figs}</div>`;
      })
      .join('');
    return `<section><h2>${esc(im.name)}</h2><div class="row"><img class="photo" src="${esc(im.photo)}" alt=""><div><h3>References</h3><ul>${refs}</ul></div></div>${models}</section>`;
  });
  return (
    `<!doctype html><html lang="en"><meta charset="utf-8"><title>${esc(title)}</title><style>` +
    `body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;font-size:13px}` +
    `td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td:first-child,th:first-child{text-align:left}` +
    `section{border-top:1px solid #ddd;margin-top:16px}.row{display:flex;gap:16px}.photo{width:192px;image-rendering:pixelated}` +
    `figure{display:inline-block;margin:3px;text-align:center;font-size:12px}figure img{width:96px;image-rendering:auto}` +
    `.none{width:96px;height:96px;background:#eee}.cap{font-size:16px;font-weight:600}</style>` +
    `<h1>${esc(title)}</h1><p>${esc(intro)}</p><table>${head}${body}</table>${sections.join('')}</html>`
  );
}
