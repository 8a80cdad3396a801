// Over serve mode on an empty library: the first start offers an import or the demo set; the
// Settings view shows the library file and the compute backend, and exports the diagnostics.
import { readFileSync } from 'node:fs';
import { assert, screenshot } from './harness.mjs';
import { startServe } from './serve.mjs';

export const setup = () => startServe({ empty: true });
export const teardown = (server) => server.stop();

export const tests = [
  {
    name: 'an empty library offers to import a folder or make the demo set',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await page.getByText('The library is empty.').waitFor();
      await page.getByRole('button', { name: 'Make the demo shapes set and train on it' }).waitFor();
      await screenshot(page, 'empty-library');
      await page.getByRole('button', { name: 'Import a folder…' }).click();
      await page.getByRole('dialog').waitFor();
    },
  },
  {
    name: 'Settings shows the library file and the backend, and exports the diagnostics',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await page.getByRole('button', { name: 'Settings' }).click();
      await page.getByText(suite.db, { exact: true }).waitFor();
      const backend = (await page.getByTestId('backend').textContent())?.trim();
      assert(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'].includes(backend), `backend ${backend}`);
      await screenshot(page, 'settings');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export diagnostics…' }).click(),
      ]);
      const d = JSON.parse(readFileSync(await download.path(), 'utf8'));
      assert(d.version.dbPath === suite.db, 'the export names the library file');
      assert(d.backend.chosen === backend, 'the export has the backend shown');
      assert(d.counts.images === 0, 'an empty library');
    },
  },
];
