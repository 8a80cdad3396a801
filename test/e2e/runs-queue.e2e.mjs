// The Runs page over serve mode on a small shapes set: a run started while another trains says it
// is queued, with its place in line, and cancelling it cancels it at once; the table shows each
// run's seed, date and data size, and warns when the compared runs were tested on different images;
// the split control sits on the page; the no-split error points to it.
import Database from 'better-sqlite3';
import { assert, screenshot } from './harness.mjs';
import { startServe } from './serve.mjs';

export const setup = () => startServe({ shapes: 40 });
export const teardown = (suite) => suite.stop();

export const tests = [
  {
    name: 'without a split the error points to the split control, not to the demo dataset',
    async run({ page, suite }) {
      const db = new Database(suite.db);
      const saved = db.prepare('SELECT id, split FROM images').all();
      db.prepare('UPDATE images SET split = NULL').run();
      db.close();
      try {
        await page.goto(`${suite.url}#runs`);
        await page
          .getByTestId('split-summary')
          .getByText(/40 images without a split/)
          .waitFor();
        // With no split the control is open at once.
        await page.getByRole('form', { name: 'Split' }).waitFor();
        await page.getByRole('button', { name: /Start training/ }).click();
        const alert = page.getByRole('alert').filter({ hasText: 'Training needs' });
        await alert.waitFor();
        const t = await alert.textContent();
        assert(/Split…/.test(t) && !/dataset shapes/.test(t), `the error: ${t}`);
      } finally {
        const back = new Database(suite.db);
        const set = back.prepare('UPDATE images SET split = ? WHERE id = ?');
        back.transaction(() => saved.forEach((r) => set.run(r.split, r.id)))();
        back.close();
      }
    },
  },
  {
    name: 'a second run is queued with its place; cancelling it is immediate; seed, date, data and a test-set warning',
    async run({ page, suite }) {
      await page.goto(`${suite.url}#runs`);
      await page.getByLabel('Epochs').fill('300');
      await page.getByLabel('Seed', { exact: true }).fill('11');
      await page.getByRole('button', { name: /Start training/ }).click();
      await page.getByRole('status').getByText('Run 1 started').waitFor();
      const row = (id) =>
        page
          .getByRole('table', { name: 'Runs' })
          .getByRole('row')
          .filter({ has: page.getByRole('cell', { name: String(id), exact: true }) });
      await row(1).locator('.status.running').waitFor({ timeout: 60_000 });
      // Re-split with another seed, so the next run is tested on other images.
      await page.getByRole('button', { name: 'Split…' }).click();
      await page.getByLabel('Split seed').fill('5');
      await page.getByLabel('re-split images that have a split').check();
      await page.getByRole('button', { name: 'Assign splits' }).click();
      await page
        .getByRole('status')
        .getByText(/Split assigned|No image needed a split/)
        .waitFor();
      await page.getByLabel('Seed', { exact: true }).fill('12');
      await page.getByRole('button', { name: /Start training/ }).click();
      await page
        .getByRole('status')
        .getByText(/Run 2 queued: 1st in line/)
        .waitFor();
      await row(2).getByText('queued (1st in line)').waitFor();
      const cells = await row(1).getByRole('cell').allTextContents();
      assert(cells.includes('11'), `run 1 shows its seed: ${cells.join(' | ')}`);
      assert(
        cells.some((c) => /^\d+ \/ \d+ \/ \d+$/.test(c.trim())),
        `run 1 shows its data: ${cells.join(' | ')}`,
      );
      assert(
        cells.some((c) => /\d{4}|\d:\d\d/.test(c)),
        `run 1 shows its date: ${cells.join(' | ')}`,
      );
      await page.getByRole('checkbox', { name: 'Compare run 2' }).check();
      await page.getByTestId('test-set-warning').waitFor();
      await screenshot(page, 'runs');
      await row(2).getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('status').getByText('Run 2 cancelled before it started').waitFor();
      await row(2).locator('.status.cancelled').waitFor({ timeout: 3000 });
      assert((await row(1).locator('.status.running').count()) === 1, 'run 1 still trains');
      await row(1).getByRole('button', { name: 'Cancel' }).click();
      await page
        .getByRole('status')
        .getByText(/Run 1 is stopping/)
        .waitFor();
    },
  },
];
