// The Runs page's validation charts over serve mode, on two finished runs seeded with metric values
// of very different sizes (a BLEU-4 of 0.398, a loss of 12345.6): every axis label lies wholly
// inside its chart's SVG box, so no label loses a digit to the chart's edge.
import { execFileSync } from 'node:child_process';
import { assert, screenshot } from './harness.mjs';
import { startServe } from './serve.mjs';

const RUNS = [
  {
    seed: 1,
    val: [
      { loss: 12345.6, bleu4: 0.125, ciderD: 0.051 },
      { loss: 9876.5, bleu4: 0.398, ciderD: 0.233 },
    ],
    test: { bleu1: 0.61, bleu4: 0.39, rougeL: 0.47, ciderD: 0.22, loss: 9876.5 },
  },
  {
    seed: 2,
    val: [
      { loss: 4.2, bleu4: 0.2, ciderD: 0.1 },
      { loss: 3.9, bleu4: 0.31, ciderD: 0.18 },
    ],
  },
];

export async function setup() {
  const server = await startServe();
  execFileSync(process.execPath, [
    '--import',
    'tsx',
    'test/e2e/seed-runs.ts',
    server.db,
    JSON.stringify(RUNS),
  ]);
  return server;
}
export const teardown = (suite) => suite.stop();

/** Every label of every chart on the page whose box is not wholly inside its chart's SVG box
 * (on screen, and in SVG units against the viewBox), named by its chart. */
const outside = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('figure svg[role="img"]')].flatMap((svg) => {
      const box = svg.getBoundingClientRect();
      const [vx, vy, vw, vh] = svg.getAttribute('viewBox').split(/\s+/).map(Number);
      return [...svg.querySelectorAll('text')]
        .map((t) => {
          const r = t.getBoundingClientRect();
          const b = t.getBBox();
          const inScreen =
            r.left >= box.left - 0.5 &&
            r.right <= box.right + 0.5 &&
            r.top >= box.top - 0.5 &&
            r.bottom <= box.bottom + 0.5;
          const inView = b.x >= vx && b.x + b.width <= vx + vw && b.y >= vy && b.y + b.height <= vy + vh;
          const chart = svg.getAttribute('aria-label');
          return { chart, text: t.textContent, inScreen, inView, x: Math.round(b.x * 10) / 10 };
        })
        .filter((l) => !l.inScreen || !l.inView);
    }),
  );

/** A chart's label showing exactly `text`. */
const label = (page, text) =>
  page
    .locator('figure svg[role="img"] text')
    .filter({ hasText: new RegExp(`^${text.replace(/[.+]/g, '\\$&')}$`) });

export const tests = [
  {
    name: 'every y-axis label of the validation charts lies inside its chart (0.398 and 12345.6)',
    async run({ page, suite }) {
      await page.goto(`${suite.url}#runs`);
      await page.getByRole('checkbox', { name: 'Compare run 1' }).check();
      await page.getByRole('checkbox', { name: 'Compare run 2' }).check();
      // The labels this test is about are drawn: the largest BLEU-4 and the largest loss.
      await label(page, '0.398').first().waitFor();
      await label(page, (12345.6).toPrecision(3)).first().waitFor();
      await screenshot(page, 'chart-axis');
      const bad = await outside(page);
      assert(bad.length === 0, `labels outside their chart: ${JSON.stringify(bad)}`);
      const charts = await page.locator('figure svg[role="img"]').count();
      assert(charts >= 3, `the validation charts are drawn (${charts})`);
    },
  },
];
