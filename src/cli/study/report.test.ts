// The study table and page: every run's row, one mean row per model with several seeds, the ranking,
// and an HTML page that escapes what it shows and links every map it names.
import { describe, expect, it } from 'vitest';
import { mapCell, meanRow, ranking, seedRankings, studyHtml, studyTable, type StudyRow } from './report';

const row = (model: string, seed: number, loss: number, rougeL: number, hits = 1): StudyRow => ({
  model,
  seed,
  runId: seed * 10 + model.length,
  test: { loss, bleu1: 0.5, bleu2: 0.4, bleu3: 0.3, bleu4: 0.2, rougeL, ciderD: 1.5 },
  acc: { shape: 0.9, colour: 0.8, size: null, relation: 0.25 },
  map: { hits, total: 4, chance: 1 },
  mapKind: model === 'cnn-lstm' ? 'saliency' : 'attention',
  trainSeconds: 120,
  imagesPerSec: 25,
  firstLoss: 3,
  lastLoss: loss,
});

describe('study report', () => {
  it('gives every run a row with all seventeen columns, and a mean row per model with several seeds', () => {
    const rows = [
      row('cnn-lstm', 1, 2, 0.4, 2),
      row('cnn-lstm', 2, 1, 0.5, 2),
      row('vit-gpt2', 1, 0.5, 0.6, 3),
    ];
    const lines = studyTable(rows).split('\n');
    expect(lines).toHaveLength(2 + 3 + 2);
    for (const l of lines) expect(l.split('|').length - 2).toBe(17);
    expect(lines[2]).toContain('| cnn-lstm | 1 |');
    expect(lines[2]).toContain('(saliency)');
    const mean = lines.find((l) => l.startsWith('| **cnn-lstm** | mean'))!;
    expect(mean).toContain('| 1.500 ± 0.707 |'); // mean test loss of 2 and 1, sample sd √0.5
    expect(mean).toContain('| 0.450 ± 0.071 |'); // mean ROUGE-L
    expect(lines.find((l) => l.startsWith('| **vit-gpt2** | mean'))).toContain('| 0.500 |'); // one run: no spread
    expect(mean).toContain('50.0% of 8 (chance 25.0%)'); // tallies summed over the two runs
    expect(mean).toContain('| – |'); // size accuracy: no caption named a size
  });

  it('leaves out mean rows with one run per model', () => {
    const t = studyTable([row('cnn-lstm', 1, 2, 0.4), row('vit-gpt2', 1, 1, 0.5)]);
    expect(t).not.toContain('mean');
  });

  it('ranks by loss (lowest first) and by ROUGE-L (highest first)', () => {
    const r = ranking([row('a', 1, 3, 0.3), row('b', 1, 2, 0.5), row('c', 1, 1, 0.4)]);
    expect(r.byLoss).toEqual(['c', 'b', 'a']);
    expect(r.byRouge).toEqual(['b', 'c', 'a']);
  });

  it("gives each seed's ranking and says whether they agree", () => {
    const agree = seedRankings([
      row('a', 1, 2, 0.3),
      row('b', 1, 1, 0.5),
      row('a', 2, 3, 0.2),
      row('b', 2, 2, 0.4),
    ]);
    expect(agree).toEqual([
      '  seed 1: loss b < a; ROUGE-L b > a',
      '  seed 2: loss b < a; ROUGE-L b > a',
      'Same order in every seed: by test loss yes, by ROUGE-L yes.',
    ]);
    const differ = seedRankings([
      row('a', 1, 2, 0.3),
      row('b', 1, 1, 0.5),
      row('a', 2, 1, 0.2),
      row('b', 2, 2, 0.4),
    ]);
    expect(differ.at(-1)).toBe('Same order in every seed: by test loss no, by ROUGE-L yes.');
  });

  it('says – when no word named a shape', () => {
    expect(mapCell({ hits: 0, total: 0, chance: 0 })).toBe('–');
    expect(meanRow([row('a', 1, 1, 1)]).map.total).toBe(4);
  });

  it('writes a page that escapes captions and links each map', () => {
    const html = studyHtml(
      'T',
      'intro',
      [row('a', 1, 1, 1)],
      [
        {
          photo: 'p.png',
          name: 'shape-1.png',
          references: ['a <red> circle'],
          models: [
            {
              model: 'a',
              runId: 3,
              caption: 'x & y',
              words: [
                { word: 'x', png: 'm-1.png' },
                { word: 'y', png: null },
              ],
            },
          ],
        },
      ],
    );
    expect(html).toContain('a &lt;red&gt; circle');
    expect(html).toContain('x &amp; y');
    expect(html).toContain('src="m-1.png"');
    expect(html).not.toContain('<red>');
  });
});
