// The Runs page over serve mode on a small shapes set: a run's chart grows from pushed events while
// nothing polls the runs, Cancel stops it; "Train again" prefills the form with every setting of a
// run; the comparison table sorts by a header (mouse and keyboard); the per-image view lists what
// the database holds, worst first; a run is exported and deleted with its folder.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { assert, screenshot } from './harness.mjs';
import { startServe } from './serve.mjs';

export const setup = () => startServe({ shapes: 40 });
export const teardown = (suite) => suite.stop();

/** Calls the API as the page does (the token from the printed URL). */
async function api(suite, method, args) {
  const u = new URL(suite.url);
  const res = await fetch(`${u.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${u.searchParams.get('token')}` },
    body: JSON.stringify(args),
  });
  const r = await res.json();
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const row = (page, id) => page.locator(`table[aria-label="Runs"] tr[data-run="${id}"]`);

/** JSON with every object's keys sorted (two configs compare by content, not key order). */
const canonical = (v) =>
  JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );

/** Points drawn in the loss chart for a series ("run 1 training", "run 1 validation"). */
const drawn = (page, series) =>
  page.evaluate(
    (s) => Number(document.querySelector(`path[data-series="${s}"]`)?.getAttribute('data-points') ?? 0),
    series,
  );

export const tests = [
  {
    name: 'a training run: the chart grows by pushed events while nothing polls the runs; Cancel stops it',
    async run({ page, suite }) {
      const listCalls = [];
      page.on('request', (r) => {
        if (/\/api\/runs\.(list|get)$/.test(r.url())) listCalls.push(Date.now());
      });
      await page.goto(`${suite.url}#runs`);
      await page.getByLabel('Epochs').fill('300');
      await page.getByLabel('Seed', { exact: true }).fill('21');
      await page.getByRole('button', { name: /Start training/ }).click();
      await row(page, 1).locator('.status.running').waitFor({ timeout: 120_000 });
      // The run started from the form is compared at once: its loss chart fills as it trains.
      const grown = (series, n) =>
        page.waitForFunction(
          ([s, n]) =>
            Number(document.querySelector(`path[data-series="${s}"]`)?.getAttribute('data-points')) > n,
          [series, n],
          { timeout: 300_000 },
        );
      await grown('run 1 validation', 0);
      const before = await drawn(page, 'run 1 training');
      const valBefore = await drawn(page, 'run 1 validation');
      // Both curves grow (another epoch ends) while no request for the runs is made: over the
      // whole wait, and for at least 7 s (the page used to poll every 5 s).
      const t0 = Date.now();
      await grown('run 1 training', before);
      await grown('run 1 validation', valBefore);
      await page.waitForTimeout(Math.max(0, 7000 - (Date.now() - t0)));
      const after = await drawn(page, 'run 1 training');
      const valAfter = await drawn(page, 'run 1 validation');
      const polled = listCalls.filter((t) => t >= t0).length;
      assert(
        after > before && valAfter > valBefore,
        `the chart grew (${before}→${after}, ${valBefore}→${valAfter})`,
      );
      assert(
        polled === 0,
        `no runs.list / runs.get request while the chart grew over ${Date.now() - t0} ms (${polled} made)`,
      );
      // The table's epoch count followed the events too.
      const epochsCell = await row(page, 1).getByRole('cell').nth(7).textContent();
      assert(Number(epochsCell) >= valAfter, `epochs shown: ${epochsCell}, validation points ${valAfter}`);
      // What is drawn is what the database holds (the events carried every point).
      const detail = await api(suite, 'runs.get', { runId: 1 });
      const stored = detail.metrics.filter((m) => m.split === 'train' && m.name === 'stepLoss').length;
      const now = await drawn(page, 'run 1 training');
      assert(now <= stored && now >= stored - 5, `drawn ${now} step losses, stored ${stored}`);
      await screenshot(page, 'runs-live');
      await row(page, 1).getByRole('button', { name: 'Cancel' }).click();
      await row(page, 1).locator('.status.cancelled').waitFor({ timeout: 120_000 });
    },
  },
  {
    name: 'train again with the settings of a run, compare, sort the table, see the test images worst first',
    async run({ page, suite }) {
      await page.goto(`${suite.url}#runs`);
      await row(page, 1).getByRole('button', { name: 'Train again' }).click();
      await page.getByTestId('prefilled').getByText('Every setting of run 1').waitFor();
      assert((await page.getByLabel('Epochs').inputValue()) === '300', 'epochs prefilled');
      assert((await page.getByLabel('Seed', { exact: true }).inputValue()) === '21', 'seed prefilled');
      await page.getByLabel('Epochs').fill('2');
      await page.getByRole('button', { name: /Start training/ }).click();
      await row(page, 2).locator('.status.completed').waitFor({ timeout: 400_000 });
      const [a, b] = [await api(suite, 'runs.get', { runId: 1 }), await api(suite, 'runs.get', { runId: 2 })];
      assert(
        canonical({ ...a.config, epochs: 2 }) === canonical(b.config),
        `run 2 has every setting of run 1 but the epochs: ${JSON.stringify(b.config)}`,
      );
      // A third run to compare with (other seed), also trained to the end.
      await page.getByLabel('Seed', { exact: true }).fill('22');
      await page.getByRole('button', { name: /Start training/ }).click();
      await row(page, 3).locator('.status.completed').waitFor({ timeout: 400_000 });
      await page.getByRole('checkbox', { name: 'Compare run 2' }).check();
      await page.getByRole('checkbox', { name: 'Compare run 1' }).uncheck();
      const table = page.getByRole('table', { name: 'Comparison' });
      await table.getByRole('row').nth(2).waitFor();
      const runsInOrder = async () =>
        (
          await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.children[2].textContent))
        ).map(Number);
      const ciders = async () =>
        (
          await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.children[9].textContent))
        ).map(Number);
      assert(JSON.stringify(await runsInOrder()) === '[2,3]', `by run: ${await runsInOrder()}`);
      await table.getByRole('button', { name: 'Run' }).click();
      assert(JSON.stringify(await runsInOrder()) === '[3,2]', `by run, descending: ${await runsInOrder()}`);
      // The keyboard: Tab to a header's button and press Enter.
      await table.getByRole('button', { name: 'CIDEr-D' }).focus();
      await page.keyboard.press('Enter');
      const up = await ciders();
      assert(up[0] <= up[1], `CIDEr-D ascending: ${up}`);
      assert(
        (await table.locator('th', { hasText: 'CIDEr-D' }).getAttribute('aria-sort')) === 'ascending',
        'the header says how the table is sorted',
      );
      await page.keyboard.press('Enter');
      const down = await ciders();
      assert(down[0] >= down[1], `CIDEr-D descending: ${down}`);

      // The per-image view lists what the database holds.
      await page.getByRole('button', { name: 'Show, worst first' }).click();
      const view = page.getByRole('region', { name: 'Test images' });
      await view.locator('ol.images > li').first().waitFor();
      const db = new Database(suite.db, { readonly: true });
      const stored = db
        .prepare('SELECT run_id, image_id, caption FROM run_test_captions WHERE run_id IN (2, 3)')
        .all();
      db.close();
      const shown = await view.locator('ol.images > li').evaluateAll((lis) =>
        lis.flatMap((li) =>
          [...li.querySelectorAll('tr[data-run]')].map((tr) => ({
            run_id: Number(tr.getAttribute('data-run')),
            image_id: Number(li.getAttribute('data-image-id')),
            caption: tr.querySelector('.caption').textContent,
          })),
        ),
      );
      const key = (x) => `${x.run_id}/${x.image_id}/${x.caption || '(empty caption)'}`;
      assert(
        stored.length > 0 && stored.length === shown.length,
        `${shown.length} shown, ${stored.length} stored`,
      );
      assert(
        JSON.stringify(stored.map(key).sort()) === JSON.stringify(shown.map(key).sort()),
        'the captions shown are the stored ones',
      );
      const listed = await api(suite, 'runs.testImages', { runIds: [2, 3] });
      const order = await view
        .locator('ol.images > li')
        .evaluateAll((l) => l.map((x) => Number(x.dataset.imageId)));
      assert(
        JSON.stringify(order) === JSON.stringify(listed.images.map((i) => i.imageId)),
        'in the API order, worst first',
      );
      const scores = listed.images.map((i) => i.score);
      assert(
        scores.every((s, i) => i === 0 || s >= scores[i - 1]),
        `worst first by CIDEr-D: ${scores}`,
      );
      await screenshot(page, 'runs-compare');
    },
  },
  {
    name: 'export a run, then delete one with its folder (after a confirmation)',
    async run({ page, suite }) {
      await page.goto(`${suite.url}#runs`);
      const out = join(mkdtempSync(join(tmpdir(), 'cs-export-')), 'model');
      try {
        await row(page, 2).getByRole('button', { name: 'Export…' }).click();
        const dialog = page.getByRole('dialog', { name: 'Export the model of run 2' });
        await dialog.getByLabel('Export folder').fill(out);
        await dialog.getByRole('button', { name: 'Export', exact: true }).click();
        await dialog
          .getByRole('status')
          .getByText(/Exported \d+ files/)
          .waitFor();
        const files = readdirSync(out);
        assert(files.includes('run.json') && files.some((f) => f.endsWith('.safetensors')), `${files}`);
        await dialog.getByRole('button', { name: 'Done' }).click();
        // A second export to the same (now not empty) folder is refused, saying why.
        await row(page, 2).getByRole('button', { name: 'Export…' }).click();
        await dialog.getByLabel('Export folder').fill(out);
        await dialog.getByRole('button', { name: 'Export', exact: true }).click();
        await dialog
          .getByRole('alert')
          .getByText(/not empty.*nothing was overwritten/)
          .waitFor();
        await dialog.getByRole('button', { name: 'Cancel' }).click();
      } finally {
        rmSync(dirname(out), { recursive: true, force: true });
      }

      const folder = join(dirname(suite.db), 'runs', '3');
      assert(existsSync(folder), 'run 3 has its folder');
      await row(page, 3).getByRole('button', { name: 'Delete…' }).click();
      const confirm = page.getByRole('dialog', { name: 'Delete run 3' });
      await confirm.getByRole('button', { name: 'Keep it' }).click();
      assert(existsSync(folder) && (await row(page, 3).count()) === 1, 'kept when the user says so');
      await row(page, 3).getByRole('button', { name: 'Delete…' }).click();
      await confirm.getByRole('button', { name: 'Delete run 3' }).click();
      await page.getByRole('status').getByText('Run 3 and its files were deleted').waitFor();
      await row(page, 3).waitFor({ state: 'detached' });
      assert(!existsSync(folder), 'the run folder is gone');
      const left = (await api(suite, 'runs.list', {})).map((r) => r.id);
      assert(JSON.stringify(left) === '[2,1]', `runs left: ${left}`);
    },
  },
];
